// Line events by region: which of a machine's labelled line regions (`allocLines(count, label)`)
// its misses, transfers and line waits fall on. A diagnostic, off unless switched on
// (`CacheLines.countByRegion`): a point's `lineWaitCycles` says how long its cores waited for
// lines, this says on which data structure.
//
// The events go into the machine's counters, one set per label: `lineMisses[<label>]`,
// `lineTransfers[<label>]` and `lineWaitCycles[<label>]` (regions that share a label share the
// counters). Because they are ordinary counters, a benchmark's measured phase (the difference of
// two snapshots) holds only its own events, as for the totals.
// Invariant: every miss, transfer and wait the line model counts in `lineMisses`,
// `lineTransfers` and `lineWaitCycles` is also counted in exactly one label's counter, so the
// labels' counters sum to the totals (test/line-regions.test.ts).

import type { Counters } from './counters.js';

export interface LineRegion {
  label: string;
  first: number;
  count: number;
}

/** The counter names of one label's events. */
export function lineRegionCounterNames(label: string): {
  misses: string;
  transfers: string;
  waitCycles: string;
} {
  return {
    misses: `lineMisses[${label}]`,
    transfers: `lineTransfers[${label}]`,
    waitCycles: `lineWaitCycles[${label}]`,
  };
}

export class LineRegionCounts {
  /** Counter id of the misses of each region (transfers +1, waits +2), once first used. */
  private readonly firstIdOf: number[] = [];

  constructor(
    private readonly counters: Counters,
    /** The line model's regions, in allocation order (ascending `first`). */
    private readonly regions: readonly LineRegion[],
  ) {}

  /** Counts one access by `core` to `line`: a miss or not, a transfer or not, and its wait. */
  add(core: number, line: number, missed: boolean, transferred: boolean, waitCycles: number): void {
    if (!missed && !transferred && waitCycles === 0) return;
    const id = this.idsOf(this.regionOf(line));
    if (missed) this.counters.add(core, id);
    if (transferred) this.counters.add(core, id + 1);
    if (waitCycles !== 0) this.counters.add(core, id + 2, waitCycles);
  }

  /** Index of the region holding `line` (the last one starting at or before it). */
  private regionOf(line: number): number {
    const regions = this.regions;
    let low = 0;
    let high = regions.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (regions[mid].first <= line) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  private idsOf(region: number): number {
    const known = this.firstIdOf[region];
    if (known !== undefined) return known;
    const names = lineRegionCounterNames(this.regions[region].label);
    // define gives consecutive ids to new names; a label seen before keeps its ids.
    const id = this.counters.define(names.misses);
    const transfers = this.counters.define(names.transfers);
    const waits = this.counters.define(names.waitCycles);
    if (transfers !== id + 1 || waits !== id + 2) {
      throw new Error(`line region counters of "${this.regions[region].label}" are not adjacent`);
    }
    this.firstIdOf[region] = id;
    return id;
  }
}
