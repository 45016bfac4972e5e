// Calibration and prediction in the simulator. `calibrate()` runs the LLFree paper's single-core
// benchmarks (bulk, repeat, rand at orders 0 and 9) on the xeon-gold-5320 profile for each
// subject allocator and sets the simulated figures beside the published ones: this is how the
// buddy allocator's per-operation costs (buddy/costs.ts) were checked, and what
// `unimem calibrate` prints. `predictBulkScaling()` runs bulk on 1..n cores of any profile: a
// prediction of the model (lock and line contention), never fitted to multi-core figures.

import { builtinProfile, type Profile } from '@unimem/hw';
import type { FrameAllocatorFactory } from './api.js';
import { type PhaseResult, runFrameBench } from './bench/frame-bench.js';
import { BuddyAllocator } from './buddy/buddy-allocator.js';
import { profileTuning } from './buddy/tuning.js';
import {
  type FrameBenchName,
  type FrameBenchOp,
  type PublishedFigure,
  publishedBuddy,
} from './published.js';

/** An allocator to calibrate or predict: how to build it on a machine; its published figures. */
export interface CalibrationSubject {
  name: string;
  create: FrameAllocatorFactory;
  /** Published single-core figures (ns per op) to compare against; may be empty. */
  published: readonly PublishedFigure[];
}

export interface CalibrationOptions {
  /** Default: xeon-gold-5320, the machine the published figures were measured on. */
  profile?: Profile;
  /** Default: the buddy allocator. */
  subjects?: readonly CalibrationSubject[];
  /**
   * Bytes each core allocates in bulk and rand (the paper: half of memory over all cores).
   * Default 1 GiB: 262,144 order-0 frames, enough that struct pages overflow the private cache as
   * they do in the paper's runs. repeat runs as many pairs as bulk allocates order-0 frames.
   */
  bytesPerCore?: number;
  warmupRounds?: number;
  seed?: number;
}

export interface CalibrationRow {
  allocator: string;
  bench: FrameBenchName;
  order: number;
  op: FrameBenchOp;
  simulatedCycles: number;
  simulatedNs: number;
  /** NaN when the subject has no published figure for this row. */
  publishedNs: number;
  /** simulated / published. */
  ratio: number;
}

/** The (bench, order) runs of a calibration and the ops each reports. */
export const CALIBRATION_RUNS: ReadonlyArray<{
  bench: FrameBenchName;
  order: number;
  ops: FrameBenchOp[];
}> = [
  { bench: 'bulk', order: 0, ops: ['alloc', 'free'] },
  { bench: 'bulk', order: 9, ops: ['alloc', 'free'] },
  { bench: 'repeat', order: 0, ops: ['pair'] },
  { bench: 'repeat', order: 9, ops: ['pair'] },
  { bench: 'rand', order: 0, ops: ['free'] },
];

const GIB = 2 ** 30;
const PAGE = 4096;

/**
 * The buddy allocator as a subject: Linux's tuning (pcp high, vmstat threshold) is that of the
 * machine the profile describes — all its memory and CPUs — however few frames a run simulates.
 */
export function buddySubject(): CalibrationSubject {
  return {
    name: 'buddy',
    create: (machine, { frames, cores }) =>
      new BuddyAllocator({ frames, cores, machine, tuning: profileTuning(machine.profile) }),
    published: publishedBuddy,
  };
}

/** Blocks of `order` per core for `bytesPerCore`. */
function allocsFor(bytesPerCore: number, order: number): number {
  return Math.max(1, Math.floor(bytesPerCore / PAGE / 2 ** order));
}

/** Runs the single-core calibration benchmarks; one row per subject, bench, order and op. */
export function calibrate(options: CalibrationOptions = {}): CalibrationRow[] {
  const profile = options.profile ?? builtinProfile('xeon-gold-5320');
  const subjects = options.subjects ?? [buddySubject()];
  const bytesPerCore = options.bytesPerCore ?? GIB;
  const rows: CalibrationRow[] = [];
  for (const subject of subjects) {
    for (const { bench, order, ops } of CALIBRATION_RUNS) {
      const allocs = allocsFor(bytesPerCore, bench === 'repeat' ? 0 : order);
      const result = runFrameBench(subject.create, {
        bench,
        order,
        cores: 1,
        allocs,
        profile,
        warmupRounds: options.warmupRounds,
        seed: options.seed,
      });
      for (const op of ops) {
        const phase = result.phases[op]!;
        const published = subject.published.find(
          (f) => f.bench === bench && f.order === order && f.op === op,
        );
        const publishedNs = published?.ns ?? Number.NaN;
        rows.push({
          allocator: subject.name,
          bench,
          order,
          op,
          simulatedCycles: phase.cycles,
          simulatedNs: phase.ns,
          publishedNs,
          ratio: phase.ns / publishedNs,
        });
      }
    }
  }
  return rows;
}

export interface ScalingOptions {
  /** Default: the default profile. */
  profile?: Profile;
  /** Core counts to run (each at most what the profile has unless the machine is a what-if). */
  coreCounts: readonly number[];
  /** Default: the buddy allocator. */
  subject?: CalibrationSubject;
  /** Block order (default 0). */
  order?: number;
  /**
   * Bytes each core allocates (default 128 MiB: 32,768 frames, whose struct pages are twice a
   * core's private cache).
   */
  bytesPerCore?: number;
  warmupRounds?: number;
  seed?: number;
}

export interface ScalingRow {
  allocator: string;
  profile: string;
  cores: number;
  order: number;
  alloc: PhaseResult;
  free: PhaseResult;
}

/** bulk on each core count: cycles per op, lock wait and line transfers per op (a prediction). */
export function predictBulkScaling(options: ScalingOptions): ScalingRow[] {
  const subject = options.subject ?? buddySubject();
  const order = options.order ?? 0;
  const bytesPerCore = options.bytesPerCore ?? 128 * 2 ** 20;
  return options.coreCounts.map((cores) => {
    const result = runFrameBench(subject.create, {
      bench: 'bulk',
      order,
      cores,
      allocs: allocsFor(bytesPerCore, order),
      profile: options.profile,
      warmupRounds: options.warmupRounds,
      seed: options.seed,
    });
    return {
      allocator: subject.name,
      profile: result.profile,
      cores,
      order,
      alloc: result.phases.alloc!,
      free: result.phases.free!,
    };
  });
}
