// `_free_huge` of page_range_allocator: the free ranges of at least 2^16 pages (256 MiB), a
// bi::multiset ordered by size, from which alloc() takes the largest (worst fit). The model keeps
// the ranges in a typed array sorted by (size, first frame) — huge ranges are disjoint and at
// least 2^16 pages each, so there are at most frames / 2^16 of them and a shift on insert is
// cheap. Invariant: `ranges[0..count)` is sorted and holds exactly the free huge ranges.
//
// Lines: OSv's red-black tree compares along a root-to-leaf path (about log2 n nodes, each a
// range header); the model charges the headers its binary search probes, writes the node and
// one neighbour on insert (link and recolour), both neighbours on erase, and the tree header when
// the leftmost or rightmost node changes.

import type { PagedColumn } from './paged-records.js';
import type { RangeLines } from './range-lines.js';

/** Smallest huge range in pages (2^page_ranges_max_order). */
export const HUGE_PAGES = 2 ** 16;

export class HugeSet {
  private readonly ranges: Int32Array;
  count = 0;

  constructor(
    frames: number,
    private readonly size: PagedColumn,
    private readonly lines: RangeLines,
  ) {
    this.ranges = new Int32Array(Math.floor(frames / HUGE_PAGES) + 1);
  }

  /** The i-th range in ascending size order (OSv's iteration order in for_each). */
  at(i: number): number {
    return this.ranges[i];
  }

  /** The largest range (rbegin), or -1 when empty. Charges the tree header's rightmost link. */
  largest(): number {
    this.lines.hugeHeader(false);
    return this.count === 0 ? -1 : this.ranges[this.count - 1];
  }

  insert(range: number): void {
    const at = this.search(range, true);
    const ranges = this.ranges;
    ranges.copyWithin(at + 1, at, this.count);
    ranges[at] = range;
    this.count++;
    const lines = this.lines;
    lines.header(range, true);
    if (this.count > 1) lines.header(ranges[at === 0 ? 1 : at - 1], true);
    if (at === 0 || at === this.count - 1) lines.hugeHeader(true);
  }

  /** Removes `range`, whose size must still be the size it was inserted with. */
  erase(range: number): void {
    const at = this.search(range, false);
    const ranges = this.ranges;
    if (at >= this.count || ranges[at] !== range) {
      throw new Error(`huge range ${range} is not in the set (model invariant broken)`);
    }
    const lines = this.lines;
    lines.header(range, false);
    if (at > 0) lines.header(ranges[at - 1], true);
    if (at < this.count - 1) lines.header(ranges[at + 1], true);
    if (at === 0 || at === this.count - 1) lines.hugeHeader(true);
    ranges.copyWithin(at, at + 1, this.count);
    this.count--;
  }

  /**
   * Position of `range` by (size, first frame): the first entry not less than it. Charges the
   * header of every probed entry (the tree path); `forInsert` also reads the tree header (root).
   */
  private search(range: number, forInsert: boolean): number {
    const lines = this.lines;
    if (forInsert) lines.hugeHeader(false);
    const size = this.size.get(range);
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.ranges[mid];
      lines.header(other, false);
      const otherSize = this.size.get(other);
      if (otherSize < size || (otherSize === size && other < range)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
