// Types of the benchmark runner: what a system and a benchmark are, with the parts a system
// builds typed by the target kinds it provides, what one simulated case measures, and the
// self-describing result set every run writes. Only types live here; the mechanisms are one per
// file, and the registered definitions are the static arrays of registry.ts.

import type { FrameAllocator, Malloc, MemorySystem } from '@unimem/core';
import type { Machine, Profile, ProgramFactory } from '@unimem/hw';
import type { PublishedFigures } from '@unimem/hw/frame-bench';

// ---------------------------------------------------------------------------------------------
// Systems

/**
 * What a benchmark of each target kind is handed. `memory-system` is a whole preset (a
 * MemorySystem, the malloc over it and OSv-style footprint statistics: `MemorySystemParts`); the
 * thesis' micro-benchmarks drive it.
 */
export interface TargetParts {
  frames: FrameAllocator;
  memory: MemorySystem;
  malloc: Malloc;
  'memory-system': MemorySystemParts;
}

/** The kind of component a benchmark drives: a key of TargetParts. */
export type TargetKind = keyof TargetParts;

/** Human names of the target kinds, for messages. */
export const TARGET_NAMES = {
  frames: 'a frame allocator',
  memory: 'a memory system',
  malloc: 'a malloc',
  'memory-system': 'a memory-system preset (memory + malloc)',
} as const satisfies Readonly<Record<TargetKind, string>>;

/** Every target kind, in TARGET_NAMES' order. */
export const TARGET_KINDS = Object.keys(TARGET_NAMES) as TargetKind[];

/** What a system builds on a machine for one case. */
export interface BuildContext {
  machine: Machine;
  /** Cores of the case (the machine has exactly these). */
  cores: number;
  /** Physical memory the benchmark asked for. */
  memoryBytes: number;
  seed: number;
  /**
   * Whether the system boots its memory system in build() (true), or hands it out unbooted
   * (false) because the benchmark measures boot itself (`measuresBoot`). Frame systems ignore it.
   */
  boot: boolean;
}

/**
 * A MemorySystem preset as the micro-benchmarks drive it (target kind `memory-system`). Build it
 * with `memorySystemParts()` (src/memory-system.ts).
 */
export interface MemorySystemParts {
  /** The memory subsystem on the case's machine; booted unless `BuildContext.boot` was false. */
  memory: MemorySystem;
  /** The malloc over `memory`; usable once `memory` is booted. */
  readonly malloc: Malloc;
  /**
   * Free physical bytes as OSv's `memory::stats::free()` reports them: pages parked in per-core
   * or global page pools count as used (the footprint metric depends on it).
   */
  freePhysBytes(): number;
  /**
   * The preset's own event counts beyond the machine's (page-pool refills, jemalloc purges, …);
   * the benchmarks sample them before and after a timed part. Optional.
   */
  counters?(): Record<string, number>;
}

/** The parts a system hands a benchmark, by target kind (any subset). */
export type SystemParts = Partial<TargetParts>;

/**
 * The parts of a system that provides kind K: that part is there, typed, so a benchmark of kind
 * K uses `parts[K]` without checking it. Distributes over a union: a definition looked up by a
 * name given at run time has one of its kinds' parts, and the runner checks which, once.
 */
export type PartsOf<K extends TargetKind> = K extends TargetKind
  ? Pick<TargetParts, K> & SystemParts
  : never;

export interface SystemDefinition<N extends string = string, K extends TargetKind = TargetKind> {
  /** CLI name, e.g. `llfree`, `osv-superblock+jemalloc`. */
  name: N;
  description: string;
  /** Target kinds the parts can serve. */
  provides: readonly K[];
  /** Part of the default suite (`unimem bench` without --systems). Default true. */
  defaultSuite?: boolean;
  /** Builds fresh parts on the case's machine (charging it for everything they touch). */
  build(context: BuildContext): PartsOf<K>;
}

