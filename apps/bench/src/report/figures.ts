// From points to figures: one figure per benchmark and metric (cycles/op against cores, one line
// per system), or against the variant for benchmarks whose x axis is a variant (one line per
// system and core count). A benchmark may ask (ChartOptions, recorded in the sweep) for one
// figure per variant — the thesis draws one figure per allocation size — and for bars instead of
// lines (boot time). Figures and series come out in the order of the sweep, so the same result
// set always gives the same report. Replicas of a point (`--seeds`, `--iterations`) join into one:
// y is their mean, `spread` their min, max and standard deviation, and the counters their mean.

import type { ChartOptions, Point, ResultSet, Variant } from '../api.js';
import { bufmgrFigures } from './bufmgr.js';
import { formatNumber } from './svg-chart.js';
import { tpchFigures } from './tpch.js';

/** How the replicas of one point spread (absent for a single run). */
export interface Spread {
  /** Replicas (seeds × iterations). */
  n: number;
  min: number;
  max: number;
  /** Sample standard deviation (n − 1). */
  sd: number;
}

export interface FigurePoint {
  x: number;
  /** The mean over the replicas. */
  y: number;
  /** The point (several replicas: their mean value and mean counters). */
  point: Point;
  spread?: Spread;
  replicas: Point[];
}

export interface FigureSeries {
  name: string;
  points: FigurePoint[];
}

export interface Figure {
  id: string;
  bench: string;
  metric: string;
  unit: string;
  title: string;
  /** Lines (default) or grouped bars. */
  kind: 'lines' | 'bars';
  /** The benchmark's choice of x scale, if it made one. */
  logX?: boolean;
  xLabel: string;
  yLabel: string;
  /** Values of x in ascending order (columns of the summary table). */
  xs: number[];
  /** Names of categorical x values (a string variant such as a query: x is its index). */
  xLabels?: Record<number, string>;
  series: FigureSeries[];
  /** Set when every system gave the same values: the series were joined into one. */
  shared?: string;
  /** A note on how to read the figure (e.g. why values can be negative). */
  note?: string;
}

interface Axis {
  /** The variant on the x axis, if not cores. */
  variant?: string;
  chart: ChartOptions;
}

/** The x axis and chart options of a benchmark as recorded in the sweep. */
function axisOf(set: ResultSet, bench: string): Axis {
  const info = set.meta.sweep.benchmarks.find((b) => b.name === bench);
  const axis = info?.xAxis ?? 'cores';
  const chart = info?.chart ?? {};
  return axis === 'cores' ? { chart } : { variant: axis, chart };
}

function variantLabel(variant: Variant | null): string {
  return variant === null ? '' : ` ${variant}`;
}

export function buildFigures(set: ResultSet): Figure[] {
  const figures = new Map<string, Figure>();
  const sorted = [...set.points].sort((a, b) => a.case - b.case);
  const axes = new Map<string, Axis>();
  for (const point of sorted) {
    if (!axes.has(point.bench)) axes.set(point.bench, axisOf(set, point.bench));
    const axis = axes.get(point.bench)!;
    const byVariant = axis.variant !== undefined;
    const split = axis.chart.perVariant === true && !byVariant && point.variant !== null;
    const id = `${point.bench}-${point.metric}${split ? `-${point.variant}` : ''}`;
    let figure = figures.get(id);
    if (!figure) {
      const order = point.order === null ? '' : `, order ${point.order}`;
      figure = {
        id: id.replace(/[^a-zA-Z0-9_-]/g, '-'),
        bench: point.bench,
        metric: point.metric,
        unit: point.unit,
        title: `${point.bench}: ${point.metric}${split ? `, ${point.variant}` : ''}${order}`,
        kind: axis.chart.kind ?? 'lines',
        ...(axis.chart.logX !== undefined ? { logX: axis.chart.logX } : {}),
        xLabel: axis.variant ?? 'cores',
        yLabel: point.unit,
        xs: [],
        series: [],
      };
      figures.set(id, figure);
    }
    const name = byVariant
      ? `${point.system} (${point.cores} cores)`
      : split
        ? point.system
        : `${point.system}${variantLabel(point.variant)}`;
    const x = byVariant ? xOf(figure, point.variant) : point.cores;
    let series = figure.series.find((s) => s.name === name);
    if (!series) {
      series = { name, points: [] };
      figure.series.push(series);
    }
    const same = series.points.find((p) => p.x === x);
    if (same) same.replicas.push(point);
    else series.points.push({ x, y: point.value, point, replicas: [point] });
    if (!figure.xs.includes(x)) figure.xs.push(x);
  }
  for (const figure of figures.values()) {
    figure.xs.sort((a, b) => a - b);
    for (const series of figure.series) {
      series.points.sort((a, b) => a.x - b.x);
      for (const p of series.points) joinReplicas(p);
    }
    dropCommonCores(figure);
    joinIdenticalSystems(figure);
    explainNegativeFootprint(figure);
  }
  return [...figures.values(), ...tpchFigures(set), ...bufmgrFigures(set)];
}

