// Replaying one traced query process on a simulated machine. Traced threads run on
// n = min(trace threads, machine cores) cores, placed as placement.ts says (the CPUs the capture
// recorded when its machine was as wide, else the n busiest threads on distinct cores); threads
// sharing a core take turns on it.
//
// Time: each thread keeps its own clock. Before an event, the thread's clock moves on by the
// trace's time since that thread's previous event (ns → cycles at the profile's frequency), and
// the core runs the event no earlier than that (later if the core is busy with another thread);
// the memory call or touch then charges the core, and the thread continues from where it ended.
// So the compute time between a thread's events is kept, memory-subsystem time is added on top,
// and threads on different cores interleave as the trace's timing says.
//
// Order: every syscall and every marker waits until all earlier events of the trace have run,
// and every other event until all earlier syscalls and markers have, so address-space changes
// keep the trace's order relative to everything (a fault never lands in a mapping before the mmap
// that made it) and phases (open, run1, run2, ...) never overlap, while faults and allocations of
// different threads may. Memory-subsystem cycles are the cycles spent inside the calls and
// touches, measured around each; a core's wait for ordering is not counted in them.
//
// An allocation event also waits for the event it depends on when another thread made it: a free
// or realloc for the allocation of its pointer, an allocation for the free that released its
// address before — so a cross-thread free never overtakes its malloc, nor a reuse its free.
//
// Allocations (format version 2): with a `malloc`, allocation events go through it (heap.ts) and
// the traced memory syscalls — made by DuckDB's allocators, which the preset's malloc replaces —
// are counted but not replayed; faults inside live allocations touch their simulated pages.
// Without allocation events (format 1) syscalls are replayed as before.
//
// Phases: at each marker the machine's counters are snapshotted, so every phase (between two
// markers) has its own counters, memory cycles and simulated duration.
//
// After the last event every core meets at a barrier; core 0 then snapshots the machine's
// counters and unmaps everything still mapped (teardown, not part of the measured cycles).

import type { Malloc, MemorySystem } from '@unimem/core';
import type { TraceEvent } from '@unimem/duckdb-driver/trace';
import { type Machine, type Program, type SimBarrier, waitUntil } from '@unimem/hw';
import { SimulatedHeap } from './heap.js';
import { type Placement, placeThreads, type RecordedCpus } from './placement.js';
import { SimulatedProcess } from './process.js';

export interface ReplayOptions {
  machine: Machine;
  memory: MemorySystem;
  events: readonly TraceEvent[];
  /** Thread indices 0..threads-1 of the trace. */
  threads: number;
  /** The preset's malloc: allocation events go through it (and syscalls are not replayed). */
  malloc?: Malloc;
  /** Where the capture saw each thread run (placement.ts decides whether it applies). */
  recordedCpus?: RecordedCpus;
}

const SYSCALL_KINDS = new Set(['mmap', 'munmap', 'mprotect', 'madvise', 'brk', 'mremap']);
const ALLOC_KINDS = new Set(['alloc', 'free', 'realloc', 'batch']);
/** Events that wait for every earlier event and that every later event waits for. */
const ORDERED_KINDS = new Set([...SYSCALL_KINDS, 'marker']);

/** Counters and cycles of one phase (between two markers). */
export interface PhaseReplay {
  /** The marker that opened the phase (`run2-start`), or `start`. */
  label: string;
  startClock: number;
  endClock: number;
  memoryCycles: number;
  /** malloc calls of the phase through the preset's malloc (allocs, reallocs, batched). */
  mallocCalls: number;
  counters: Record<string, number>;
}

export class TraceReplay {
  readonly process: SimulatedProcess;
  /** Allocation replay through the preset's malloc; undefined when not replaying allocations. */
  readonly heap?: SimulatedHeap;
  /** Phases in order (the first opens at the start, the others at markers). */
  readonly phases: PhaseReplay[] = [];
  private readonly phaseOf: Int32Array;
  /** Cores running traced threads: min(threads, machine cores). */
  readonly replayCores: number;
  /** Traced thread → simulated core, and the rule that chose it. */
  readonly placement: Placement;
  /** Memory-subsystem cycles per traced thread. */
  readonly threadMemoryCycles: Float64Array;
  /** Each event's simulated completion clock (for phase boundaries). */
  readonly doneClock: Float64Array;
  /** Machine counter totals over the replay (set when it finishes, before teardown). */
  counterTotals: Record<string, number> = {};
  startClock = 0;
  finished = false;
  private startCounters: Record<string, number> = {};
  private readonly eventsOf: Int32Array[];
  private readonly syscallsBefore: Int32Array;
  /** Per event: index of an earlier event of another thread it must follow, or -1. */
  private readonly dependsOn: Int32Array;
  private readonly done: Uint8Array;
  private doneBelow = 0;
  private syscallsDone = 0;
  private readonly cyclesPerNs: number;

