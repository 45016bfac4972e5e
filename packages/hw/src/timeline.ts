// The busy periods of one resource in simulated time (a lock's holds, its line's accesses), as a
// short sorted list of disjoint half-open intervals. The scheduler runs each operation to
// completion, so an operation that started later may reach a lock at an earlier simulated time than
// a hold another operation already recorded (the other one reached it late in a long step).
// A timeline lets the late-processed request use the gap before that hold if its whole span fits
// (`fit`), and wait for the hold's end if it does not — which is "wait for the previous holder's
// release" in simulated time rather than in processing order. Locks place a hold only when its
// length is known (at the release, locks/exclusive.ts), so a recorded span never overruns into
// the next one. Invariant: intervals are sorted, disjoint and not touching (touching ones are
// merged). Only the latest intervals are kept (when `capacity` is reached the oldest quarter is
// forgotten); a request earlier than the end of the forgotten ones is treated as arriving at that
// end, so forgetting can only add waiting, never let two holds overlap (a lock stays mutually
// exclusive however many cores queue on it). Storage starts small and doubles up to `capacity`
// (a machine may hold tens of thousands of locks, one per VMA, most of them touched once).

/** Intervals a new timeline has room for before it first grows its storage. */
const INITIAL_ROOM = 4;

export class BusyTimeline {
  private starts: Float64Array;
  private ends: Float64Array;
  private count = 0;
  /** End of the latest forgotten interval: nothing can be placed before it. */
  private forgottenEnd = Number.NEGATIVE_INFINITY;

  constructor(readonly capacity = 64) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`timeline capacity ${capacity} must be a positive integer`);
    }
    const room = Math.min(capacity, INITIAL_ROOM);
    this.starts = new Float64Array(room);
    this.ends = new Float64Array(room);
  }

  /** Number of busy intervals kept. */
  get size(): number {
    return this.count;
  }

  /** The kept intervals as [start, end) pairs, oldest first (for tests and debugging). */
  intervals(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.count; i++) out.push([this.starts[i], this.ends[i]]);
    return out;
  }

  /** The earliest time at or after `time` that is not inside a busy interval. */
  freeFrom(requested: number): number {
    const time = Math.max(requested, this.forgottenEnd);
    const i = this.lastStartingAtOrBefore(time);
    return i >= 0 && this.ends[i] > time ? this.ends[i] : time;
  }

  /** The earliest start at or after `time` such that [start, start + duration) is all free. */
  fit(time: number, duration: number): number {
    const t = Math.max(time, this.forgottenEnd);
    const count = this.count;
    const ends = this.ends;
    // Common case: at or after the end of every kept interval (nothing to skip, any duration fits).
    if (count === 0 || t >= ends[count - 1]) return t;
    const starts = this.starts;
    let i = this.lastStartingAtOrBefore(t);
    let start = t;
    if (i >= 0 && ends[i] > t) {
      start = ends[i];
      i = this.lastStartingAtOrBefore(start);
    }
    // `start` is free, so every interval from here on begins after it.
    for (let j = i + 1; j < count; j++) {
      if (starts[j] >= start + duration) break;
      start = ends[j];
    }
    return start;
  }

  /** Marks [start, end) busy, merging it with the intervals it overlaps or touches. */
  add(start: number, end: number): void {
    if (!(end > start)) return;
    const starts = this.starts;
    const ends = this.ends;
    const last = this.count - 1;
    if (last < 0 || start > ends[last]) {
      this.insertAt(this.count, start, end);
      return;
    }
    if (start >= starts[last]) {
      // Overlaps or touches the newest interval: the common case of back-to-back holds.
      if (end > ends[last]) ends[last] = end;
      return;
    }
    // Last interval that starts at or before `end`, first one that ends at or after `start`
    // (both scans from the newest end, where requests usually land).
    let hi = last;
    while (hi >= 0 && starts[hi] > end) hi--;
    let lo = hi + 1;
    while (lo > 0 && ends[lo - 1] >= start) lo--;
    if (lo > hi) {
      this.insertAt(lo, start, end);
      return;
    }
    starts[lo] = Math.min(start, starts[lo]);
    ends[lo] = Math.max(end, ends[hi]);
    const removed = hi - lo;
    if (removed > 0) {
      starts.copyWithin(lo + 1, hi + 1, this.count);
      ends.copyWithin(lo + 1, hi + 1, this.count);
      this.count -= removed;
    }
  }

  /** Forgets every interval. */
  clear(): void {
    this.count = 0;
    this.forgottenEnd = Number.NEGATIVE_INFINITY;
  }

  private insertAt(index: number, start: number, end: number): void {
    let at = index;
    if (this.count === this.capacity) {
      // Full: forget the oldest quarter at once (amortised O(1) per insert). An interval older
      // than everything kept is forgotten too.
      const drop = Math.max(1, this.capacity >> 2);
      this.forgottenEnd = Math.max(this.forgottenEnd, this.ends[drop - 1]);
      if (at < drop) {
        this.forgottenEnd = Math.max(this.forgottenEnd, end);
        return;
      }
      this.starts.copyWithin(0, drop, this.count);
      this.ends.copyWithin(0, drop, this.count);
      this.count -= drop;
      at -= drop;
    } else if (this.count === this.starts.length) {
      this.grow();
    }
    if (at < this.count) {
      this.starts.copyWithin(at + 1, at, this.count);
      this.ends.copyWithin(at + 1, at, this.count);
    }
    this.starts[at] = start;
    this.ends[at] = end;
    this.count++;
  }

  /** Doubles the storage (up to `capacity`); the kept intervals stay where they are. */
  private grow(): void {
    const room = Math.min(this.capacity, 2 * this.starts.length);
    const starts = new Float64Array(room);
    const ends = new Float64Array(room);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }

  /** Index of the last interval whose start is <= time, or -1. */
  private lastStartingAtOrBefore(time: number): number {
    let lo = 0;
    let hi = this.count - 1;
    // Common case: requests arrive near the end of the timeline.
    if (hi < 0 || this.starts[0] > time) return -1;
    if (this.starts[hi] <= time) return hi;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= time) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
