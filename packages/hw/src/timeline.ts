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
// exclusive however many cores queue on it). While any interval is kept, the newest one ends no
// earlier than the forgotten ones (what is forgotten is older than what is kept at that moment,
// and ends only grow). Storage is allocated at the first interval, starts small and doubles up to
// `capacity` (a machine may hold tens of thousands of locks, one per VMA, most of them touched
// once, and some timelines of a lock are never used).
// Interval i is stored as the pair (start, end) at 2i, 2i + 1 of one array: a lookup touches one
// host cache line where separate start and end arrays touched two (a sweep has many locks, each
// cold in the host's cache when the next core reaches it).

/**
 * Intervals a timeline has room for once it first allocates its storage: 64 bytes, the most V8
 * keeps on its heap (larger typed arrays get an external backing store, slower to allocate and
 * to collect).
 */
const INITIAL_ROOM = 4;
/** The storage of every timeline that has never held an interval. */
const NO_SPANS = new Float64Array(0);

export class BusyTimeline {
  /** start of interval i at 2i, its end at 2i + 1. */
  private spans: Float64Array;
  private count = 0;
  /** End of the latest forgotten interval: nothing can be placed before it. */
  private forgottenEnd = Number.NEGATIVE_INFINITY;

  constructor(readonly capacity = 64) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`timeline capacity ${capacity} must be a positive integer`);
    }
    this.spans = NO_SPANS;
  }

  /** Number of busy intervals kept. */
  get size(): number {
    return this.count;
  }

  /** The kept intervals as [start, end) pairs, oldest first (for tests and debugging). */
  intervals(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.count; i++) out.push([this.spans[2 * i], this.spans[2 * i + 1]]);
    return out;
  }

  /** The earliest time at or after `time` that is not inside a busy interval. */
  freeFrom(requested: number): number {
    const time = Math.max(requested, this.forgottenEnd);
    const i = this.lastStartingAtOrBefore(time);
    return i >= 0 && this.spans[2 * i + 1] > time ? this.spans[2 * i + 1] : time;
  }

  /** The earliest start at or after `time` such that [start, start + duration) is all free. */
  fit(time: number, duration: number): number {
    const count = this.count;
    const spans = this.spans;
    // Common case: at or after the end of every kept interval (nothing to skip, any duration
    // fits). The forgotten ones end no later than the newest kept one (header), so `time` is
    // after them too and `forgottenEnd` (a boxed double: one more host cache miss on a cold lock)
    // is not read.
    if (count > 0 && time >= spans[2 * count - 1]) return time;
    const t = Math.max(time, this.forgottenEnd);
    if (count === 0) return t;
    let i = this.lastStartingAtOrBefore(t);
    let start = t;
    if (i >= 0 && spans[2 * i + 1] > t) {
      start = spans[2 * i + 1];
      i = this.lastStartingAtOrBefore(start);
    }
    // `start` is free, so every interval from here on begins after it.
    for (let j = i + 1; j < count; j++) {
      if (spans[2 * j] >= start + duration) break;
      start = spans[2 * j + 1];
    }
    return start;
  }

  /** Marks [start, end) busy, merging it with the intervals it overlaps or touches. */
  add(start: number, end: number): void {
    if (!(end > start)) return;
    const spans = this.spans;
    const last = this.count - 1;
    if (last < 0 || start > spans[2 * last + 1]) {
      this.insertAt(this.count, start, end);
      return;
    }
    if (start >= spans[2 * last]) {
      // Overlaps or touches the newest interval: the common case of back-to-back holds.
      if (end > spans[2 * last + 1]) spans[2 * last + 1] = end;
      return;
    }
    // Last interval that starts at or before `end`, first one that ends at or after `start`
    // (both scans from the newest end, where requests usually land).
    let hi = last;
    while (hi >= 0 && spans[2 * hi] > end) hi--;
    let lo = hi + 1;
    while (lo > 0 && spans[2 * lo - 1] >= start) lo--;
    if (lo > hi) {
      this.insertAt(lo, start, end);
      return;
    }
    spans[2 * lo] = Math.min(start, spans[2 * lo]);
    spans[2 * lo + 1] = Math.max(end, spans[2 * hi + 1]);
    const removed = hi - lo;
    if (removed > 0) {
      spans.copyWithin(2 * (lo + 1), 2 * (hi + 1), 2 * this.count);
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
      this.forgottenEnd = Math.max(this.forgottenEnd, this.spans[2 * drop - 1]);
      if (at < drop) {
        this.forgottenEnd = Math.max(this.forgottenEnd, end);
        return;
      }
      this.spans.copyWithin(0, 2 * drop, 2 * this.count);
      this.count -= drop;
      at -= drop;
    } else if (2 * this.count === this.spans.length) {
      this.grow();
    }
    const spans = this.spans;
    if (at < this.count) spans.copyWithin(2 * (at + 1), 2 * at, 2 * this.count);
    spans[2 * at] = start;
    spans[2 * at + 1] = end;
    this.count++;
  }

  /**
   * Allocates the storage (INITIAL_ROOM intervals) or doubles it (up to `capacity` intervals);
   * the kept intervals stay where they are.
   */
  private grow(): void {
    const rooms = this.spans.length === 0 ? INITIAL_ROOM : this.spans.length; // 2 × current room
    const spans = new Float64Array(2 * Math.min(this.capacity, rooms));
    spans.set(this.spans);
    this.spans = spans;
  }

  /** Index of the last interval whose start is <= time, or -1. */
  private lastStartingAtOrBefore(time: number): number {
    const spans = this.spans;
    let lo = 0;
    let hi = this.count - 1;
    // Common case: requests arrive near the end of the timeline.
    if (hi < 0 || spans[0] > time) return -1;
    if (spans[2 * hi] <= time) return hi;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (spans[2 * mid] <= time) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
