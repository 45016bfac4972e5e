// The discrete-event scheduler: one program (generator) per core, always resuming the runnable
// core with the smallest clock and running its next operation to completion. Ties go to the
// lower core id, so a run is a pure function of its inputs (deterministic). Barriers release all
// parties at the latest arrival; a waiting core is re-checked after every other core's step and
// resumes no earlier than the clock of the core whose step made its condition true.

import type { Barrier, Program, Yield } from './api.js';

/** A reusable (cyclic) barrier. Create it with `machine.barrier(parties)`. */
export class SimBarrier implements Barrier {
  readonly kind = 'barrier' as const;
  /** Cores waiting at the barrier in the current cycle. */
  readonly arrived: number[] = [];
  /** Number of times the barrier has released its parties. */
  generation = 0;
  constructor(readonly parties: number) {
    if (!Number.isInteger(parties) || parties < 1) {
      throw new RangeError(`barrier parties ${parties} must be a positive integer`);
    }
  }
}

/**
 * Min-heap of core ids ordered by (clock, rank, id). The rank is drawn from the seeded generator
 * when a core becomes runnable (`rank`), in the order cores become runnable; the heap only ever
 * returns the minimum of the runnable set under this total order, so the order in which cores
 * are inserted does not change what it returns. That lets the scheduler keep the core that just
 * ran out of the heap (`popWith`): if it is still the minimum it runs again without a heap
 * operation, else it takes the root's place in one sift-down.
 */
class CoreHeap {
  private readonly items: Int32Array;
  private readonly rank: Float64Array;
  size = 0;
  constructor(
    capacity: number,
    private readonly clocks: Float64Array,
    private readonly random: () => number,
  ) {
    this.items = new Int32Array(capacity);
    this.rank = new Float64Array(capacity);
  }

  private less(a: number, b: number): boolean {
    const ca = this.clocks[a];
    const cb = this.clocks[b];
    if (ca !== cb) return ca < cb;
    const ra = this.rank[a];
    const rb = this.rank[b];
    return ra < rb || (ra === rb && a < b);
  }

  /** Draws the tie-breaking rank of `core`, which has just become runnable. */
  draw(core: number): void {
    this.rank[core] = this.random();
  }

  /** Inserts `core` (its rank drawn by `draw`). */
  insert(core: number): void {
    let i = this.size++;
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(core, items[parent])) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = core;
  }

  /** Draws the rank of `core` and inserts it. */
  push(core: number): void {
    this.draw(core);
    this.insert(core);
  }

  /** Removes and returns the minimum. */
  pop(): number {
    const top = this.items[0];
    const last = this.items[--this.size];
    if (this.size > 0) this.siftDown(last);
    return top;
  }

  /**
   * The minimum of the heap and `core` (runnable, rank drawn, not in the heap): `core` itself
   * if it is below the root, else the root, with `core` taking its place.
   */
  popWith(core: number): number {
    const items = this.items;
    if (this.size === 0 || this.less(core, items[0])) return core;
    const top = items[0];
    this.siftDown(core);
    return top;
  }

  /** Places `core` at the root's slot and sifts it down. */
  private siftDown(core: number): void {
    const items = this.items;
    const size = this.size;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.less(items[right], items[left]) ? right : left;
      if (!this.less(items[child], core)) break;
      items[i] = items[child];
      i = child;
    }
    items[i] = core;
  }
}

export interface ScheduleHooks {
  /** Called before a core's step; the machine sets its current core here. */
  enter(core: number): void;
  /** Seeded uniform [0, 1) generator breaking ties between cores with equal clocks. */
  random: () => number;
}

export interface ScheduleResult {
  /** Operations (generator steps) executed. */
  steps: number;
}

/**
 * Runs `programs[i]` on core `cores[i]` until all finish. `clocks` is indexed by core id and is
 * advanced in place. Throws if every unfinished core is blocked (deadlock), naming them.
 */
export function schedule(
  cores: readonly number[],
  programs: readonly Program[],
  clocks: Float64Array,
  hooks: ScheduleHooks,
): ScheduleResult {
  const heap = new CoreHeap(clocks.length, clocks, hooks.random);
  const programOf: Program[] = new Array(clocks.length);
  cores.forEach((core, i) => {
    programOf[core] = programs[i];
    heap.push(core);
  });
  const waiting: Array<{ core: number; condition: () => boolean }> = [];
  const atBarrier = new Set<number>();
  let unfinished = cores.length;
  let steps = 0;
  /** The core that just ran and is runnable again (rank drawn), kept out of the heap; or -1. */
  let ready = -1;

  const releaseWaiters = (after: number) => {
    for (let i = 0; i < waiting.length; ) {
      const waiter = waiting[i];
      if (waiter.condition()) {
        if (clocks[waiter.core] < clocks[after]) clocks[waiter.core] = clocks[after];
        heap.push(waiter.core);
        waiting.splice(i, 1);
      } else i++;
    }
  };

  while (unfinished > 0) {
    let core: number;
    if (ready >= 0) {
      core = heap.popWith(ready);
      ready = -1;
    } else if (heap.size > 0) {
      core = heap.pop();
    } else {
      const blocked = [
        ...waiting.map((w) => `core ${w.core} (waitUntil)`),
        ...[...atBarrier].sort((a, b) => a - b).map((core) => `core ${core} (barrier)`),
      ];
      throw new Error(
        `simulation deadlock: every unfinished core is blocked: ${blocked.join(', ')}`,
      );
    }
    hooks.enter(core);
    const step = programOf[core].next();
    steps++;
    if (step.done) {
      unfinished--;
    } else if (step.value === undefined) {
      heap.draw(core);
      ready = core;
    } else {
      handleYield(core, step.value);
    }
    if (waiting.length > 0) releaseWaiters(core);
  }
  return { steps };

  function handleYield(core: number, value: Yield): void {
    if (typeof value === 'number') {
      if (!(value >= 0)) throw new RangeError(`core ${core} yielded a sleep of ${value} cycles`);
      clocks[core] += value;
      heap.draw(core);
      ready = core;
    } else if (value === undefined) {
      heap.draw(core);
      ready = core;
    } else if (value.kind === 'wait') {
      if (value.condition()) {
        heap.draw(core);
        ready = core;
      } else waiting.push({ core, condition: value.condition });
    } else if (value instanceof SimBarrier) {
      value.arrived.push(core);
      atBarrier.add(core);
      if (value.arrived.length === value.parties) {
        let latest = 0;
        for (const c of value.arrived) latest = Math.max(latest, clocks[c]);
        for (const c of value.arrived) {
          clocks[c] = latest;
          atBarrier.delete(c);
          heap.push(c);
        }
        value.arrived.length = 0;
        value.generation++;
      }
    } else {
      throw new TypeError(`core ${core} yielded an unknown value ${JSON.stringify(value)}`);
    }
  }
}
