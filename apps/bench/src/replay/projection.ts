// Projected DuckDB query time (a projection, not a measurement): the time DuckDB measured for the
// cold run on Linux, plus how much longer (or shorter) the replay of that run took on a system
// than on the Linux model (`linux+jemalloc`). The replayed compute time is the same on every
// system, so the difference of the replayed run times is the difference of memory-subsystem time
// on the replay's critical path. Derived from the points of one result set, because every case
// is an independent simulation; without the baseline system in the set there is no projection.

import type { Point } from '../api.js';

export const PROJECTION_BASELINE = 'linux+jemalloc';
export const PROJECTED_METRIC = 'projectedColdMs';

export interface Projection {
  points: Point[];
  /** Why nothing was projected, when nothing was. */
  skipped?: string;
}

/** The projected points of every tpch case whose baseline case is in `points`. */
export function projectQueryTimes(points: readonly Point[], bench = 'tpch'): Projection {
  const replayed = points.filter((p) => p.bench === bench && p.metric === 'coldReplayMs');
  if (replayed.length === 0) return { points: [], skipped: `no ${bench} points` };
  const key = (p: Point) => `${p.cores}|${p.variant}`;
  const baseline = new Map(
    replayed.filter((p) => p.system === PROJECTION_BASELINE).map((p) => [key(p), p.value]),
  );
  if (baseline.size === 0) {
    return {
      points: [],
      skipped: `${PROJECTION_BASELINE} is not in this result set; no projected query times`,
    };
  }
  const measured = new Map(
    points
      .filter((p) => p.bench === bench && p.metric === 'coldMeasuredMs')
      .map((p) => [`${p.system}|${key(p)}`, p.value]),
  );
  const out: Point[] = [];
  for (const point of replayed) {
    const linux = baseline.get(key(point));
    const duckdb = measured.get(`${point.system}|${key(point)}`);
    if (linux === undefined || duckdb === undefined) continue;
    out.push({
      ...point,
      metric: PROJECTED_METRIC,
      value: duckdb + (point.value - linux),
      unit: 'ms (projection)',
      counters: {},
    });
  }
  return { points: out };
}

/**
 * `points` without earlier projections plus the projections they support (recomputed after a
 * merge, since the baseline and a system may come from different shards).
 */
export function withProjections(points: readonly Point[]): Projection {
  const measured = points.filter((p) => p.metric !== PROJECTED_METRIC);
  const projection = projectQueryTimes(measured);
  return { points: [...measured, ...projection.points], skipped: projection.skipped };
}
