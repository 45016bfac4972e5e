// `unimem calibrate`: each registered calibration source (src/calibration/*.ts) names a frames
// system of the registry and the published single-core figures it is calibrated against; this
// runs them with the one calibration of @unimem/hw/frame-bench (the same frame-benchmark loop,
// warm-up policy, sizing and row type as the package benches and their tests), building the
// allocator exactly as `unimem bench` builds that system. A source whose system is not
// registered (or provides no frames) is reported as skipped, so a source may arrive first.

import { PAGE_SIZE } from '@unimem/core';
import {
  CALIBRATION_BYTES_PER_CORE,
  type CalibrationRow,
  type CalibrationSubject,
  calibrate as calibrateSubjects,
} from '@unimem/hw/frame-bench';
import type { CalibrationSource } from './api.js';
import type { Registry } from './registry.js';

export { type CalibrationRow, calibrationLines } from '@unimem/hw/frame-bench';

export interface CalibrateOptions {
  /** Multiplies the calibration size (1 GiB per core); fitted rows hold at scale 1 only. */
  scale: number;
  seed: number;
  /** Checked between sources. */
  signal?: AbortSignal;
  /** A source is skipped, with why. */
  onSkip?(source: CalibrationSource, why: string): void;
  /** A source starts. */
  onSource?(source: CalibrationSource, bytesPerCore: number): void;
}

export async function calibrateSources(
  registry: Registry,
  options: CalibrateOptions,
): Promise<CalibrationRow[]> {
  const bytesPerCore = Math.max(4096, Math.round(CALIBRATION_BYTES_PER_CORE * options.scale));
  const rows: CalibrationRow[] = [];
  for (const source of registry.calibrationSources) {
    if (options.signal?.aborted) break;
    const system = registry.systems.get(source.system);
    if (!system) {
      options.onSkip?.(source, `system ${source.system} is not registered`);
      continue;
    }
    if (!system.provides.includes('frames')) {
      options.onSkip?.(source, `system ${source.system} provides no frame allocator`);
      continue;
    }
    options.onSource?.(source, bytesPerCore);
    const subject: CalibrationSubject = {
      name: system.name,
      published: source.published,
      create: (machine, { frames, cores }) => {
        const parts = system.build({
          machine,
          cores,
          memoryBytes: frames * PAGE_SIZE,
          seed: options.seed,
          boot: true,
        });
        if (!parts.frames) throw new Error(`system ${system.name} built no frame allocator`);
        return parts.frames;
      },
    };
    rows.push(...calibrateSubjects([subject], { bytesPerCore, seed: options.seed }));
    // Let a pending interrupt reach the signal before the next source.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return rows;
}
