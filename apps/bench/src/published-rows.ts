// Turns the published single-core figures kept in @unimem/linux (llfree.md §5) into calibration
// rows of the runner: bench `frames.<bench>`, metric alloc / free / pair.

import { PUBLISHED_SOURCE, type PublishedFigure } from '@unimem/linux';
import type { CalibrationRow } from './api.js';

export function publishedRows(
  figures: readonly PublishedFigure[],
  system: string,
): CalibrationRow[] {
  return figures.map((figure) => ({
    bench: `frames.${figure.bench}`,
    system,
    metric: figure.op,
    order: figure.order,
    publishedNs: figure.ns,
    source: PUBLISHED_SOURCE,
  }));
}
