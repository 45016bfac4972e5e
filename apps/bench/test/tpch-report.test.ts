// The TPC-H report: ratio figures relative to osv and to linux+jemalloc per query, from the
// projected warm times, and the counters table per query and system.
import { describe, expect, it } from 'vitest';
import type { Point, ResultSet } from '../src/api.js';
import { renderTpchCounters, tpchFigures } from '../src/report/tpch.js';

function point(system: string, variant: string, metric: string, value: number): Point {
  return {
    bench: 'tpch',
    system,
    cores: 64,
    metric,
    value,
    unit: 'ms',
    counters: {},
    ops: 1,
    order: null,
    variant,
    seed: 1,
    params: {},
    case: 0,
  };
}

function set(points: Point[]): ResultSet {
  return { points, meta: {} } as unknown as ResultSet;
}

describe('tpch report', () => {
  const points = [
    point('osv', 'q01', 'projectedWarmMs', 20),
    point('linux+jemalloc', 'q01', 'projectedWarmMs', 10),
    point('osv-superblock+jemalloc', 'q01', 'projectedWarmMs', 12),
    point('osv', 'q06', 'projectedWarmMs', 8),
    point('linux+jemalloc', 'q06', 'projectedWarmMs', 4),
    point('osv', 'q01', 'warmMemoryCycles', 5e6),
    point('osv', 'q01', 'lockWaitCycles', 1e6),
  ];

  it('draws each system relative to osv and to linux+jemalloc, per query', () => {
    const figures = tpchFigures(set(points));
    expect(figures.map((f) => f.title)).toEqual([
      'tpch: warm query time relative to osv',
      'tpch: warm query time relative to linux+jemalloc',
    ]);
    const ratios = (i: number) =>
      Object.fromEntries(
        figures[i].series.map((s) => [
          s.name,
          s.points.map((p) => [figures[i].xLabels![p.x], p.y]),
        ]),
      );
    expect(ratios(0)).toEqual({
      'osv (64 cores)': [
        ['q01', 1],
        ['q06', 1],
      ],
      'linux+jemalloc (64 cores)': [
        ['q01', 0.5],
        ['q06', 0.5],
      ],
      'osv-superblock+jemalloc (64 cores)': [['q01', 0.6]],
    });
    expect(ratios(1)['osv (64 cores)']).toEqual([
      ['q01', 2],
      ['q06', 2],
    ]);
  });

  it('falls back to the replayed warm run without projections, and says so', () => {
    const figures = tpchFigures(
      set([point('osv', 'q01', 'warmReplayMs', 9), point('osv-llfree', 'q01', 'warmReplayMs', 3)]),
    );
    expect(figures).toHaveLength(1);
    expect(figures[0].note).toMatch(/replayed warm run/);
    expect(figures[0].series.map((s) => s.points[0].y)).toEqual([1, 1 / 3]);
  });

  it('tabulates the warm-run counters per query and system', () => {
    const html = renderTpchCounters(set(points));
    expect(html).toMatch(
      /<td>q01<\/td><td>64<\/td><td>osv<\/td><td>5[^<]*<\/td><td><\/td><td>1[^<]*<\/td>/,
    );
    expect(renderTpchCounters(set([]))).toBe('');
  });
});
