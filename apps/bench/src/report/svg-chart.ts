// Line charts as self-contained SVG strings (no library, no script, no external font): axes with
// ticks and labels, one coloured line with markers per series, a legend, a title, units. Scales
// are chosen from the data: the y axis is logarithmic when the positive values span more than
// LOG_SPAN (otherwise linear from zero), the x axis is log2 when the x values are spread roughly
// geometrically (1, 2, 4, ... 64 cores), else linear. Non-positive values cannot be drawn on a log
// axis; they are left out and the caption says so. The legend column is as wide as its longest
// name (the SVG grows, the plot keeps its size), a series drawn exactly over another one is named
// in the other's legend entry ("under …"), and points with replicas get an error bar (min..max).

export interface ChartPoint {
  x: number;
  y: number;
  /** Replicas' range, drawn as an error bar. */
  spread?: { min: number; max: number };
}

export interface ChartSeries {
  name: string;
  points: ReadonlyArray<ChartPoint>;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /** Force a log2 (true) or linear (false) x axis; default: chosen from the data. */
  logX?: boolean;
  /** Names of categorical x values (bars only). */
  xLabels?: Record<number, string>;
}

/** Spread of positive y values from which the y axis becomes logarithmic. */
export const LOG_SPAN = 20;

export const WIDTH = 560;
export const HEIGHT = 340;
export const MARGIN = { top: 40, right: 184, bottom: 52, left: 64 };
export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
];

