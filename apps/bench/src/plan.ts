// Planning a sweep: from the names the user gave (or the default suite) to the list of cases
// (benchmark × system × variant × core count), each an independent deterministic simulation, with
// every benchmark's parameters resolved once for the whole sweep. With `--seeds`/`--iterations`
// every point becomes several cases (replicas) that the report joins into a mean and a spread. The sweep's id hashes all that
// determines the numbers, so shards of one sweep can be recognised and joined. All bad input is
// found here, before anything runs or is written (benchmark names arrive validated, as
// BenchmarkNames: the CLI parses them with Registry.parseBenchmarkNames).

import { createHash } from 'node:crypto';
import type { Profile } from '@unimem/hw';
import type {
  BenchmarkConfig,
  Case,
  Params,
  SweepInfo,
  SystemDefinition,
  TargetKind,
} from './api.js';
import { TARGET_NAMES } from './api.js';
import type { BenchmarkName, RegisteredBenchmark, Registry } from './registry.js';
import { listOf, UsageError } from './usage-error.js';

export interface SweepRequest {
  /** Benchmarks (Registry.parseBenchmarkNames validates what a user typed); empty: the default suite. */
  names: readonly BenchmarkName[];
  /** System names; undefined: every default system that fits. */
  systems?: readonly string[];
  /** Core counts; undefined: each benchmark's default. */
  cores?: readonly number[];
  scale: number;
  seed: number;
  /** `--seeds N`: each point runs with seeds seed..seed+N-1 (default 1). */
  seeds?: number;
  /** `--iterations N`: each seed runs N times, the machine re-seeded each time (default 1). */
  iterations?: number;
  /** `--config NAME`: a named configuration of one benchmark instead of its quick/full sizes. */
  config?: string;
  order: number;
  full: boolean;
  profile: Profile;
}

/** Most replicas (seeds × iterations) of one point. */
export const MAX_REPLICAS = 1000;

export interface Sweep {
  info: SweepInfo;
  /** Resolved parameters per benchmark name. */
  params: Map<BenchmarkName, Params>;
}

export function planSweep(registry: Registry, request: SweepRequest): Sweep {
  const seeds = request.seeds ?? 1;
  const iterations = request.iterations ?? 1;
  for (const [option, value] of [
    ['--seeds', seeds],
    ['--iterations', iterations],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new UsageError(`${option} ${value} must be a whole number of at least 1`);
    }
  }
  if (seeds * iterations > MAX_REPLICAS) {
    throw new UsageError(
      `--seeds ${seeds} × --iterations ${iterations} gives ${seeds * iterations} runs per point; at most ${MAX_REPLICAS}`,
    );
  }
  if (request.seed + seeds - 1 > 2 ** 32 - 1) {
    throw new UsageError(`--seed ${request.seed} with --seeds ${seeds} passes 4294967295`);
  }
  const replicated = seeds > 1 || iterations > 1;
  const config = request.config === undefined ? undefined : findConfig(registry, request);
  const benchmarks = config ? [config.benchmark] : selectBenchmarks(registry, request.names);
  const explicitSystems = request.systems !== undefined;
  const systems = explicitSystems
    ? unique(request.systems!).map((name) => registry.system(name))
    : [...registry.systems.values()].filter((system) => system.defaultSuite !== false);
  const pairs = pairUp(registry, benchmarks, systems, explicitSystems, request.names.length > 0);

  const params = new Map<BenchmarkName, Params>();
  const cases: Case[] = [];
  const usedCores = new Set<number>();
  for (const benchmark of benchmarks) {
    const targets = pairs.get(benchmark.name) ?? [];
    if (targets.length === 0) continue;
    const cores = [
      ...(request.cores ??
        config?.config.cores ??
        benchmark.cores[request.full || config ? 'full' : 'quick']),
    ];
    cores.sort((a, b) => a - b);
    const options = {
      full: request.full,
      scale: request.scale,
      order: request.order,
      cores,
      profile: request.profile,
    };
    const resolved = config
      ? { ...config.config.params(options), config: config.config.name }
      : benchmark.params(options);
    params.set(benchmark.name, resolved);
    const variants = benchmark.variants?.(resolved) ?? [undefined];
    // Boot runs on core 0 alone and draws nothing at random: every seed gives the same point.
    const [caseSeeds, caseIterations] = benchmark.measuresBoot ? [1, 1] : [seeds, iterations];
    for (const system of targets) {
      for (const variant of variants) {
        for (const count of cores) {
          usedCores.add(count);
          for (let k = 0; k < caseSeeds; k++) {
            for (let iteration = 0; iteration < caseIterations; iteration++) {
              const entry: Case = {
                index: cases.length,
                bench: benchmark.name,
                system: system.name,
                cores: count,
              };
              if (variant !== undefined) entry.variant = variant;
              if (caseSeeds * caseIterations > 1) {
                entry.seed = request.seed + k;
                entry.iteration = iteration;
              }
              cases.push(entry);
            }
          }
        }
      }
    }
  }
  if (cases.length === 0) throw new UsageError('nothing to run: no benchmark fits any system');

  const used = new Set(cases.map((c) => c.system));
  const info: Omit<SweepInfo, 'id'> = {
    benchmarks: benchmarks
      .filter((b) => params.has(b.name))
      .map((b) => ({
        name: b.name,
        description: b.description,
        target: b.target,
        params: params.get(b.name)!,
        metrics: b.metrics.map((m) => ({ ...m })),
        xAxis: typeof b.xAxis === 'object' ? b.xAxis.variant : 'cores',
        ...(b.chart ? { chart: { ...b.chart } } : {}),
      })),
    systems: systems
      .filter((s) => used.has(s.name))
      .map((s) => ({ name: s.name, description: s.description, provides: [...s.provides] })),
    cores: [...usedCores].sort((a, b) => a - b),
    seed: request.seed,
    ...(replicated ? { seeds, iterations } : {}),
    order: request.order,
    scale: request.scale,
    full: request.full,
    profile: request.profile,
    cases,
  };
  return { info: { id: sweepId(info), ...info }, params };
}

