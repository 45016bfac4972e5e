// The discrete-event scheduler: one program (generator) per core, always resuming the runnable
// core with the smallest clock and running its next operation to completion. Ties go to the
// lower core id, so a run is a pure function of its inputs (deterministic). Barriers release all
// parties at the latest arrival; a waiting core is re-checked after every other core's step and
// resumes no earlier than the clock of the core whose step made its condition true.
// The heap's shape is part of the result: a core's clock can move while it waits in the heap (an
// IPI's handler time is charged to the target's clock), after which pop follows the heap's
// structure rather than a total order, so push-then-pop must not be shortcut (keeping the core
// that just ran out of the heap changed the vmcache kernel-api points).

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

/** Min-heap of core ids ordered by (clock, rank drawn at push, id). */
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

  push(core: number): void {
    this.rank[core] = this.random();
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

  pop(): number {
    const items = this.items;
    const top = items[0];
    const last = items[--this.size];
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && this.less(items[right], items[left]) ? right : left;
      if (!this.less(items[child], last)) break;
      items[i] = items[child];
      i = child;
    }
    if (this.size > 0) items[i] = last;
    return top;
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
    if (heap.size === 0) {
      const blocked = [
        ...waiting.map((w) => `core ${w.core} (waitUntil)`),
        ...[...atBarrier].sort((a, b) => a - b).map((core) => `core ${core} (barrier)`),
      ];
      throw new Error(
        `simulation deadlock: every unfinished core is blocked: ${blocked.join(', ')}`,
      );
    }
    const core = heap.pop();
    hooks.enter(core);
    const step = programOf[core].next();
    steps++;
    if (step.done) {
      unfinished--;
    } else {
      handleYield(core, step.value);
    }
    if (waiting.length > 0) releaseWaiters(core);
  }
  return { steps };

  function handleYield(core: number, value: Yield): void {
    if (value === undefined) {
      heap.push(core);
    } else if (typeof value === 'number') {
      if (!(value >= 0)) throw new RangeError(`core ${core} yielded a sleep of ${value} cycles`);
      clocks[core] += value;
      heap.push(core);
    } else if (value.kind === 'wait') {
      if (value.condition()) heap.push(core);
      else waiting.push({ core, condition: value.condition });
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
