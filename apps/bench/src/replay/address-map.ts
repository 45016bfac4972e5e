// Translation from the traced process' addresses to the simulated system's: a sorted list of
// disjoint segments [start, end) of traced address space, each backed by the simulated range
// starting at `simStart` (same length, same offsets) with the protection the trace last gave it.
// A partial munmap or mprotect splits segments at its edges, so every traced range maps to whole
// segments. Invariant: segments are sorted by start and never overlap.

export interface Segment {
  start: number;
  end: number;
  simStart: number;
  prot: number;
}

export class AddressMap {
  private readonly segments: Segment[] = [];

  get size(): number {
    return this.segments.length;
  }

  /** Every segment in address order (a copy). */
  all(): Segment[] {
    return this.segments.slice();
  }

  /** The segment containing `addr`, if any. */
  find(addr: number): Segment | undefined {
    const i = this.indexAfter(addr) - 1;
    const segment = this.segments[i];
    return segment && addr < segment.end ? segment : undefined;
  }

  /** Adds a segment; the caller has removed whatever overlapped it. */
  insert(segment: Segment): void {
    if (this.overlapping(segment.start, segment.end).length > 0) {
      throw new RangeError(
        `segment 0x${segment.start.toString(16)}..0x${segment.end.toString(16)} overlaps a mapped one`,
      );
    }
    this.segments.splice(this.indexAfter(segment.start), 0, segment);
  }

  /**
   * The segments intersecting [start, end), after splitting those that straddle either edge, so
   * each returned segment lies inside the range.
   */
  overlapping(start: number, end: number): Segment[] {
    this.splitAt(start);
    this.splitAt(end);
    const out: Segment[] = [];
    for (let i = this.indexAfter(start) - 1; i < this.segments.length; i++) {
      const segment = this.segments[i];
      if (!segment || segment.end <= start) continue;
      if (segment.start >= end) break;
      out.push(segment);
    }
    return out;
  }

  /** Removes the segments inside [start, end) (split first with `overlapping`). */
  remove(segments: readonly Segment[]): void {
    for (const segment of segments) {
      const i = this.segments.indexOf(segment);
      if (i >= 0) this.segments.splice(i, 1);
    }
  }

  /** Index of the first segment starting after `addr`. */
  private indexAfter(addr: number): number {
    let lo = 0;
    let hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid].start <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private splitAt(addr: number): void {
    const i = this.indexAfter(addr) - 1;
    const segment = this.segments[i];
    if (!segment || addr <= segment.start || addr >= segment.end) return;
    const tail: Segment = {
      start: addr,
      end: segment.end,
      simStart: segment.simStart + (addr - segment.start),
      prot: segment.prot,
    };
    segment.end = addr;
    this.segments.splice(i + 1, 0, tail);
  }
}
