// One core's handle on the machine: the way a component that is told `core` charges it. Through
// the handle of core k a component reads and advances k's clock, adds to k's counters and makes
// line accesses as k, whichever core the scheduler is running. The machine makes one handle per
// core once (`machine.core(k)`), so using a handle allocates nothing.
//
// Binding. Code that has no core parameter charges the machine's bound core (`machine.current`):
// code over AtomicWords (LLFree, superblock claiming: TracedWords) and components handed a
// LineTracer (trees, lists, extents: `machine.lines`). The scheduler binds the core whose step
// runs; a component called on behalf of core k that reaches such code binds k for the call with
// `bind`/`unbind`, always as
//   const outer = handle.bind();
//   try { ... } finally { handle.unbind(outer); }
// Invariant: bindings nest; after every call the bound core is the one bound before it, even when
// the call throws (the finally), and `unbind` throws if another binding was left open inside.

import type { Machine } from './machine.js';

export class CoreHandle {
  private readonly clocks: Float64Array;

  constructor(
    private readonly machine: Machine,
    readonly core: number,
  ) {
    this.clocks = machine.clocks;
  }

  /** This core's clock in cycles. */
  now(): number {
    return this.clocks[this.core];
  }

  /** Advances this core's clock by `cycles`. */
  charge(cycles: number): void {
    this.clocks[this.core] += cycles;
  }

  /** Moves this core's clock forward to `time` if it is behind. */
  advanceTo(time: number): void {
    if (this.clocks[this.core] < time) this.clocks[this.core] = time;
  }

  /** Adds `amount` to this core's counter `id` (an id from `machine.counters.define`). */
  count(id: number, amount = 1): void {
    this.machine.counters.add(this.core, id, amount);
  }

  /** A load from `line` by this core (lines.ts decides the cost). */
  read(line: number): void {
    this.machine.lines.readBy(this.core, line);
  }

  /** A plain store to `line` by this core, placed on the line's timeline. */
  write(line: number): void {
    this.machine.lines.writeBy(this.core, line);
  }

  /** A locked read-modify-write of `line` by this core, placed on the line's timeline. */
  rmw(line: number): void {
    this.machine.lines.rmwBy(this.core, line);
  }

  /** A store by this core whose place in simulated time the caller decides (the locks). */
  writePlaced(line: number): void {
    this.machine.lines.writePlacedBy(this.core, line);
  }

  /** A locked RMW by this core placed by the caller (the locks). */
  rmwPlaced(line: number): void {
    this.machine.lines.rmwPlacedBy(this.core, line);
  }

  /**
   * Makes this core the bound core (the one code without a core parameter charges) and returns
   * the core bound before, for `unbind` in a finally block (see the header).
   */
  bind(): number {
    const outer = this.machine.current;
    this.machine.current = this.core;
    return outer;
  }

  /** Ends this core's binding begun by `bind`, binding `outer` again. */
  unbind(outer: number): void {
    const machine = this.machine;
    if (machine.current !== this.core) {
      throw new Error(
        `core binding left unbalanced: core ${machine.current} is bound where core ${this.core} was`,
      );
    }
    machine.current = outer;
  }
}