  constructor(private readonly options: ReplayOptions) {
    const { machine, events, threads } = options;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(`replay threads ${threads} must be a positive integer`);
    }
    this.process = new SimulatedProcess(options.memory);
    if (options.malloc && events.some((e) => ALLOC_KINDS.has(e.kind))) {
      this.heap = new SimulatedHeap(options.malloc, options.memory);
    }
    this.phaseOf = new Int32Array(events.length);
    this.dependsOn = allocationDependencies(events);
    this.replayCores = Math.min(threads, machine.cores);
    this.placement = placeThreads(events, threads, this.replayCores, options.recordedCpus);
    this.threadMemoryCycles = new Float64Array(threads);
    this.doneClock = new Float64Array(events.length);
    this.done = new Uint8Array(events.length);
    this.syscallsBefore = new Int32Array(events.length);
    this.cyclesPerNs = machine.profile.frequencyGhz.value;
    const lists: number[][] = Array.from({ length: this.replayCores }, () => []);
    let syscalls = 0;
    const labels = ['start'];
    events.forEach((event, i) => {
      if (!(event.thread < threads)) {
        throw new RangeError(`event ${i}: thread ${event.thread} is not below ${threads}`);
      }
      this.syscallsBefore[i] = syscalls;
      if (ORDERED_KINDS.has(event.kind)) syscalls++;
      if (event.kind === 'marker') labels.push(event.label);
      this.phaseOf[i] = labels.length - 1;
      lists[this.placement.coreOf[event.thread]].push(i);
    });
    this.eventsOf = lists.map((list) => Int32Array.from(list));
    for (const label of labels) {
      this.phases.push({
        label,
        startClock: 0,
        endClock: 0,
        memoryCycles: 0,
        mallocCalls: 0,
        counters: {},
      });
    }
  }

  /** The phase opened by marker `label` (e.g. `run2-start`). */
  phase(label: string): PhaseReplay | undefined {
    return this.phases.find((p) => p.label === label);
  }

  /** Memory-subsystem cycles summed over threads. */
  get memoryCycles(): number {
    let sum = 0;
    for (const cycles of this.threadMemoryCycles) sum += cycles;
    return sum;
  }

  /**
   * Simulated clock by which every event up to `index` had completed: the replay's time of a
   * marker (phase boundary) at `index`.
   */
  timeAt(index: number): number {
    let latest = this.startClock;
    for (let i = 0; i <= index && i < this.doneClock.length; i++) {
      if (this.doneClock[i] > latest) latest = this.doneClock[i];
    }
    return latest;
  }

  /** The program of `core` (every core of the machine runs one; extra cores only meet). */
  *program(core: number, barrier: SimBarrier): Program {
    const { machine, events, threads } = this.options;
    if (core === 0) {
      this.startClock = machine.now(0);
      this.startCounters = machine.counters.totals();
      this.openPhase(0, this.startClock);
    }
    const threadClock = new Float64Array(threads).fill(machine.now(core));
    const threadNs = new Float64Array(threads);
    for (const i of this.eventsOf[core] ?? []) {
      const event = events[i];
      const thread = event.thread;
      threadClock[thread] += (event.timeNs - threadNs[thread]) * this.cyclesPerNs;
      threadNs[thread] = event.timeNs;
      machine.advanceTo(threadClock[thread], core);
      if (ORDERED_KINDS.has(event.kind)) {
        yield this.doneBelow < i ? waitUntil(() => this.doneBelow >= i) : undefined;
      } else if (this.syscallsDone < this.syscallsBefore[i]) {
        yield waitUntil(() => this.syscallsDone >= this.syscallsBefore[i]);
      } else yield;
      const dep = this.dependsOn[i];
      if (dep >= 0 && this.done[dep] === 0) yield waitUntil(() => this.done[dep] === 1);
      const before = machine.now(core);
      this.apply(core, event);
      const after = machine.now(core);
      this.threadMemoryCycles[thread] += after - before;
      this.phases[this.phaseOf[i]].memoryCycles += after - before;
      threadClock[thread] = after;
      if (event.kind === 'marker') this.openPhase(this.phaseOf[i], after);
      this.complete(i, after, event);
      // End the step here, so that cores waiting for this event resume at its completion time,
      // not at the time this core moves on to for its next event.
      yield;
    }
    yield barrier;
    if (core === 0) {
      this.closePhase(this.phases.length - 1, machine.now(0));
      const totals = machine.counters.totals();
      for (const [name, value] of Object.entries(totals)) {
        this.counterTotals[name] = value - (this.startCounters[name] ?? 0);
      }
      this.heap?.teardown(0);
      this.process.teardown(0);
      this.finished = true;
    }
  }

  private phaseCounters: Record<string, number> = {};
  private phaseMallocs = 0;

  private mallocCallsSoFar(): number {
    const c = this.heap?.counts;
    return c ? c.mallocCalls + c.reallocCalls + c.batchedCalls : 0;
  }

  /** Closes the phase before `index` (if any) and opens phase `index` at `clock`. */
  private openPhase(index: number, clock: number): void {
    if (index > 0) this.closePhase(index - 1, clock);
    this.phases[index].startClock = clock;
    this.phaseCounters = this.options.machine.counters.totals();
    this.phaseMallocs = this.mallocCallsSoFar();
  }

  private closePhase(index: number, clock: number): void {
    const phase = this.phases[index];
    phase.endClock = clock;
    phase.mallocCalls = this.mallocCallsSoFar() - this.phaseMallocs;
    const totals = this.options.machine.counters.totals();
    for (const [name, value] of Object.entries(totals)) {
      phase.counters[name] = value - (this.phaseCounters[name] ?? 0);
    }
  }

  private apply(core: number, event: TraceEvent): void {
    const process = this.process;
    const heap = this.heap;
    if (heap && SYSCALL_KINDS.has(event.kind)) {
      process.countAllocatorSyscall();
      return;
    }
    switch (event.kind) {
      case 'fault': {
        const write = event.access === 1 ? false : event.access === 2 ? true : undefined;
        if (heap?.fault(core, event.addr, write ?? true)) return;
        process.fault(core, event, write);
        return;
      }
      case 'alloc':
        heap?.alloc(core, event);
        return;
      case 'free':
        heap?.free(core, event);
        return;
      case 'realloc':
        heap?.realloc(core, event);
        return;
      case 'batch':
        heap?.batch(core, event);
        return;
      case 'mmap':
        process.mmap(core, event);
        return;
      case 'munmap':
        process.munmap(core, event);
        return;
      case 'mprotect':
        process.mprotect(core, event);
        return;
      case 'madvise':
        process.madvise(core, event);
        return;
      case 'mremap':
        process.mremap(core, event);
        return;
      case 'brk':
        process.brk();
        return;
      case 'marker':
        return;
    }
  }

  private complete(i: number, clock: number, event: TraceEvent): void {
    this.done[i] = 1;
    this.doneClock[i] = clock;
    if (ORDERED_KINDS.has(event.kind)) this.syscallsDone++;
    while (this.doneBelow < this.done.length && this.done[this.doneBelow] === 1) this.doneBelow++;
  }
}