/** Hash of everything that determines the numbers (not the descriptions). */
export function sweepId(info: Omit<SweepInfo, 'id'>): string {
  const determining = {
    benchmarks: info.benchmarks.map((b) => ({ name: b.name, params: b.params })),
    systems: info.systems.map((s) => s.name),
    seed: info.seed,
    seeds: info.seeds,
    iterations: info.iterations,
    order: info.order,
    scale: info.scale,
    full: info.full,
    profile: info.profile,
    cases: info.cases,
  };
  return createHash('sha256').update(canonicalJson(determining)).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/** The benchmark that offers `--config NAME`; names, if given, must be that benchmark. */
function findConfig(
  registry: Registry,
  request: SweepRequest,
): { benchmark: RegisteredBenchmark; config: BenchmarkConfig } {
  const name = request.config!;
  const all = [...registry.benchmarks.values()].flatMap((benchmark) =>
    (benchmark.configs ?? []).map((config) => ({ benchmark, config })),
  );
  const found = all.find((entry) => entry.config.name === name);
  if (!found) {
    throw new UsageError(
      `unknown --config "${name}" (configs: ${listOf(all.map((e) => e.config.name))})`,
    );
  }
  if (request.full) {
    throw new UsageError(`--config ${name} sets the sizes itself; leave out --full`);
  }
  const others = request.names.filter((n) => n !== found.benchmark.name);
  if (others.length > 0) {
    throw new UsageError(
      `--config ${name} is a configuration of ${found.benchmark.name}, not of ${others.join(', ')}`,
    );
  }
  return found;
}

function selectBenchmarks(
  registry: Registry,
  names: readonly BenchmarkName[],
): RegisteredBenchmark[] {
  if (names.length === 0) {
    return [...registry.benchmarks.values()].filter((b) => b.defaultSuite !== false);
  }
  return unique(names).map((name) => registry.benchmark(name));
}

function pairUp(
  registry: Registry,
  benchmarks: RegisteredBenchmark[],
  systems: SystemDefinition[],
  explicitSystems: boolean,
  explicitBenchmarks: boolean,
): Map<BenchmarkName, SystemDefinition[]> {
  const pairs = new Map<BenchmarkName, SystemDefinition[]>();
  for (const benchmark of benchmarks) {
    const fitting = systems.filter((system) => system.provides.includes(benchmark.target));
    // The default suite runs each benchmark on the listed systems that fit it; a benchmark
    // asked for by name must fit one of them.
    if (fitting.length === 0 && explicitBenchmarks) {
      const could = registry.systemsFor(benchmark.target).map((s) => s.name);
      throw new UsageError(
        `benchmark ${benchmark.name} needs ${TARGET_NAMES[benchmark.target]}, which ${explicitSystems ? `none of --systems ${systems.map((s) => s.name).join(',')}` : 'no default system'} provides (systems with one: ${listOf(could)})`,
      );
    }
    pairs.set(benchmark.name, fitting);
  }
  if (explicitSystems) {
    for (const system of systems) {
      const used = benchmarks.some((b) => system.provides.includes(b.target));
      if (!used) {
        const kinds = system.provides.map((k: TargetKind) => TARGET_NAMES[k]).join(' and ');
        throw new UsageError(
          `system ${system.name} provides ${kinds}, which none of the benchmarks ${benchmarks.map((b) => b.name).join(', ')} drives`,
        );
      }
    }
  }
  return pairs;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
