// From points to figures: one figure per benchmark and metric (cycles/op against cores, one line
// per system), or against the variant for benchmarks whose x axis is a variant (one line per
// system and core count). Figures and series come out in the order of the sweep, so the same
// result set always gives the same report.

import type { Point, ResultSet, Variant } from '../api.js';

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
  xLabel: string;
  yLabel: string;
  /** Values of x in ascending order (columns of the summary table). */
  xs: number[];
  series: FigureSeries[];
}

/** The x axis of a benchmark as recorded in the sweep: cores, or the name of its variant. */
function xAxisOf(set: ResultSet, bench: string): { variant?: string } {
  const axis = set.meta.sweep.benchmarks.find((b) => b.name === bench)?.xAxis ?? 'cores';
  return axis === 'cores' ? {} : { variant: axis };
}

function variantLabel(variant: Variant | null): string {
  return variant === null ? '' : ` ${variant}`;
}

export function buildFigures(set: ResultSet): Figure[] {
  const figures = new Map<string, Figure>();
  const sorted = [...set.points].sort((a, b) => a.case - b.case);
  const axes = new Map<string, { variant?: string }>();
  for (const point of sorted) {
    if (!axes.has(point.bench)) axes.set(point.bench, xAxisOf(set, point.bench));
    const axis = axes.get(point.bench)!;
    const id = `${point.bench}-${point.metric}`;
    let figure = figures.get(id);
    if (!figure) {
      const order = point.order === null ? '' : `, order ${point.order}`;
      figure = {
        id: id.replace(/[^a-zA-Z0-9_-]/g, '-'),
        bench: point.bench,
        metric: point.metric,
        unit: point.unit,
        title: `${point.bench}: ${point.metric}${order}`,
        xLabel: axis.variant ?? 'cores',
        yLabel: point.unit,
        xs: [],
        series: [],
      };
      figures.set(id, figure);
    }
    const byVariant = axis.variant !== undefined;
    const name = byVariant
      ? `${point.system} (${point.cores} cores)`
      : `${point.system}${variantLabel(point.variant)}`;
    const x = byVariant ? Number(point.variant) : point.cores;
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
  }
  return [...figures.values()];
}
