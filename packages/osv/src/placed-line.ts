// A shared line whose locked RMWs are ordered in simulated time, as the simulated locks order
// their holds (hw timeline.ts), rather than in scheduler-step order. The L2 stack's heads need
// this: one operation may push or pop several batches (an L1 worker refill, a refill under a
// contended mutex that took long), and with plain lines every core processed after it would
// wait for the head's busy-until at the END of that operation, not for the access it races
// with. Here an RMW waits only for RMWs that
// overlap it in simulated time (a gap before a later-recorded one is used if it fits), then pays
// the cost CacheLines decides (rmwPlaced: transfer, ownership, counters). Its wait is the
// machine's line wait on this line (CacheLines.countWait). Plain loads of the line go through CacheLines.read as usual.

import { BusyTimeline, type Machine } from '@unimem/hw';

export class PlacedLine {
  readonly line: number;
  private readonly timeline = new BusyTimeline();

  constructor(
    private readonly machine: Machine,
    label: string,
  ) {
    this.line = machine.lines.allocLines(1, label);
  }

  read(): void {
    this.machine.lines.read(this.line);
  }

  /** A locked RMW by the current core at its clock, placed on the line's timeline. */
  rmw(): void {
    const machine = this.machine;
    const core = machine.current;
    const clocks = machine.clocks;
    const arrival = clocks[core];
    const free = this.timeline.freeFrom(arrival);
    clocks[core] = free;
    machine.lines.rmwPlaced(this.line);
    const length = clocks[core] - free;
    const start = this.timeline.fit(free, length);
    if (start > free) clocks[core] += start - free;
    this.timeline.add(start, start + length);
    if (start > arrival) machine.lines.countWait(core, this.line, start - arrival);
  }
}
