// The buffer-manager figure, in the shape of vmcache's scalability plot (Leis et al., SIGMOD
// 2023): per workload, lookups per second of the whole machine against cores, one line per system
// and back end (`osv-superblock · kernel-api`, `linux+jemalloc · posix`, …). The value is cores ×
// the `rate` metric: each core's lookups per second with the device waits overlapped (CPU cycles
// per lookup only), as a DBMS with enough I/O in flight gets. A flat line means no speed-up, a
// line with slope 1 perfect scaling. Invariant: a point is drawn only where the `rate` point of
// that system, variant and core count exists (replicas are averaged).

import type { Point, ResultSet } from '../api.js';
import type { Figure, FigureSeries } from './figures.js';

const BENCH = 'bufmgr';

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** One figure per workload of the result set's `bufmgr` points (none without them). */
export function bufmgrFigures(set: ResultSet): Figure[] {
  const points = set.points.filter((p) => p.bench === BENCH && p.metric === 'rate');
  const workloads = [...new Set(points.map((p) => String(p.variant).split('/')[0]))];
  return workloads.map((workload) => figureOf(workload, points));
}

function figureOf(workload: string, all: readonly Point[]): Figure {
  const points = all.filter((p) => String(p.variant).split('/')[0] === workload);
  const groups = new Map<string, Map<number, Point[]>>();
  for (const p of points) {
    const backend = String(p.variant).split('/')[1];
    const name = `${p.system} · ${backend}`;
    let byCores = groups.get(name);
    if (!byCores) groups.set(name, (byCores = new Map()));
    let list = byCores.get(p.cores);
    if (!list) byCores.set(p.cores, (list = []));
    list.push(p);
  }
  const series: FigureSeries[] = [...groups].map(([name, byCores]) => ({
    name,
    points: [...byCores]
      .sort(([a], [b]) => a - b)
      .map(([cores, replicas]) => ({
        x: cores,
        y: cores * mean(replicas.map((r) => r.value)),
        point: replicas[0],
        replicas,
      })),
  }));
  const xs = [...new Set(points.map((p) => p.cores))].sort((a, b) => a - b);
  return {
    id: `bufmgr-scalability-${workload}`.replace(/[^a-zA-Z0-9_-]/g, '-'),
    bench: BENCH,
    metric: 'throughput',
    unit: 'Mlookups/s',
    title: `bufmgr: lookups per second, all cores, ${workload}`,
    kind: 'lines',
    xLabel: 'cores',
    yLabel: 'Mlookups/s (all cores)',
    xs,
    series,
    note: 'cores × rate: CPU time per lookup only (device waits overlapped, as with enough I/O in flight); higher is better, slope 1 is perfect scaling',
  };
}
