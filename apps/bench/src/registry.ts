// The registry of systems, benchmarks and calibration sources: three static arrays, checked with
// `satisfies` where they are written (systems/index.ts) and here, so a system name, a target kind
// or a calibration source's system that does not exist fails to compile. A Registry made from
// them looks definitions up by the names the CLI and the workers get at run time; names are
// unique across a registry, and a duplicate added later throws naming where it came from.

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

/** Published figures `unimem calibrate` compares with, each on a frame-allocator system. */
export const CALIBRATION_SOURCES = [
  buddyAtc23,
  llfreeAtc23,
] as const satisfies readonly CalibrationSource<FrameSystemName>[];

export class Registry {
  readonly systems = new Map<string, SystemDefinition>();
  readonly benchmarks = new Map<string, BenchmarkDefinition>();
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

  addBenchmark(benchmark: BenchmarkDefinition, origin = 'addBenchmark'): void {
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

  /** The benchmark called `name`; a UsageError lists the registered ones. */
  benchmark(name: string): BenchmarkDefinition {
    const found = this.benchmarks.get(name);
    if (!found) {
      throw new UsageError(
        `unknown benchmark "${name}" (benchmarks: ${listOf(this.benchmarks.keys())})`,
      );
    }
    return found;
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