/** Why footprint overheads can be below zero (the thesis' metric on upstream OSv). */
function explainNegativeFootprint(figure: Figure): void {
  if (figure.bench !== 'footprint') return;
  const negative = figure.series.filter((s) => s.points.some((p) => p.y < 0)).map((s) => s.name);
  if (negative.length === 0) return;
  figure.note = `Values below zero (${negative.join(', ')}) are not an error of the run: free memory is OSv's memory::stats::free(), which counts pages parked in the page pools as used. Pages the benchmark takes from pools that were filled before it started were counted as used already, so they do not show up as new use; the thesis' metric on upstream OSv has the same bias.`;
}

/**
 * A metric with the same values for every system (an input such as TPC-H's measured DuckDB
 * time, not a result of the system) is not a per-system result: the figure gets one series.
 */
function joinIdenticalSystems(figure: Figure): void {
  const [first, ...rest] = figure.series;
  if (!first || rest.length === 0) return;
  const key = (s: FigureSeries) => s.points.map((p) => `${p.x}:${p.y}`).join(' ');
  const systems = new Set(figure.series.map((s) => s.points[0]?.point.system));
  if (systems.size < 2 || rest.some((s) => key(s) !== key(first))) return;
  const names = figure.series.map((s) => s.name);
  figure.series = [{ name: 'every system', points: first.points }];
  figure.shared = `Every system gives the same values (${names.join(', ')}): the metric does not depend on the system, so it is drawn once.`;
}

/** Mean value and counters of a point's replicas, and their spread. */
function joinReplicas(p: FigurePoint): void {
  const n = p.replicas.length;
  if (n < 2) return;
  const values = p.replicas.map((r) => r.value);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const counters: Record<string, number> = {};
  for (const r of p.replicas) {
    for (const [name, value] of Object.entries(r.counters))
      counters[name] = (counters[name] ?? 0) + value / n;
  }
  const ops = p.replicas.reduce((a, r) => a + r.ops, 0) / n;
  p.y = mean;
  p.point = { ...p.replicas[0], value: mean, counters, ops };
  p.spread = { n, min: Math.min(...values), max: Math.max(...values), sd };
}

/** `mean ±sd%` of a spread, for tables; the plain value without one. */
export function spreadText(
  p: { y: number; spread?: Spread },
  format: (v: number) => string,
): string {
  if (!p.spread) return format(p.y);
  const relative = p.y === 0 ? 0 : (100 * p.spread.sd) / Math.abs(p.y);
  return `${format(p.y)} ±${relative < 10 ? relative.toFixed(1) : Math.round(relative)}%`;
}

/** A numeric variant is its own x; a string variant is a category, numbered in case order. */
function xOf(figure: Figure, variant: Variant | null): number {
  const numeric = Number(variant);
  if (variant !== null && variant !== '' && Number.isFinite(numeric)) return numeric;
  const labels = (figure.xLabels ??= {});
  const name = String(variant);
  for (const [x, label] of Object.entries(labels)) if (label === name) return Number(x);
  const x = Object.keys(labels).length;
  labels[x] = name;
  return x;
}

/** How x is shown: its category name, or the number. */
export function xName(labels: Record<number, string> | undefined, x: number): string {
  return labels?.[x] ?? formatNumber(x);
}

/** Against a variant, series are `system (N cores)`; when every point has the same N, just `system`. */
function dropCommonCores(figure: Figure): void {
  const cores = new Set(figure.series.flatMap((s) => s.points.map((p) => p.point.cores)));
  if (figure.xLabel === 'cores' || cores.size !== 1) return;
  const names = figure.series.map((s) => s.points[0]?.point.system ?? s.name);
  if (new Set(names).size !== names.length) return;
  figure.series.forEach((series, i) => {
    series.name = names[i];
  });
}
