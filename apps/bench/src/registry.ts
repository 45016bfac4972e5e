// The registries of systems, benchmarks and calibration sources. Each lives in its own file under
// src/systems/, src/benchmarks/ or src/calibration/, exporting `systems`, `benchmarks` or
// `calibrationSources` (arrays); `loadRegistry()` imports every file of those folders, so adding
// one is a one-file change. Names are unique across a registry; a duplicate or a file that
// exports nothing throws naming the file, so a mistake surfaces at the next run, not silently.

import { readdirSync } from 'node:fs';
import type {
  BenchmarkDefinition,
  CalibrationSource,
  Params,
  SystemDefinition,
  TargetKind,
} from './api.js';
import { TARGET_NAMES } from './api.js';
import { listOf, UsageError } from './usage-error.js';

const TARGETS = Object.keys(TARGET_NAMES) as TargetKind[];

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
      if (!TARGETS.includes(kind)) {
        throw new Error(`${origin}: system "${system.name}" provides unknown kind "${kind}"`);
      }
    }
    this.systems.set(system.name, system);
  }

  addBenchmark<P extends Params>(benchmark: BenchmarkDefinition<P>, origin = 'addBenchmark'): void {
    checkName(benchmark.name, 'benchmark', origin);
    if (this.benchmarks.has(benchmark.name)) {
      throw new Error(`${origin}: benchmark "${benchmark.name}" is registered twice`);
    }
    if (!TARGETS.includes(benchmark.target)) {
      throw new Error(
        `${origin}: benchmark "${benchmark.name}" targets unknown "${benchmark.target}"`,
      );
    }
    this.benchmarks.set(benchmark.name, benchmark as unknown as BenchmarkDefinition);
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

/** Module files of a registry folder: .ts/.js/.mjs sources, not declarations or tests. */
function moduleFiles(folder: URL): string[] {
  return readdirSync(folder)
    .filter((file) => /\.(ts|js|mjs)$/.test(file) && !/\.(d|test)\.[mc]?[jt]s$/.test(file))
    .sort();
}

async function importAll<T>(
  folder: string,
  exportName: string,
  add: (item: T, origin: string) => void,
): Promise<void> {
  const url = new URL(`./${folder}/`, import.meta.url);
  for (const file of moduleFiles(url)) {
    const origin = `src/${folder}/${file}`;
    const module = (await import(new URL(file, url).href)) as Record<string, unknown>;
    const items = module[exportName];
    if (!Array.isArray(items)) {
      throw new Error(`${origin} must export an array named "${exportName}"`);
    }
    for (const item of items as T[]) add(item, origin);
  }
}

let loaded: Promise<Registry> | undefined;

/** The registry of every system, benchmark and calibration source in the source folders. */
export function loadRegistry(): Promise<Registry> {
  loaded ??= (async () => {
    const registry = new Registry();
    await importAll<SystemDefinition>('systems', 'systems', (s, o) => registry.addSystem(s, o));
    await importAll<BenchmarkDefinition>('benchmarks', 'benchmarks', (b, o) =>
      registry.addBenchmark(b, o),
    );
    await importAll<CalibrationSource>('calibration', 'calibrationSources', (c, o) =>
      registry.addCalibrationSource(c, o),
    );
    return registry;
  })();
  return loaded;
}
