// Grouped bar charts as self-contained SVG strings, for figures whose x values are a few
// categories rather than a scale (boot time per core count and memory size): one group per x
// value, one bar per series, a legend as wide as its longest name. The y axis is linear from zero,
// or logarithmic when the values span more than LOG_SPAN (boot at 1 GiB vs a slow system would
// otherwise flatten every other bar to nothing); on a log axis bars start at the axis' bottom and
// each bar carries its value as a label. Replicas get an error bar (min..max). Same look as
// svg-chart.ts.

import type { ChartSpec, RenderedChart } from './svg-chart.js';
import {
  chartFrame,
  chartWidth,
  errorBar,
  escapeXml,
  formatNumber,
  formatValue,
  HEIGHT,
  linearScale,
  logScale,
  MARGIN,
  PALETTE,
  WIDTH,
  wantsLogY,
} from './svg-chart.js';

export function renderBars(spec: ChartSpec): RenderedChart {
  const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.x)))].sort(
    (a, b) => a - b,
  );
  const values = spec.series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  const logY = wantsLogY(values);
  const left = MARGIN.left;
  const right = WIDTH - MARGIN.right;
  const top = MARGIN.top;
  const bottom = HEIGHT - MARGIN.bottom;
  const extent = spec.series.flatMap((s) =>
    s.points.flatMap((p) => (p.spread ? [p.y, p.spread.min, p.spread.max] : [p.y])),
  );
  const positive = extent.filter((v) => Number.isFinite(v) && v > 0);
  const y = logY
    ? logScale(Math.min(...positive), Math.max(...positive), bottom, top, 10)
    : linearScale(0, Math.max(0, ...extent.filter(Number.isFinite)), bottom, top);
  const groupWidth = (right - left) / Math.max(1, xs.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, spec.series.length);
  const width = chartWidth(spec.series.map((s) => s.name));
  let omitted = 0;
  let errorBars = false;

  const parts = chartFrame(spec.title, 'chart bars', left, right, y, width);
  xs.forEach((x, g) => {
    const center = left + groupWidth * (g + 0.5);
    parts.push(
      `<text x="${center.toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${escapeXml(spec.xLabels?.[x] ?? formatNumber(x))}</text>`,
    );
  });
  parts.push(
    `<path class="axis" d="M${left},${top}V${bottom}H${right}" fill="none" stroke="#333"/>`,
  );
  parts.push(
    `<text x="${(left + right) / 2}" y="${HEIGHT - 12}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(18 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}${logY ? ' (log scale)' : ''}</text>`,
  );
  spec.series.forEach((series, i) => {
    const color = PALETTE[i % PALETTE.length];
    for (const p of series.points) {
      if (!Number.isFinite(p.y) || (logY && p.y <= 0)) {
        omitted++;
        continue;
      }
      const g = xs.indexOf(p.x);
      const bx = left + groupWidth * g + groupWidth * 0.1 + barWidth * i;
      const by = y.map(logY ? p.y : Math.max(0, p.y));
      parts.push(
        `<rect class="bar" data-series="${escapeXml(series.name)}" x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(bottom - by).toFixed(1)}" fill="${color}"><title>${escapeXml(`${series.name}: ${formatValue(p.y)} at ${formatNumber(p.x)}`)}</title></rect>`,
      );
      const range = p.spread;
      if (range && range.max > range.min && (!logY || range.min > 0)) {
        parts.push(errorBar(bx + barWidth / 2, y.map(range.min), y.map(range.max), '#333'));
        errorBars = true;
      }
      if (logY) {
        const lx = bx + barWidth / 2;
        parts.push(
          `<text class="bar-label" transform="translate(${lx.toFixed(1)} ${(by - 3).toFixed(1)}) rotate(-90)" font-size="8" dominant-baseline="middle">${escapeXml(formatNumber(p.y))}</text>`,
        );
      }
    }
    const ly = top + 8 + i * 20;
    parts.push(`<rect x="${right + 16}" y="${ly - 6}" width="20" height="12" fill="${color}"/>`);
    parts.push(
      `<text class="legend" x="${right + 44}" y="${ly}" dominant-baseline="middle" font-size="11">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return { svg: parts.join(''), logX: false, logY, omitted, hidden: [], errorBars };
}