// ---------------------------------------------------------------------------------------------
// Benchmarks

/** How the runner was asked to size a benchmark. */
export interface ParamOptions {
  /** `--full`: the published sizes instead of the quick defaults. */
  full: boolean;
  /** `--scale F` (> 0): multiplies the work (and memory) of every case. */
  scale: number;
  /** `--order K`, for benchmarks that take an order. */
  order: number;
  /** Core counts of the sweep (sorted ascending); some rules size work by the largest. */
  cores: readonly number[];
  profile: Profile;
}

/** Plain JSON-able parameters of one benchmark in one sweep (recorded with every point). */
export type Params = Record<string, number | string | boolean>;

/** An extra sweep dimension of a benchmark (e.g. an allocation size); becomes `point.variant`. */
export type Variant = number | string;

/** Everything a benchmark sets up one case with. */
export interface CaseContext<P extends Params = Params, K extends TargetKind = TargetKind> {
  machine: Machine;
  /** The system's parts: those of the benchmark's target kind K are there. */
  parts: PartsOf<K>;
  cores: number;
  params: P;
  variant?: Variant;
  seed: number;
}

/** The context of a case of a benchmark that drives a memory-system preset. */
export type PresetCase<P extends Params = Params> = CaseContext<P, 'memory-system'>;

/** One metric of one case, before the runner adds bench, system, cores, ... */
export interface Measurement {
  metric: string;
  value: number;
  unit: string;
  /** Operations the value averages over (all cores together). */
  ops: number;
  /** The model's counters during the measured phase, summed over cores. */
  counters: Record<string, number>;
}

/** A prepared case: the program per core, and how to read the results after the run. */
export interface PreparedCase {
  program: ProgramFactory;
  results(): Measurement[];
}

export interface MetricInfo {
  name: string;
  unit: string;
  description: string;
}

/** How the report draws a benchmark's figures. */
export interface ChartOptions {
  /** `lines` (default) or `bars` (one group per x value, one bar per series). */
  kind?: 'lines' | 'bars';
  /** One figure per variant (series per system) instead of one series per system and variant. */
  perVariant?: boolean;
  /** A log2 x axis (sizes spanning several octaves); default: chosen from the data. */
  logX?: boolean;
}

export interface BenchmarkDefinition<
  P extends Params = Params,
  K extends TargetKind = TargetKind,
  N extends string = string,
> {
  /** CLI name, e.g. `frames.bulk`, `mmap` (a literal type in BENCHMARKS: BenchmarkName). */
  name: N;
  description: string;
  /** The part it drives: a system must provide this kind. */
  target: K;
  metrics: readonly MetricInfo[];
  /** Whether `--order` applies. */
  usesOrder?: boolean;
  /** Part of the default suite (`unimem bench` without names). Default true. */
  defaultSuite?: boolean;
  /**
   * The benchmark boots the memory system itself (boot time): systems build it unbooted
   * (`BuildContext.boot` false). Default false.
   */
  measuresBoot?: boolean;
  /** Default core counts: quick and `--full`. */
  cores: { quick: readonly number[]; full: readonly number[] };
  /** Resolves the parameters of a sweep; throws RangeError naming a bad value. */
  params(options: ParamOptions): P;
  /** Physical memory the system must manage for these parameters (and the case's variant). */
  memoryBytes(params: P, options: { profile: Profile; variant?: Variant }): number;
  /** Variants (an extra sweep dimension); default: none. */
  variants?(params: P): readonly Variant[];
  /** What the charts put on the x axis: core counts (default) or the variant. */
  xAxis?: 'cores' | { variant: string };
  /** How the report draws it; default lines, all variants in one chart. */
  chart?: ChartOptions;
  /** Builds the per-core programs of one case. */
  prepare(context: CaseContext<P, K>): PreparedCase;
  /** The thesis' other configurations of this benchmark (`--config NAME`, `unimem list`). */
  configs?: readonly BenchmarkConfig<P>[];
}