export interface Scale {
  kind: 'linear' | 'log';
  min: number;
  max: number;
  ticks: number[];
  map(value: number): number;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Compact tick label: 1234 → "1,234", 0.5 → "0.5", 2.5e6 → "2.5M". */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trimZeros((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${trimZeros((value / 1e3).toPrecision(3))}k`;
  if (abs >= 100 || value === 0) return Math.round(value).toLocaleString('en-US');
  return trimZeros(value.toPrecision(3));
}

/** A measured value for tables: whole numbers from 100 up, else three significant digits. */
export function formatValue(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100 || value === 0) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

export function linearScale(min: number, max: number, from: number, to: number): Scale {
  if (max <= min) max = min + 1;
  const step = niceStep(max - min, 5);
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return {
    kind: 'linear',
    min: lo,
    max: hi,
    ticks,
    map: (v) => from + ((v - lo) / (hi - lo)) * (to - from),
  };
}

export function logScale(min: number, max: number, from: number, to: number, base: number): Scale {
  const lo = base ** Math.floor(Math.log(min) / Math.log(base) + 1e-9);
  const hi = base ** Math.ceil(Math.log(max) / Math.log(base) - 1e-9);
  const top = hi > lo ? hi : lo * base;
  const ticks: number[] = [];
  for (let t = lo; t <= top * 1.0001; t *= base) ticks.push(t);
  if (base === 10 && ticks.length <= 3) {
    for (const t of [...ticks]) for (const m of [2, 5]) if (t * m < top) ticks.push(t * m);
    ticks.sort((a, b) => a - b);
  }
  const span = Math.log(top) - Math.log(lo);
  return {
    kind: 'log',
    min: lo,
    max: top,
    ticks,
    map: (v) => from + ((Math.log(v) - Math.log(lo)) / span) * (to - from),
  };
}

/** Whether x values are spread geometrically enough for a log2 axis. */
export function wantsLogX(xs: readonly number[]): boolean {
  const sorted = [...new Set(xs)].filter((x) => x > 0).sort((a, b) => a - b);
  if (sorted.length < 3 || sorted[sorted.length - 1] / sorted[0] < 16) return false;
  const ratios = sorted.slice(1).map((x, i) => x / sorted[i]);
  ratios.sort((a, b) => a - b);
  return ratios[Math.floor(ratios.length / 2)] >= 1.5;
}

/** Whether positive y values spread far enough for a log axis. */
export function wantsLogY(ys: readonly number[]): boolean {
  const positive = ys.filter((y) => y > 0);
  if (positive.length < 2) return false;
  return Math.max(...positive) / Math.min(...positive) > LOG_SPAN;
}

export interface RenderedChart {
  svg: string;
  logX: boolean;
  logY: boolean;
  /** Points left out (non-positive values on a log axis). */
  omitted: number;
  /** Series hidden under another: [hidden, the one drawn over it]. */
  hidden: Array<[string, string]>;
  /** Whether error bars (replicas' min..max) are drawn. */
  errorBars: boolean;
}

/** Approximate width of `text` at `size` px in a sans-serif font (no layout engine here). */
export function textWidth(text: string, size: number): number {
  let units = 0;
  for (const c of text) units += /[il.,:;|'!]/.test(c) ? 0.3 : /[mwMW@]/.test(c) ? 0.9 : 0.6;
  return units * size;
}

/** Total width of a chart whose legend lists `names`: the plot keeps its size. */
export function chartWidth(names: readonly string[]): number {
  const legend = 44 + Math.ceil(Math.max(0, ...names.map((n) => textWidth(n, 11)))) + 8;
  return WIDTH - MARGIN.right + Math.max(MARGIN.right, legend);
}

/**
 * Series whose drawn marks (pixel positions) coincide with those of a series drawn after them:
 * they are invisible. Each is paired with the series drawn over it.
 */
export function hiddenSeries(
  drawn: ReadonlyArray<{ name: string; marks: readonly string[] }>,
): Array<[string, string]> {
  const hidden: Array<[string, string]> = [];
  drawn.forEach((below, i) => {
    if (below.marks.length === 0) return;
    const key = below.marks.join(' ');
    for (let j = drawn.length - 1; j > i; j--) {
      if (drawn[j].marks.join(' ') === key) {
        hidden.push([below.name, drawn[j].name]);
        return;
      }
    }
  });
  return hidden;
}

/** The legend text of a series: its name, and what it is hidden under. */
export function legendText(name: string, hidden: ReadonlyArray<[string, string]>): string {
  const over = hidden.find(([h]) => h === name)?.[1];
  return over === undefined ? name : `${name} (under ${over})`;
}

/** An error bar from `lo` to `hi` (pixels) at `px`, with caps. */
export function errorBar(px: number, lo: number, hi: number, color: string): string {
  const x = px.toFixed(1);
  return `<path class="error-bar" d="M${(px - 3).toFixed(1)},${hi.toFixed(1)}H${(px + 3).toFixed(1)}M${x},${hi.toFixed(1)}V${lo.toFixed(1)}M${(px - 3).toFixed(1)},${lo.toFixed(1)}H${(px + 3).toFixed(1)}" stroke="${color}" stroke-width="1.2" fill="none"/>`;
}

export function renderChart(spec: ChartSpec): RenderedChart {
  const all = spec.series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const logX = spec.logX ?? wantsLogX(xs);
  const logY = wantsLogY(ys);
  const left = MARGIN.left;
  const right = WIDTH - MARGIN.right;
  const top = MARGIN.top;
  const bottom = HEIGHT - MARGIN.bottom;
  const drawable = (p: { x: number; y: number }) =>
    Number.isFinite(p.y) && Number.isFinite(p.x) && (!logY || p.y > 0) && (!logX || p.x > 0);
  const shown = all.filter(drawable);
  const omitted = all.length - shown.length;
  const xMin = Math.min(...shown.map((p) => p.x));
  const xMax = Math.max(...shown.map((p) => p.x));
  const yValues = shown
    .flatMap((p) => (p.spread ? [p.y, p.spread.min, p.spread.max] : [p.y]))
    .filter((v) => Number.isFinite(v) && (!logY || v > 0));
  const x = logX
    ? logScale(xMin, xMax, left, right, 2)
    : linearScale(Math.min(0, xMin), xMax, left, right);
  if (!logX && xs.length > 0 && new Set(xs).size <= 16)
    x.ticks = [...new Set(xs)].sort((a, b) => a - b);
  const y = logY
    ? logScale(Math.min(...yValues), Math.max(...yValues), bottom, top, 10)
    : linearScale(0, Math.max(0, ...yValues), bottom, top);
  // Every x value as a tick when there are few; powers of two otherwise (e.g. 23 sizes).
  const distinctX = [...new Set(shown.map((p) => p.x))].sort((a, b) => a - b);
  if (logX && distinctX.length <= 12) x.ticks = distinctX;

  const names = spec.series.map((s) => s.name);
  const drawnSeries = spec.series.map((series) => {
    const points = series.points.filter(drawable).sort((a, b) => a.x - b.x);
    return {
      name: series.name,
      points,
      marks: points.map((p) => `${x.map(p.x).toFixed(1)},${y.map(p.y).toFixed(1)}`),
    };
  });
  const hidden = hiddenSeries(drawnSeries);
  const width = chartWidth(names.map((n) => legendText(n, hidden)));
  let errorBars = false;
  const parts = chartFrame(spec.title, 'chart', left, right, y, width);
  for (const t of x.ticks) {
    const px = x.map(t).toFixed(1);
    parts.push(
      `<line class="grid" x1="${px}" x2="${px}" y1="${top}" y2="${bottom}" stroke="#f0f0f0"/>`,
    );
    parts.push(`<text x="${px}" y="${bottom + 16}" text-anchor="middle">${formatNumber(t)}</text>`);
  }
  parts.push(
    `<path class="axis" d="M${left},${top}V${bottom}H${right}" fill="none" stroke="#333"/>`,
  );
  parts.push(
    `<text x="${(left + right) / 2}" y="${HEIGHT - 12}" text-anchor="middle">${escapeXml(spec.xLabel)}${logX ? ' (log scale)' : ''}</text>`,
  );
  parts.push(
    `<text transform="translate(18 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}${logY ? ' (log scale)' : ''}</text>`,
  );
  // Series.
  drawnSeries.forEach((series, i) => {
    const color = PALETTE[i % PALETTE.length];
    const { points } = series;
    if (points.length > 0) {
      const d = points
        .map((p, k) => `${k === 0 ? 'M' : 'L'}${x.map(p.x).toFixed(1)},${y.map(p.y).toFixed(1)}`)
        .join('');
      parts.push(
        `<path class="series" data-series="${escapeXml(series.name)}" d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`,
      );
      for (const p of points) {
        const range = p.spread;
        if (range && range.max > range.min && (!logY || range.min > 0)) {
          parts.push(errorBar(x.map(p.x), y.map(range.min), y.map(range.max), color));
          errorBars = true;
        }
        const spreadNote = range
          ? ` (min ${formatValue(range.min)}, max ${formatValue(range.max)})`
          : '';
        parts.push(
          `<circle cx="${x.map(p.x).toFixed(1)}" cy="${y.map(p.y).toFixed(1)}" r="3.5" fill="${color}"><title>${escapeXml(`${series.name}: ${formatValue(p.y)}${spreadNote} at ${formatNumber(p.x)}`)}</title></circle>`,
        );
      }
    }
    const ly = top + 8 + i * 20;
    parts.push(
      `<line x1="${right + 14}" x2="${right + 38}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
    );
    parts.push(`<circle cx="${right + 26}" cy="${ly}" r="3.5" fill="${color}"/>`);
    parts.push(
      `<text class="legend" x="${right + 44}" y="${ly}" dominant-baseline="middle" font-size="11">${escapeXml(legendText(series.name, hidden))}</text>`,
    );
  });
  parts.push('</svg>');
  return { svg: parts.join(''), logX, logY, omitted, hidden, errorBars };
}

/**
 * The opening of a chart's SVG, shared by line and bar charts: the svg element, title, white
 * background, heading, and the horizontal grid with the y tick labels.
 */
export function chartFrame(
  title: string,
  className: string,
  left: number,
  right: number,
  y: { ticks: readonly number[]; map(value: number): number },
  width = WIDTH,
): string[] {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="${className}" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-label="${escapeXml(title)}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${(left + right) / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
  ];
  for (const t of y.ticks) {
    const py = y.map(t).toFixed(1);
    parts.push(
      `<line class="grid" x1="${left}" x2="${right}" y1="${py}" y2="${py}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${formatNumber(t)}</text>`,
    );
  }
  return parts;
}
