// "Where the time goes" lines for the terminal summary: beneath a figure's table, the model's
// contention counters per operation at the figure's largest x (the most cores), one line per
// series — lock wait, line transfers and their wait, CAS failures (retries of lock-free code),
// IPIs and DRAM-bandwidth wait — so that a curve printed by `unimem bench` can be explained
// without opening the report. Counters that are zero for every series are left out.

import type { Figure } from './figures.js';
import { formatValue } from './svg-chart.js';

/** The counters shown, with their short column names. */
const SHOWN: ReadonlyArray<readonly [string, string]> = [
  ['lockWaitCycles', 'lock wait'],
  ['lineTransfers', 'transfers'],
  ['lineWaitCycles', 'line wait'],
  ['casFailures', 'CAS failures'],
  ['ipisSent', 'IPIs'],
  ['dramWaitCycles', 'DRAM wait'],
];

/** Lines for `figure` (none when it has no x or no contention counter is non-zero). */
export function counterLines(figure: Figure, xName: (x: number) => string): string[] {
  const x = figure.xs.at(-1);
  if (x === undefined) return [];
  const rows = figure.series.flatMap((series) => {
    const found = series.points.find((p) => p.x === x);
    return found ? [{ name: series.name, point: found.point }] : [];
  });
  const shown = SHOWN.filter(([counter]) =>
    rows.some(({ point }) => (point.counters[counter] ?? 0) > 0),
  );
  if (shown.length === 0) return [];
  const nameWidth = Math.max(12, ...rows.map((r) => r.name.length));
  const head = shown.map(([, label]) => label.padStart(12)).join(' ');
  const lines = [`  ${`per op at ${xName(x)}`.padEnd(nameWidth)} ${head}`];
  for (const { name, point } of rows) {
    const cells = shown.map(([counter]) => {
      const value = point.counters[counter] ?? 0;
      return formatValue(point.ops > 0 ? value / point.ops : value).padStart(12);
    });
    lines.push(`  ${name.padEnd(nameWidth)} ${cells.join(' ')}`);
  }
  return lines;
}
