// A set of disjoint half-open byte ranges [start, end), kept sorted, for tracking how much
// address space is mapped while a trace is replayed in `inspect`. add/remove return the change in
// covered bytes, so overlapping mmaps (MAP_FIXED over an existing mapping) are never counted twice.

export class IntervalSet {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private coveredBytes = 0;

  get bytes(): number {
    return this.coveredBytes;
  }

  /** Adds [start, end); returns the bytes newly covered. */
  add(start: number, end: number): number {
    if (end <= start) return 0;
    const removed = this.cut(start, end);
    let i = this.lowerBound(start);
    this.starts.splice(i, 0, start);
    this.ends.splice(i, 0, end);
    this.coveredBytes += end - start;
    // merge with neighbours that touch
    if (i > 0 && this.ends[i - 1] === start) {
      this.ends[i - 1] = end;
      this.starts.splice(i, 1);
      this.ends.splice(i, 1);
      i--;
    }
    if (i + 1 < this.starts.length && this.starts[i + 1] === this.ends[i]) {
      this.ends[i] = this.ends[i + 1];
      this.starts.splice(i + 1, 1);
      this.ends.splice(i + 1, 1);
    }
    return end - start - removed;
  }

  /** Removes [start, end); returns the bytes no longer covered. */
  remove(start: number, end: number): number {
    if (end <= start) return 0;
    return this.cut(start, end);
  }

  /** Removes the part of every range inside [start, end); returns the bytes removed. */
  private cut(start: number, end: number): number {
    let removed = 0;
    let i = Math.max(0, this.lowerBound(start) - 1);
    while (i < this.starts.length && this.starts[i] < end) {
      const s = this.starts[i];
      const e = this.ends[i];
      if (e <= start) {
        i++;
        continue;
      }
      removed += Math.min(e, end) - Math.max(s, start);
      const pieces: Array<[number, number]> = [];
      if (s < start) pieces.push([s, start]);
      if (e > end) pieces.push([end, e]);
      this.starts.splice(i, 1, ...pieces.map((p) => p[0]));
      this.ends.splice(i, 1, ...pieces.map((p) => p[1]));
      i += pieces.length;
    }
    this.coveredBytes -= removed;
    return removed;
  }

  /** First index whose start is >= value. */
  private lowerBound(value: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
