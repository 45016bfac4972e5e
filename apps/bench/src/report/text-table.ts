// The summary of a result set as plain-text tables for the terminal: one table per figure, one
// row per series, one column per core count (or variant), values in the figure's unit.

import type { ResultSet } from '../api.js';
import { buildFigures, xName } from './figures.js';
import { formatValue } from './svg-chart.js';

export function summaryLines(set: ResultSet): string[] {
  const lines: string[] = [];
  for (const figure of buildFigures(set)) {
    const nameWidth = Math.max(12, ...figure.series.map((s) => s.name.length));
    const header = figure.xs.map((x) => xName(figure.xLabels, x).padStart(9)).join(' ');
    lines.push(`${figure.title} (${figure.unit} by ${figure.xLabel})`);
    lines.push(`  ${''.padEnd(nameWidth)} ${header}`);
    for (const series of figure.series) {
      const cells = figure.xs.map((x) => {
        const found = series.points.find((p) => p.x === x);
        return (found ? formatValue(found.y) : '-').padStart(9);
      });
      lines.push(`  ${series.name.padEnd(nameWidth)} ${cells.join(' ')}`);
    }
  }
  return lines;
}
