// Projected DuckDB query times (a projection, not a measurement): the time DuckDB measured for a
// run on Linux, plus how much longer (or shorter) the replay of that run took on a system than on
// the Linux model (`linux+jemalloc`). Done for the warm runs (the thesis' metric: mean of runs
// 2..R) and for the cold run, each from its own replayed phase.
//
// What it adds: the replay keeps the traced compute time between each thread's memory events
// and puts the simulated memory-subsystem time (malloc, faults, syscalls, lock waits, IPIs) on
// top, so the difference of two systems' replayed run times is the difference of their memory
// time on the replay's critical path. What it cannot see: CPU work that depends on the system
// (cache and TLB effects on DuckDB's own code, which the replay only sees as memory events),
// scheduling (threads are pinned one per core; no preemption or migration), I/O (DuckDB's preads
// are not replayed), and the Linux kernel's and glibc's own costs beyond the models. The measured
// times carry the tracer's overhead and the capture machine's load. Derived from the points of
// one result set, because every case is an independent simulation; without the baseline system
// in the set there is no projection.

import type { Point } from '../api.js';

export const PROJECTION_BASELINE = 'linux+jemalloc';
export const PROJECTED_METRIC = 'projectedColdMs';
export const PROJECTED_WARM_METRIC = 'projectedWarmMs';

/** Projected metric ← (replayed metric, measured metric). */
const PROJECTIONS: ReadonlyArray<[projected: string, replayed: string, measured: string]> = [
  [PROJECTED_WARM_METRIC, 'warmReplayMs', 'warmMeasuredMs'],
  [PROJECTED_METRIC, 'coldReplayMs', 'coldMeasuredMs'],
];

export interface Projection {
  points: Point[];
  /** Why nothing was projected, when nothing was. */
  skipped?: string;
}

/** The projected points of every tpch case whose baseline case is in `points`. */
export function projectQueryTimes(points: readonly Point[], bench = 'tpch'): Projection {
  const ours = points.filter((p) => p.bench === bench);
  if (!ours.some((p) => PROJECTIONS.some(([, replayed]) => p.metric === replayed))) {
    return { points: [], skipped: `no ${bench} points` };
  }
  const key = (p: Point) => `${p.cores}|${p.variant}`;
  const out: Point[] = [];
  let baselineSeen = false;
  for (const [projected, replayedMetric, measuredMetric] of PROJECTIONS) {
    const replayed = ours.filter((p) => p.metric === replayedMetric);
    const baseline = new Map(
      replayed.filter((p) => p.system === PROJECTION_BASELINE).map((p) => [key(p), p.value]),
    );
    if (baseline.size > 0) baselineSeen = true;
    const measured = new Map(
      ours
        .filter((p) => p.metric === measuredMetric)
        .map((p) => [`${p.system}|${key(p)}`, p.value]),
    );
    for (const point of replayed) {
      const linux = baseline.get(key(point));
      const duckdb = measured.get(`${point.system}|${key(point)}`);
      if (linux === undefined || duckdb === undefined) continue;
      out.push({
        ...point,
        metric: projected,
        value: duckdb + (point.value - linux),
        unit: 'ms (projection)',
        counters: {},
      });
    }
  }
  if (!baselineSeen) {
    return {
      points: [],
      skipped: `${PROJECTION_BASELINE} is not in this result set; no projected query times`,
    };
  }
  return { points: out };
}

/**
 * `points` without earlier projections plus the projections they support (recomputed after a
 * merge, since the baseline and a system may come from different shards).
 */
export function withProjections(points: readonly Point[]): Projection {
  const measured = points.filter(
    (p) => p.metric !== PROJECTED_METRIC && p.metric !== PROJECTED_WARM_METRIC,
  );
  const projection = projectQueryTimes(measured);
  return { points: [...measured, ...projection.points], skipped: projection.skipped };
}
