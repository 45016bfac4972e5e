// One row of the hardware model's validation table (`pnpm --filter @unimem/hw bench`): a
// mechanism of the model set beside a published measurement of that mechanism on real hardware
// (never a published allocator result: those are held out). `simulated / published` is printed
// as the ratio.

export interface ValidationRow {
  /** What is measured, e.g. "shared-line CAS throughput, 8 cores, one CCD". */
  mechanism: string;
  /** The published figure, in `unit`. */
  published: number;
  /** Where the published figure comes from (paper/section, repository file, dataset). */
  source: string;
  /** The model's figure for the same experiment, in `unit`. */
  simulated: number;
  /** Unit of both figures, e.g. "M ops/s", "ns", "GB/s". */
  unit: string;
}

/** Prints rows as an aligned table with the simulated/published ratio. */
export function printValidation(rows: readonly ValidationRow[]): void {
  const table = rows.map((row) => ({
    mechanism: row.mechanism,
    published: `${formatFigure(row.published)} ${row.unit}`,
    simulated: `${formatFigure(row.simulated)} ${row.unit}`,
    ratio: (row.simulated / row.published).toFixed(2),
    source: row.source,
  }));
  console.table(table);
}

function formatFigure(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
