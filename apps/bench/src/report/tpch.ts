// The thesis' two TPC-H figures and the counters behind them. Per query (x) and system, the warm
// query time relative to original OSv (`osv`) and relative to Linux (`linux+jemalloc`): the
// projected warm time (replay/projection.ts) when the result set has the Linux baseline, else the
// replayed warm run — the figure's note says which. A ratio below 1 is faster than the reference.
// Beside them, a table per query and system of the warm run's memory-subsystem time and the
// model's counters (malloc calls, lock wait, faults, IPIs, line transfers), so a ratio can be
// explained. Invariant: a ratio is only drawn where both the system's and the reference's point
// exist for the same query and core count.

import type { Point, ResultSet } from '../api.js';
import type { Figure, FigureSeries } from './figures.js';
import { escapeXml as esc, formatNumber } from './svg-chart.js';

const BENCH = 'tpch';
export const TPCH_REFERENCES = ['osv', 'linux+jemalloc'] as const;
const COUNTER_COLUMNS: ReadonlyArray<[metric: string, title: string]> = [
  ['warmMemoryCycles', 'memory cycles'],
  ['mallocCalls', 'malloc calls'],
  ['lockWaitCycles', 'lock wait cycles'],
  ['faults', 'faults'],
  ['ipis', 'IPIs'],
  ['lineTransfers', 'line transfers'],
];

/** The time metric the ratios use: projected warm time if any, else the replayed warm run. */
function timeMetric(points: readonly Point[]): string | undefined {
  if (points.some((p) => p.metric === 'projectedWarmMs')) return 'projectedWarmMs';
  if (points.some((p) => p.metric === 'warmReplayMs')) return 'warmReplayMs';
  return undefined;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Mean value per (system, cores, variant) of one metric (replicas joined). */
function byCase(points: readonly Point[], metric: string): Map<string, number> {
  const groups = new Map<string, number[]>();
  for (const p of points) {
    if (p.metric !== metric) continue;
    const k = `${p.system}|${p.cores}|${p.variant}`;
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(p.value);
  }
  return new Map([...groups].map(([k, v]) => [k, mean(v)]));
}

/** The two ratio figures (none when the set has no tpch warm points or no reference). */
export function tpchFigures(set: ResultSet): Figure[] {
  const points = set.points.filter((p) => p.bench === BENCH);
  const metric = timeMetric(points);
  if (!metric) return [];
  const times = byCase(points, metric);
  const variants = [...new Set(points.map((p) => String(p.variant)))].sort();
  const xLabels = Object.fromEntries(variants.map((v, i) => [i, v]));
  const keys = [
    ...new Set(points.filter((p) => p.metric === metric).map((p) => `${p.system}|${p.cores}`)),
  ];
  const figures: Figure[] = [];
  for (const reference of TPCH_REFERENCES) {
    const series: FigureSeries[] = [];
    for (const key of keys) {
      const [system, cores] = key.split('|');
      const seriesPoints = [];
      for (const [x, variant] of variants.entries()) {
        const value = times.get(`${key}|${variant}`);
        const base = times.get(`${reference}|${cores}|${variant}`);
        if (value === undefined || base === undefined || !(base > 0)) continue;
        const source = points.find(
          (p) =>
            p.metric === metric &&
            `${p.system}|${p.cores}` === key &&
            String(p.variant) === variant,
        ) as Point;
        const point: Point = {
          ...source,
          metric: `warm time / ${reference}`,
          value: value / base,
          unit: 'ratio',
        };
        seriesPoints.push({ x, y: point.value, point, replicas: [point] });
      }
      if (seriesPoints.length > 0)
        series.push({ name: `${system} (${cores} cores)`, points: seriesPoints });
    }
    if (series.length === 0) continue;
    const basis =
      metric === 'projectedWarmMs'
        ? 'projected warm query time (DuckDB measured on Linux + replayed memory-time difference)'
        : 'replayed warm run (no linux+jemalloc baseline in this set, so no projection)';
    figures.push({
      id: `tpch-relative-${reference.replace(/[^a-z0-9]/g, '-')}`,
      bench: BENCH,
      metric: `warm time / ${reference}`,
      unit: 'ratio',
      title: `tpch: warm query time relative to ${reference}`,
      kind: 'bars',
      xLabel: 'query',
      yLabel: `time / ${reference} time`,
      xs: [...variants.keys()],
      xLabels,
      series,
      note: `Per query, ${basis} of each system divided by ${reference}'s at the same core count; below 1 is faster.`,
    });
  }
  return figures;
}

/** The counters table: one row per query, system and core count (warm-run means). */
export function renderTpchCounters(set: ResultSet): string {
  const points = set.points.filter((p) => p.bench === BENCH);
  if (!points.some((p) => p.metric === 'warmMemoryCycles')) return '';
  const columns = COUNTER_COLUMNS.map(([m]) => byCase(points, m));
  const keys = [
    ...new Set(
      points
        .filter((p) => p.metric === 'warmMemoryCycles')
        .map((p) => `${p.system}|${p.cores}|${p.variant}`),
    ),
  ].sort((a, b) => {
    const [sa, ca, va] = a.split('|');
    const [sb, cb, vb] = b.split('|');
    return va.localeCompare(vb) || Number(ca) - Number(cb) || sa.localeCompare(sb);
  });
  const head = ['query', 'cores', 'system', ...COUNTER_COLUMNS.map(([, t]) => t)];
  const rows = keys.map((key) => {
    const [system, cores, variant] = key.split('|');
    const cells = columns.map((c) => {
      const v = c.get(key);
      return v === undefined ? '' : formatNumber(v);
    });
    return `<tr><td>${esc(variant)}</td><td>${cores}</td><td>${esc(system)}</td>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return [
    '<h2>TPC-H: memory subsystem per warm run</h2>',
    '<p>Mean over the warm runs (2..R) of each replayed query: cycles inside memory calls and touches, malloc calls through the preset malloc (aggregated short-lived allocations included), and the model counters.</p>',
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>`,
    ...rows,
    '</tbody></table>',
  ].join('\n');
}
