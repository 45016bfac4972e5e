// The registry of systems, benchmarks and calibration sources: three static arrays, checked with
// `satisfies` where they are written (systems/index.ts) and here, so a system name, a target kind
// or a calibration source's system that does not exist fails to compile. Benchmark names are a
// literal union derived from BENCHMARKS (`BenchmarkName`, as `SystemName` is from SYSTEMS): a
// string from outside (the command line, a sweep read back) becomes one only through
// parseBenchmarkName(s), once, and everything after that passes the typed name. A Registry made
// from the arrays looks definitions up; names are unique across a registry, and a duplicate added
// later throws naming where it came from.

import type {
  BenchmarkDefinition,
  CalibrationSource,
  Params,
  SystemDefinition,
  TargetKind,
} from './api.js';
import { TARGET_KINDS } from './api.js';
import { benchmarks as boot } from './benchmarks/boot.js';
import { benchmarks as bufmgr } from './benchmarks/bufmgr.js';
import { benchmarks as bulk } from './benchmarks/bulk.js';
import { benchmarks as footprint } from './benchmarks/footprint.js';
import { benchmarks as frames } from './benchmarks/frames.js';
import { benchmarks as mmap } from './benchmarks/mmap.js';
import { benchmarks as pipeline } from './benchmarks/pipeline.js';
import { benchmarks as random } from './benchmarks/random.js';
import { benchmarks as repeat } from './benchmarks/repeat.js';
import { benchmarks as tpch } from './benchmarks/tpch.js';
import { buddyAtc23 } from './calibration/buddy.js';
import { llfreeAtc23 } from './calibration/llfree.js';
import { type FrameSystemName, SYSTEMS } from './systems/index.js';
import { listOf, UsageError } from './usage-error.js';

/** Every benchmark, in the order sweeps list them. */
export const BENCHMARKS = [
  ...boot,
  ...bufmgr,
  ...bulk,
  ...footprint,
  ...frames,
  ...mmap,
  ...pipeline,
  ...random,
  ...repeat,
  ...tpch,
] as const satisfies readonly BenchmarkDefinition<Params, TargetKind>[];

/** A benchmark in BENCHMARKS. */
export type KnownBenchmark = (typeof BENCHMARKS)[number];
/** The name of a benchmark in BENCHMARKS (`frames.bulk`, `mmap`, …). */
export type BenchmarkName = KnownBenchmark['name'];
/** A registered benchmark, its name typed. */
export type RegisteredBenchmark = BenchmarkDefinition<Params, TargetKind, BenchmarkName>;

/** Published figures `unimem calibrate` compares with, each on a frame-allocator system. */
export const CALIBRATION_SOURCES = [
  buddyAtc23,
  llfreeAtc23,
] as const satisfies readonly CalibrationSource<FrameSystemName>[];

export class Registry {
  readonly systems = new Map<string, SystemDefinition>();
  readonly benchmarks = new Map<BenchmarkName, RegisteredBenchmark>();
  readonly calibrationSources: CalibrationSource[] = [];

  addSystem(system: SystemDefinition, origin = 'addSystem'): void {
    checkName(system.name, 'system', origin);
    if (this.systems.has(system.name)) {
      throw new Error(`${origin}: system "${system.name}" is registered twice`);
    }
    for (const kind of system.provides) {
      if (!TARGET_KINDS.includes(kind)) {
        throw new Error(`${origin}: system "${system.name}" provides unknown kind "${kind}"`);
      }
    }
    this.systems.set(system.name, system);
  }

  addBenchmark(benchmark: RegisteredBenchmark, origin = 'addBenchmark'): void {
    checkName(benchmark.name, 'benchmark', origin);
    if (this.benchmarks.has(benchmark.name)) {
      throw new Error(`${origin}: benchmark "${benchmark.name}" is registered twice`);
    }
    if (!TARGET_KINDS.includes(benchmark.target)) {
      throw new Error(
        `${origin}: benchmark "${benchmark.name}" targets unknown "${benchmark.target}"`,
      );
    }
    this.benchmarks.set(benchmark.name, benchmark);
  }

  addCalibrationSource(source: CalibrationSource, origin = 'addCalibrationSource'): void {
    if (this.calibrationSources.some((known) => known.name === source.name)) {
      throw new Error(`${origin}: calibration source "${source.name}" is registered twice`);
    }
    this.calibrationSources.push(source);
  }

  /** The system called `name`; a UsageError lists the registered ones. */
  system(name: string): SystemDefinition {
    const found = this.systems.get(name);
    if (!found) {
      throw new UsageError(`unknown system "${name}" (systems: ${listOf(this.systems.keys())})`);
    }
    return found;
  }

  /** The benchmark called `name` (a registry made of fewer arrays may lack it: UsageError). */
  benchmark(name: BenchmarkName): RegisteredBenchmark {
    const found = this.benchmarks.get(name);
    if (!found) throw this.unknownBenchmark(name);
    return found;
  }

  /** `text` as the name of a registered benchmark; a UsageError lists the registered ones. */
  parseBenchmarkName(text: string): BenchmarkName {
    const found = this.benchmarks.get(text as BenchmarkName);
    if (!found) throw this.unknownBenchmark(text);
    return found.name;
  }

  /**
   * Benchmark names or patterns as a user gives them (a trailing `*` matches a prefix, in
   * registration order) as the names of registered benchmarks, each once, in the order given.
   * A name nobody registered, or a pattern that matches nothing, is a UsageError.
   */
  parseBenchmarkNames(texts: readonly string[]): BenchmarkName[] {
    const names: BenchmarkName[] = [];
    for (const text of new Set(texts)) {
      if (!text.endsWith('*')) {
        names.push(this.parseBenchmarkName(text));
        continue;
      }
      const prefix = text.slice(0, -1);
      const matches = [...this.benchmarks.keys()].filter((name) => name.startsWith(prefix));
      if (matches.length === 0) {
        throw new UsageError(
          `benchmark pattern "${text}" matches nothing (benchmarks: ${listOf(this.benchmarks.keys())})`,
        );
      }
      names.push(...matches);
    }
    return [...new Set(names)];
  }

  private unknownBenchmark(text: string): UsageError {
    return new UsageError(
      `unknown benchmark "${text}" (benchmarks: ${listOf(this.benchmarks.keys())})`,
    );
  }

  /** Systems that can run a benchmark of this target kind. */
  systemsFor(kind: TargetKind): SystemDefinition[] {
    return [...this.systems.values()].filter((system) => system.provides.includes(kind));
  }
}

function checkName(name: string, what: string, origin: string): void {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9.+_-]*$/.test(name)) {
    throw new Error(`${origin}: ${what} name "${name}" must match [a-z0-9][a-z0-9.+_-]*`);
  }
}

let shared: Registry | undefined;

/** A new registry of every system, benchmark and calibration source in the static arrays. */
export function createRegistry(): Registry {
  const registry = new Registry();
  for (const system of SYSTEMS) registry.addSystem(system, 'SYSTEMS');
  for (const benchmark of BENCHMARKS) registry.addBenchmark(benchmark, 'BENCHMARKS');
  for (const source of CALIBRATION_SOURCES) {
    registry.addCalibrationSource(source, 'CALIBRATION_SOURCES');
  }
  return registry;
}

/** The registry of the CLI and the workers (made once; a promise, as when it imported folders). */
export function loadRegistry(): Promise<Registry> {
  shared ??= createRegistry();
  return Promise.resolve(shared);
}
