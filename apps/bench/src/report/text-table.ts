// The summary of a result set as plain-text tables for the terminal: one table per figure, one
// row per series, one column per core count (or variant), values in the figure's unit. With
// replicas (`--seeds`, `--iterations`) a cell is the mean and the sample standard deviation as a
// percentage of it (`1,234 ±5.1%`), and the heading says over how many runs. Beneath each table,
// the contention counters per operation at the largest x (counter-lines.ts).

import type { ResultSet } from '../api.js';
import { counterLines } from './counter-lines.js';
import { buildFigures, spreadText, xName } from './figures.js';
import { formatValue } from './svg-chart.js';

export function summaryLines(set: ResultSet): string[] {
  const lines: string[] = [];
  for (const figure of buildFigures(set)) {
    const runs = Math.max(
      1,
      ...figure.series.flatMap((s) => s.points.map((p) => p.spread?.n ?? 1)),
    );
    const width = runs > 1 ? 15 : 9;
    const nameWidth = Math.max(12, ...figure.series.map((s) => s.name.length));
    const header = figure.xs.map((x) => xName(figure.xLabels, x).padStart(width)).join(' ');
    const over = runs > 1 ? `; mean ±sd over ${runs} runs` : '';
    lines.push(`${figure.title} (${figure.unit} by ${figure.xLabel}${over})`);
    lines.push(`  ${''.padEnd(nameWidth)} ${header}`);
    for (const series of figure.series) {
      const cells = figure.xs.map((x) => {
        const found = series.points.find((p) => p.x === x);
        return (found ? spreadText(found, formatValue) : '-').padStart(width);
      });
      lines.push(`  ${series.name.padEnd(nameWidth)} ${cells.join(' ')}`);
    }
    lines.push(...counterLines(figure, (x) => xName(figure.xLabels, x)));
  }
  const note = scaleNote(set);
  if (note) lines.push(`note: ${note}`);
  return lines;
}

/**
 * What a run at other sizes than the checked quick ones must say: its ranking of systems has not
 * been compared with the stored references (benchmarks/ranking/, --full × a reference scale), and
 * the exact command that compares it (scripts/ranking-check.ts with the run's --full and --scale).
 */
export function scaleNote(set: ResultSet): string | undefined {
  const { scale, full } = set.meta.sweep;
  if (scale === 1 && !full) return undefined;
  const check = `pnpm exec tsx scripts/ranking-check.ts${full ? ' --full' : ''} --scale ${scale}`;
  const sizes = full
    ? `--full --scale ${scale} is not what the ranking check runs (the quick sizes, compared with the references in benchmarks/ranking/)`
    : `--scale ${scale} changes the sizes the ranking check compares with --full`;
  return `${sizes}; whether it reverses a ranking of systems is unchecked (${check} checks it)`;
}
