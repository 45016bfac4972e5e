// The ranking comparison behind scripts/ranking-check.ts: a quick run may blur a difference of the
// full run into a tie, but reversing a clear order is a flip; replicas are averaged first.

import { describe, expect, it } from 'vitest';
import type { Point } from '../src/api.js';
import {
  comparableVariants,
  compareRankings,
  meanPoints,
  type RankedPoint,
} from '../src/results/ranking.js';

function point(
  system: string,
  cores: number,
  value: number,
  seed = 1,
  variant: string | number | null = null,
): Point {
  return {
    bench: 'random',
    system,
    cores,
    metric: 'free',
    value,
    unit: 'cycles/op',
    counters: {},
    ops: 1,
    order: null,
    variant,
    seed,
    params: {},
    case: 0,
  };
}

describe('compareRankings', () => {
  it('finds the quick-scale flip of upstream OSv random free at 64 cores', () => {
    // The issue's example: ~100 cycles at quick scale, ~103,000 at the thesis' size.
    const full = [point('osv', 64, 103_000), point('osv-superblock', 64, 900)];
    const quick = [point('osv', 64, 100), point('osv-superblock', 64, 700)];
    const result = compareRankings(full, quick);
    expect(result.groups).toBe(1);
    expect(result.flips).toHaveLength(1);
    expect(result.flips[0]).toMatchObject({ lower: 'osv-superblock', higher: 'osv', cores: 64 });
  });

  it('a tie in either run is not a flip; the same order is not a flip', () => {
    const full = [point('a', 1, 100), point('b', 1, 200), point('c', 1, 300)];
    const quick = [point('a', 1, 105), point('b', 1, 100), point('c', 1, 500)];
    expect(compareRankings(full, quick).flips).toEqual([]);
    expect(compareRankings(full, quick).pairs).toBe(3);
  });

  it('averages replicas before ordering', () => {
    const full = [point('a', 16, 100), point('b', 16, 200)];
    const quick = [point('a', 16, 300, 1), point('a', 16, 50, 2), point('b', 16, 200)];
    // a's mean is 175 (< 200 by 12.5 %): same order as the full run.
    expect(compareRankings(full, quick).flips).toEqual([]);
    expect(compareRankings(full, [point('a', 16, 300), point('b', 16, 200)]).flips).toHaveLength(1);
  });

  it('rejects a tolerance outside [0, 1)', () => {
    expect(() => compareRankings([], [], 1)).toThrow(/tolerance 1/);
  });
});

describe('meanPoints (the form a stored reference keeps)', () => {
  const key = (p: RankedPoint) => `${p.system} ${p.cores} ${p.variant}`;
  const byKey = (points: RankedPoint[]) =>
    Object.fromEntries(points.map((p) => [key(p), p.value] as const));

  it('averages the seeds of one group and system, and nothing else', () => {
    const points = [
      // Three seeds of a at 1 core: the mean is 300 (first 100, last 600, median 200, sum 900).
      point('a', 1, 100, 1),
      point('a', 1, 600, 2),
      point('a', 1, 200, 3),
      // Another core count and another system are groups of their own.
      point('a', 16, 40, 1),
      point('a', 16, 60, 2),
      point('b', 1, 7, 1),
      point('b', 1, 9, 2),
    ];
    const means = meanPoints(points);
    expect(means).toHaveLength(3);
    expect(byKey(means)).toEqual({ 'a 1 null': 300, 'a 16 null': 50, 'b 1 null': 8 });
  });

  it('keeps variants apart and keeps the fields of the group', () => {
    const means = meanPoints([
      point('a', 4, 10, 1, 256),
      point('a', 4, 30, 2, 256),
      point('a', 4, 1000, 1, 4096),
    ]);
    expect(byKey(means)).toEqual({ 'a 4 256': 20, 'a 4 4096': 1000 });
    const [first] = means.filter((p) => p.variant === 256);
    expect(first).toEqual({
      bench: 'random',
      metric: 'free',
      variant: 256,
      cores: 4,
      system: 'a',
      value: 20,
    });
  });

  it('divides by the replicas a system has: a missing seed is not a zero', () => {
    // b lost its second seed (a failed case): its mean is its one value, not (90 + 0) / 2.
    const means = meanPoints([point('a', 64, 10, 1), point('a', 64, 30, 2), point('b', 64, 90, 1)]);
    expect(byKey(means)).toEqual({ 'a 64 null': 20, 'b 64 null': 90 });
    expect(meanPoints([])).toEqual([]);
  });
});

describe('comparableVariants (what a full-size reference is made of)', () => {
  it("keeps the quick run's variants when the full sizes have more", () => {
    const queries = Array.from({ length: 22 }, (_, i) => `q${String(i + 1).padStart(2, '0')}`);
    expect(comparableVariants(['q01', 'q06', 'q09', 'q18'], queries)).toEqual([
      'q01',
      'q06',
      'q09',
      'q18',
    ]);
    // A quick variant the full run lacks cannot be compared: it is left out.
    expect(comparableVariants(['zipf', 'scan', 'only-quick'], ['uniform', 'zipf', 'scan'])).toEqual(
      ['zipf', 'scan'],
    );
  });

  it('keeps every variant when the full sizes have no other', () => {
    expect(comparableVariants(['4096', '400'], ['4096', '400'])).toBeUndefined();
    expect(comparableVariants([], [])).toBeUndefined();
  });
});
