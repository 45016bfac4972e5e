// `unimem calibrate`: runs every row of every registered calibration source (src/calibration/*.ts)
// as a single-core case on the source's profile and compares the simulated time per operation
// with the published figure (ratio = simulated / published). Rows are grouped into one sweep per
// source and order; rows naming a system or benchmark that is not registered are reported as
// skipped, so a source may list figures for systems that arrive later.

import { builtinProfile } from '@unimem/hw';
import type { CalibrationRow, CalibrationSource } from './api.js';
import { planSweep } from './plan.js';
import type { Registry } from './registry.js';
import { runSweep } from './sweep.js';

export interface CalibrationResult extends CalibrationRow {
  sourceName: string;
  profile: string;
  cores: number;
  simulatedCycles: number;
  simulatedNs: number;
  ratio: number;
}

export interface CalibrateOptions {
  scale: number;
  seed: number;
  jobs: number;
  signal?: AbortSignal;
  /** Rows skipped, with why. */
  onSkip?(row: CalibrationRow, why: string): void;
  /** A sweep (one source, one order) starts. */
  onSweep?(source: CalibrationSource, order: number, cases: number): void;
}

export async function calibrate(
  registry: Registry,
  options: CalibrateOptions,
): Promise<CalibrationResult[]> {
  const results: CalibrationResult[] = [];
  for (const source of registry.calibrationSources) {
    for (const [order, rows] of groupByOrder(source, registry, options)) {
      const profile = builtinProfile(source.profile);
      const { info } = planSweep(registry, {
        names: [...new Set(rows.map((r) => r.bench))],
        systems: [...new Set(rows.map((r) => r.system))],
        cores: [source.cores],
        scale: options.scale,
        seed: options.seed,
        order,
        full: false,
        profile,
      });
      options.onSweep?.(source, order, info.cases.length);
      const outcome = await runSweep(
        info,
        info.cases.map((c) => c.index),
        options,
      );
      if (outcome.failure) throw new Error(outcome.failure);
      if (outcome.interrupted) return results;
      const points = [...outcome.points.values()].flat();
      for (const row of rows) {
        const point = points.find(
          (p) => p.bench === row.bench && p.system === row.system && p.metric === row.metric,
        );
        if (!point) {
          options.onSkip?.(row, `metric ${row.metric} was not measured`);
          continue;
        }
        const simulatedNs = point.value / profile.frequencyGhz.value;
        results.push({
          ...row,
          sourceName: source.name,
          profile: profile.name,
          cores: source.cores,
          simulatedCycles: point.value,
          simulatedNs,
          ratio: simulatedNs / row.publishedNs,
        });
      }
    }
  }
  return results;
}

function groupByOrder(source: CalibrationSource, registry: Registry, options: CalibrateOptions) {
  const groups = new Map<number, CalibrationRow[]>();
  for (const row of source.rows) {
    if (!registry.systems.has(row.system)) {
      options.onSkip?.(row, `system ${row.system} is not registered`);
    } else if (!registry.benchmarks.has(row.bench)) {
      options.onSkip?.(row, `benchmark ${row.bench} is not registered`);
    } else {
      const order = row.order ?? 0;
      groups.set(order, [...(groups.get(order) ?? []), row]);
    }
  }
  return [...groups].sort(([a], [b]) => a - b);
}

export function calibrationLines(results: readonly CalibrationResult[]): string[] {
  const header = [
    'source',
    'system',
    'benchmark',
    'order',
    'metric',
    'sim cycles',
    'sim ns',
    'published ns',
    'ratio',
  ];
  const rows = results.map((r) => [
    r.sourceName,
    r.system,
    r.bench,
    String(r.order ?? 0),
    r.metric,
    r.simulatedCycles.toFixed(0),
    r.simulatedNs.toFixed(1),
    String(r.publishedNs),
    r.ratio.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i < 5 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [format(header), ...rows.map(format)];
}
