// Grouped bar charts as self-contained SVG strings, for figures whose x values are a few
// categories rather than a scale (boot time per core count and memory size): one group per x
// value, one bar per series, a linear y axis from zero, a legend. Same look as svg-chart.ts.

import type { ChartSpec, RenderedChart } from './svg-chart.js';
import {
  chartFrame,
  escapeXml,
  formatNumber,
  formatValue,
  HEIGHT,
  linearScale,
  MARGIN,
  PALETTE,
  WIDTH,
} from './svg-chart.js';

export function renderBars(spec: ChartSpec): RenderedChart {
  const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.x)))].sort(
    (a, b) => a - b,
  );
  const values = spec.series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  const left = MARGIN.left;
  const right = WIDTH - MARGIN.right;
  const top = MARGIN.top;
  const bottom = HEIGHT - MARGIN.bottom;
  const y = linearScale(0, Math.max(0, ...values), bottom, top);
  const groupWidth = (right - left) / Math.max(1, xs.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, spec.series.length);

  const parts = chartFrame(spec.title, 'chart bars', left, right, y);
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
    `<text transform="translate(18 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  spec.series.forEach((series, i) => {
    const color = PALETTE[i % PALETTE.length];
    for (const p of series.points) {
      if (!Number.isFinite(p.y)) continue;
      const g = xs.indexOf(p.x);
      const bx = left + groupWidth * g + groupWidth * 0.1 + barWidth * i;
      const by = y.map(Math.max(0, p.y));
      parts.push(
        `<rect class="bar" data-series="${escapeXml(series.name)}" x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(bottom - by).toFixed(1)}" fill="${color}"><title>${escapeXml(`${series.name}: ${formatValue(p.y)} at ${formatNumber(p.x)}`)}</title></rect>`,
      );
    }
    const ly = top + 8 + i * 20;
    parts.push(`<rect x="${right + 16}" y="${ly - 6}" width="20" height="12" fill="${color}"/>`);
    parts.push(
      `<text class="legend" x="${right + 44}" y="${ly}" dominant-baseline="middle" font-size="11">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return { svg: parts.join(''), logX: false, logY: false, omitted: 0 };
}
