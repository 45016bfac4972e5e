// The ranking comparison behind scripts/ranking-check.ts: a quick run may blur a difference of the
// full run into a tie, but reversing a clear order is a flip; replicas are averaged first.

import { describe, expect, it } from 'vitest';
import type { Point } from '../src/api.js';
import { compareRankings } from '../src/results/ranking.js';

function point(system: string, cores: number, value: number, seed = 1): Point {
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
    variant: null,
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
