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