/** A named configuration (`--config NAME`): other published sizes of the same benchmark. */
export interface BenchmarkConfig<P extends Params = Params> {
  name: string;
  /** What it is and where it comes from (the thesis' config file). */
  description: string;
  /** Core counts (default: the benchmark's `--full` ones). */
  cores?: readonly number[];
  /** Its parameters; `scale` multiplies the work and memory as for the default sizes. */
  params(options: ParamOptions): P;
}

// ---------------------------------------------------------------------------------------------
// Calibration

/**
 * Published single-core figures of one allocator (with their roles: fitted or prediction) and the
 * registered frames system they calibrate; `unimem calibrate` runs them (src/calibrate.ts).
 */
export interface CalibrationSource<S extends string = string> {
  name: string;
  description: string;
  /** Name of a registered system that provides `frames`. */
  system: S;
  published: PublishedFigures;
}

// ---------------------------------------------------------------------------------------------
// Results

/** One independent simulation of a sweep. */
export interface Case {
  /** Position in the whole sweep (stable across shards). */
  index: number;
  bench: string;
  system: string;
  cores: number;
  variant?: Variant;
  /**
   * Replicas (`--seeds`, `--iterations`; absent when both are 1): the workload's seed (random
   * draws, jemalloc's) and the iteration, a re-run with the same workload on a machine whose
   * scheduler is seeded differently (the thesis' repeated boots).
   */
  seed?: number;
  iteration?: number;
}

/** One number of a result set. Fields are deterministic: the same sweep gives the same points. */
export interface Point {
  bench: string;
  system: string;
  cores: number;
  metric: string;
  value: number;
  unit: string;
  counters: Record<string, number>;
  ops: number;
  order: number | null;
  variant: Variant | null;
  seed: number;
  /** Iteration of the case (0-based; `--iterations`); absent in older result sets. */
  iteration?: number;
  params: Params;
  /** Index of the case in the sweep. */
  case: number;
}

export interface HostInfo {
  hostname: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
}

/** Everything that determines the numbers of a sweep (hashed into `id`). */
export interface SweepInfo {
  id: string;
  benchmarks: Array<{
    name: string;
    description: string;
    target: TargetKind;
    params: Params;
    metrics: MetricInfo[];
    /** `cores`, or the name of the variant the charts put on the x axis. */
    xAxis: string;
    /** How the report draws it (absent: lines, variants as series). */
    chart?: ChartOptions;
  }>;
  systems: Array<{ name: string; description: string; provides: TargetKind[] }>;
  cores: number[];
  seed: number;
  /** `--seeds N`: seeds seed..seed+N-1 per point (absent in older result sets: 1). */
  seeds?: number;
  /** `--iterations N` per seed (absent in older result sets: 1). */
  iterations?: number;
  order: number;
  scale: number;
  full: boolean;
  profile: Profile;
  cases: Case[];
}

export interface ResultMeta {
  format: 'unimem-results/1';
  /** Every case of the sweep (or shard) finished. */
  complete: boolean;
  interrupted: boolean;
  sweep: SweepInfo;
  /** Cases this result set was asked to run (all of the sweep, or one shard). */
  selected: number[];
  /** Selected cases without points (interrupted or failed). */
  missing: number[];
  shard: { index: number; count: number } | null;
  /** Result sets merged into this one (`unimem merge`). */
  mergedFrom: string[];
  command: string;
  argv: string[];
  cwd: string;
  host: HostInfo;
  versions: Record<string, string>;
  startedAt: string;
  finishedAt: string;
  jobs: number;
  /** Host milliseconds per case (not deterministic, so not in the points). */
  caseHostMs: Record<string, number>;
  /** Why no projected TPC-H query times were derived (absent when they were, or no tpch). */
  projectionSkipped?: string;
}

export interface ResultSet {
  points: Point[];
  meta: ResultMeta;
}
