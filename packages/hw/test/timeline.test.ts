import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusyTimeline } from '../src/index.js';

/** Brute-force reference: the earliest start >= time whose span of `duration` is free. */
function referenceFit(busy: Array<[number, number]>, time: number, duration: number): number {
  const candidates = [time, ...busy.map(([, end]) => end).filter((end) => end >= time)];
  candidates.sort((a, b) => a - b);
  const free = (s: number) =>
    busy.every(([a, b]) => (duration === 0 ? !(a <= s && s < b) : !(a < s + duration && s < b)));
  return candidates.find(free)!;
}

/**
 * The timeline as it was written first (two arrays, no shortcuts): what the current one must
 * answer exactly, forgetting included, since every simulated result depends on it.
 */
class FirstTimeline {
  private starts: number[] = [];
  private ends: number[] = [];
  private forgottenEnd = Number.NEGATIVE_INFINITY;

  constructor(private readonly capacity: number) {}

  fit(requested: number, duration: number): number {
    const time = Math.max(requested, this.forgottenEnd);
    const i = this.lastAtOrBefore(time);
    let start = i >= 0 && this.ends[i] > time ? this.ends[i] : time;
    for (let j = this.lastAtOrBefore(start) + 1; j < this.starts.length; j++) {
      if (this.starts[j] >= start + duration) break;
      start = this.ends[j];
    }
    return start;
  }

  add(start: number, end: number): void {
    if (!(end > start)) return;
    let hi = this.starts.length - 1;
    while (hi >= 0 && this.starts[hi] > end) hi--;
    let lo = hi + 1;
    while (lo > 0 && this.ends[lo - 1] >= start) lo--;
    if (lo <= hi) {
      const merged = [Math.min(start, this.starts[lo]), Math.max(end, this.ends[hi])];
      this.starts.splice(lo, hi - lo + 1, merged[0]);
      this.ends.splice(lo, hi - lo + 1, merged[1]);
      return;
    }
    let at = lo;
    if (this.starts.length === this.capacity) {
      const drop = Math.max(1, this.capacity >> 2);
      this.forgottenEnd = Math.max(this.forgottenEnd, this.ends[drop - 1]);
      if (at < drop) {
        this.forgottenEnd = Math.max(this.forgottenEnd, end);
        return;
      }
      this.starts.splice(0, drop);
      this.ends.splice(0, drop);
      at -= drop;
    }
    this.starts.splice(at, 0, start);
    this.ends.splice(at, 0, end);
  }

  intervals(): Array<[number, number]> {
    return this.starts.map((s, i): [number, number] => [s, this.ends[i]]);
  }

  private lastAtOrBefore(time: number): number {
    let i = this.starts.length - 1;
    while (i >= 0 && this.starts[i] > time) i--;
    return i;
  }
}

describe('BusyTimeline', () => {
  it('finds the same earliest free spans as a brute-force model', () => {
    const interval = fc
      .tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 100 }))
      .map(([start, length]): [number, number] => [start, start + length]);
    const query = fc.tuple(fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 0, max: 200 }));
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 40 }), fc.array(query), (busy, queries) => {
        const timeline = new BusyTimeline(64);
        for (const [start, end] of busy) timeline.add(start, end);
        // Kept intervals are sorted, disjoint and not touching.
        const kept = timeline.intervals();
        for (let i = 1; i < kept.length; i++) expect(kept[i][0]).toBeGreaterThan(kept[i - 1][1]);
        for (const [time, duration] of queries) {
          expect(timeline.fit(time, duration)).toBe(referenceFit(busy, time, duration));
          expect(timeline.freeFrom(time)).toBe(referenceFit(busy, time, 0));
        }
      }),
    );
  });

  it('answers as the first timeline did, adds and requests interleaved, forgetting included', () => {
    type Op = { add: boolean; time: number; length: number };
    const op = fc.record({
      add: fc.boolean(),
      // Mostly near the newest end, as a lock's requests land; some far back.
      time: fc.integer({ min: -60, max: 12 }),
      length: fc.integer({ min: 0, max: 30 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(1, 4, 8, 64),
        fc.array(op, { maxLength: 400 }),
        (capacity, ops: Op[]) => {
          const timeline = new BusyTimeline(capacity);
          const first = new FirstTimeline(capacity);
          let now = 0;
          for (const { add, time, length } of ops) {
            now += 4;
            const at = now + time * 4;
            if (add) {
              timeline.add(at, at + length);
              first.add(at, at + length);
              expect(timeline.intervals()).toEqual(first.intervals());
              // Requests inside and just after what was added (where a stale shortcut would err).
              for (const q of [at, at + length - 1, at + length]) {
                expect(timeline.fit(q, 1)).toBe(first.fit(q, 1));
              }
            } else {
              expect(timeline.fit(at, length)).toBe(first.fit(at, length));
              expect(timeline.freeFrom(at)).toBe(first.fit(at, 0));
            }
          }
        },
      ),
      { numRuns: 300, seed: 15 },
    );
  });

  it('merges back-to-back holds into one interval', () => {
    const timeline = new BusyTimeline(4);
    for (let i = 0; i < 100; i++) timeline.add(10 * i, 10 * i + 10);
    expect(timeline.intervals()).toEqual([[0, 1000]]);
    expect(timeline.freeFrom(500)).toBe(1000);
  });

  it('forgets the oldest intervals when full, never the newest', () => {
    const timeline = new BusyTimeline(8);
    for (let i = 0; i < 20; i++) timeline.add(10 * i, 10 * i + 5);
    expect(timeline.size).toBeLessThanOrEqual(8);
    expect(timeline.intervals().at(-1)).toEqual([190, 195]);
    expect(timeline.freeFrom(192)).toBe(195);
    expect(() => new BusyTimeline(0)).toThrow(/capacity 0/);
  });
});
