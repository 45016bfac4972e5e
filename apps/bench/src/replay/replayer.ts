// Replaying one traced query process on a simulated machine. Traced thread t runs on core
// t mod n, n = min(trace threads, machine cores); threads sharing a core take turns on it.
//
// Time: each thread keeps its own clock. Before an event, the thread's clock moves on by the
// trace's time since that thread's previous event (ns → cycles at the profile's frequency), and
// the core runs the event no earlier than that (later if the core is busy with another thread);
// the memory call or touch then charges the core, and the thread continues from where it ended.
// So the compute time between a thread's events is kept, memory-subsystem time is added on top,
// and threads on different cores interleave as the trace's timing says.
//
// Order: every syscall waits until all earlier events of the trace have run, and every fault
// until all earlier syscalls have, so address-space changes keep the trace's order relative to
// everything (a fault never lands in a mapping before the mmap that made it), while faults of
// different threads may overlap. Memory-subsystem cycles are the cycles spent inside the calls
// and touches, measured around each; a core's wait for ordering is not counted in them.
//
// After the last event every core meets at a barrier; core 0 then snapshots the machine's
// counters and unmaps everything still mapped (teardown, not part of the measured cycles).

import type { MemorySystem } from '@unimem/core';
import type { TraceEvent } from '@unimem/duckdb-driver/trace';
import { type Machine, type Program, type SimBarrier, waitUntil } from '@unimem/hw';
import { SimulatedProcess } from './process.js';

export interface ReplayOptions {
  machine: Machine;
  memory: MemorySystem;
  events: readonly TraceEvent[];
  /** Thread indices 0..threads-1 of the trace. */
  threads: number;
}

const SYSCALL_KINDS = new Set(['mmap', 'munmap', 'mprotect', 'madvise', 'brk', 'mremap']);

export class TraceReplay {
  readonly process: SimulatedProcess;
  /** Cores running traced threads: min(threads, machine cores). */
  readonly replayCores: number;
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
    this.replayCores = Math.min(threads, machine.cores);
    this.threadMemoryCycles = new Float64Array(threads);
    this.doneClock = new Float64Array(events.length);
    this.done = new Uint8Array(events.length);
    this.syscallsBefore = new Int32Array(events.length);
    this.cyclesPerNs = machine.profile.frequencyGhz.value;
    const lists: number[][] = Array.from({ length: this.replayCores }, () => []);
    let syscalls = 0;
    events.forEach((event, i) => {
      if (event.thread >= threads) {
        throw new RangeError(`event ${i}: thread ${event.thread} is not below ${threads}`);
      }
      this.syscallsBefore[i] = syscalls;
      if (SYSCALL_KINDS.has(event.kind)) syscalls++;
      lists[event.thread % this.replayCores].push(i);
    });
    this.eventsOf = lists.map((list) => Int32Array.from(list));
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
    }
    const threadClock = new Float64Array(threads).fill(machine.now(core));
    const threadNs = new Float64Array(threads);
    for (const i of this.eventsOf[core] ?? []) {
      const event = events[i];
      const thread = event.thread;
      threadClock[thread] += (event.timeNs - threadNs[thread]) * this.cyclesPerNs;
      threadNs[thread] = event.timeNs;
      machine.advanceTo(threadClock[thread], core);
      if (SYSCALL_KINDS.has(event.kind)) {
        yield this.doneBelow < i ? waitUntil(() => this.doneBelow >= i) : undefined;
      } else if (this.syscallsDone < this.syscallsBefore[i]) {
        yield waitUntil(() => this.syscallsDone >= this.syscallsBefore[i]);
      } else yield;
      const before = machine.now(core);
      this.apply(core, event);
      const after = machine.now(core);
      this.threadMemoryCycles[thread] += after - before;
      threadClock[thread] = after;
      this.complete(i, after, event);
      // End the step here, so that cores waiting for this event resume at its completion time,
      // not at the time this core moves on to for its next event.
      yield;
    }
    yield barrier;
    if (core === 0) {
      const totals = machine.counters.totals();
      for (const [name, value] of Object.entries(totals)) {
        this.counterTotals[name] = value - (this.startCounters[name] ?? 0);
      }
      this.process.teardown(0);
      this.finished = true;
    }
  }

  private apply(core: number, event: TraceEvent): void {
    const process = this.process;
    switch (event.kind) {
      case 'fault':
        process.fault(core, event);
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
    if (SYSCALL_KINDS.has(event.kind)) this.syscallsDone++;
    while (this.doneBelow < this.done.length && this.done[this.doneBelow] === 1) this.doneBelow++;
  }
}