/**
 * For each event, the earlier event of another thread that it must follow (-1 when none): for a
 * free or realloc, the allocating thread's last event before it (so the allocation and the
 * owner's touches of it come first); for an allocation, the free (or realloc) that last released
 * the address it returns.
 */
export function allocationDependencies(events: readonly TraceEvent[]): Int32Array {
  const deps = new Int32Array(events.length).fill(-1);
  const made = new Map<number, number>();
  const released = new Map<number, number>();
  const lastOf = new Map<number, number>();
  const follow = (i: number, j: number | undefined) => {
    if (j !== undefined && events[j].thread !== events[i].thread) deps[i] = j;
  };
  events.forEach((event, i) => {
    if (event.kind === 'alloc' && event.ptr !== 0) {
      const k = event.ptr * 4 + event.heap;
      follow(i, released.get(k));
      made.set(k, i);
    } else if (event.kind === 'free' || event.kind === 'realloc') {
      const k = event.ptr * 4 + event.heap;
      if (event.ptr !== 0) {
        const j = made.get(k);
        follow(i, j === undefined ? undefined : lastOf.get(events[j].thread));
        made.delete(k);
        released.set(k, i);
      }
      if (event.kind === 'realloc' && event.result !== 0) {
        const r = event.result * 4 + event.heap;
        if (deps[i] < 0) follow(i, released.get(r));
        made.set(r, i);
      }
    }
    lastOf.set(event.thread, i);
  });
  return deps;
}
