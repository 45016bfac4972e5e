// Calibration of simulated frame allocators against published single-core figures: the one
// calibration module of the tree (`unimem calibrate`, the linux and llfree benches and their
// tests use it). Each published figure is either FITTED (a per-operation cost of the allocator
// was fitted so that the simulated figure matches it, see fit.ts) or a PREDICTION (never used
// for fitting, printed beside its figure). Every run is single-core on the profile the figures
// were measured on, with the loop of loop.ts and its warm-up policy. Invariant: a row is
// produced for every published figure of every subject, in the order the figures are listed,
// and ratio = simulatedNs / publishedNs with simulatedNs = simulatedCycles / GHz.

import type { Profile } from '../api.js';
import { builtinProfile } from '../profile-loader.js';
import type { FrameBenchName, FrameBenchOp } from './loop.js';
import { type FrameAllocatorFactory, phaseOf, runFrameBench } from './run.js';

/** How a published figure is used: fitted (enforced within tolerance) or predicted (shown). */
export type CalibrationRole = 'fitted' | 'prediction';

export interface PublishedFigure {
  bench: FrameBenchName;
  order: number;
  op: FrameBenchOp;
  /** Published nanoseconds per operation (per get+put pair for repeat). */
  ns: number;
  role: CalibrationRole;
}

/** The published single-core figures of one allocator, with where they come from. */
export interface PublishedFigures {
  allocator: string;
  /** Built-in profile of the machine the figures were measured on. */
  profile: string;
  /** Paper, artifact file, machine and kernel. */
  source: string;
  figures: readonly PublishedFigure[];
}

/** An allocator to calibrate: how to build it on a machine, and its published figures. */
export interface CalibrationSubject {
  /** Name in the rows (default: published.allocator). */
  name?: string;
  create: FrameAllocatorFactory;
  published: PublishedFigures;
}

/** The one calibration row type. */
export interface CalibrationRow {
  allocator: string;
  profile: string;
  bench: FrameBenchName;
  order: number;
  op: FrameBenchOp;
  role: CalibrationRole;
  publishedNs: number;
  simulatedCycles: number;
  simulatedNs: number;
  /** simulatedNs / publishedNs. */
  ratio: number;
  source: string;
}

/**
 * Bytes each core allocates in a calibration run (bulk and rand hold them at once; repeat runs
 * as many get+put pairs as bulk allocates blocks): 1 GiB, 262,144 order-0 frames, so that the
 * struct pages a run touches (16 MiB) overflow a core's private cache as in the artifact's runs
 * over half of a NUMA node.
 */
export const CALIBRATION_BYTES_PER_CORE = 2 ** 30;
/** Fitted rows must lie within this relative distance of their published figure. */
export const FITTED_TOLERANCE = 0.15;

export interface CalibrateOptions {
  /** Default CALIBRATION_BYTES_PER_CORE; the fitted figures hold at the default only. */
  bytesPerCore?: number;
  /** Seed of the machine and of rand's shuffle (default 1). */
  seed?: number;
  /** Only the figures of these roles (default both). */
  roles?: readonly CalibrationRole[];
  /** Profile override (default: the built-in profile the figures name). */
  profile?: Profile;
}

/** Blocks of `order` per core for `bytesPerCore` (at least one). */
export function calibrationAllocs(bytesPerCore: number, order: number): number {
  return Math.max(1, Math.floor(bytesPerCore / 4096 / 2 ** order));
}

/** Runs every (bench, order) that the subjects' figures name once, at one core. */
export function calibrate(
  subjects: readonly CalibrationSubject[],
  options: CalibrateOptions = {},
): CalibrationRow[] {
  const bytesPerCore = options.bytesPerCore ?? CALIBRATION_BYTES_PER_CORE;
  if (!(bytesPerCore >= 4096)) {
    throw new RangeError(`bytesPerCore ${bytesPerCore} must be at least one frame (4096)`);
  }
  const roles = options.roles ?? ['fitted', 'prediction'];
  const rows: CalibrationRow[] = [];
  for (const subject of subjects) {
    const { published } = subject;
    const profile = options.profile ?? builtinProfile(published.profile);
    const ghz = profile.frequencyGhz.value;
    const runs = new Map<string, ReturnType<typeof runFrameBench>>();
    for (const figure of published.figures) {
      if (!roles.includes(figure.role)) continue;
      const key = `${figure.bench}/${figure.order}`;
      let result = runs.get(key);
      if (!result) {
        result = runFrameBench(subject.create, {
          bench: figure.bench,
          order: figure.order,
          cores: 1,
          allocs: calibrationAllocs(bytesPerCore, figure.order),
          profile,
          seed: options.seed,
        });
        runs.set(key, result);
      }
      const simulatedCycles = phaseOf(result, figure.op).cycles;
      const simulatedNs = simulatedCycles / ghz;
      rows.push({
        allocator: subject.name ?? published.allocator,
        profile: profile.name,
        bench: figure.bench,
        order: figure.order,
        op: figure.op,
        role: figure.role,
        publishedNs: figure.ns,
        simulatedCycles,
        simulatedNs,
        ratio: simulatedNs / figure.ns,
        source: published.source,
      });
    }
  }
  return rows;
}

/** Fitted rows farther than `tolerance` from their published figure. */
export function fittedOutsideTolerance(
  rows: readonly CalibrationRow[],
  tolerance = FITTED_TOLERANCE,
): CalibrationRow[] {
  return rows.filter((r) => r.role === 'fitted' && !(Math.abs(r.ratio - 1) <= tolerance));
}

/** The rows as an aligned text table (header first). */
export function calibrationLines(rows: readonly CalibrationRow[]): string[] {
  const header = [
    'allocator',
    'bench',
    'order',
    'op',
    'role',
    'sim cycles',
    'sim ns',
    'published ns',
    'ratio',
  ];
  const cells = rows.map((r) => [
    r.allocator,
    r.bench,
    String(r.order),
    r.op,
    r.role,
    r.simulatedCycles.toFixed(0),
    r.simulatedNs.toFixed(1),
    String(r.publishedNs),
    r.ratio.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const format = (line: string[]) =>
    line.map((cell, i) => (i < 5 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [format(header), ...cells.map(format)];
}
