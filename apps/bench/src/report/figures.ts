// From points to figures: one figure per benchmark and metric (cycles/op against cores, one line
// per system), or against the variant for benchmarks whose x axis is a variant (one line per
// system and core count). A benchmark may ask (ChartOptions, recorded in the sweep) for one
// figure per variant — the thesis draws one figure per allocation size — and for bars instead of
// lines (boot time). Figures and series come out in the order of the sweep, so the same result
// set always gives the same report.

import type { ChartOptions, Point, ResultSet, Variant } from '../api.js';
import { formatNumber } from './svg-chart.js';

export interface FigureSeries {
  name: string;
  points: Array<{ x: number; y: number; point: Point }>;
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
    series.points.push({ x, y: point.value, point });
    if (!figure.xs.includes(x)) figure.xs.push(x);
  }
  for (const figure of figures.values()) {
    figure.xs.sort((a, b) => a - b);
    for (const series of figure.series) series.points.sort((a, b) => a.x - b.x);
    dropCommonCores(figure);
  }
  return [...figures.values()];
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
