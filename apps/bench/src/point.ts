// Running one case of a sweep: a fresh machine with the sweep's profile, seed and the case's core
// count; the system built on it (by core 0, as at boot, after which every core starts at the same
// clock); the benchmark's programs run to completion; one point per metric. A case depends only on
// the sweep and its index, so any worker, in any order, gives the same points. A replica of a
// point (`--seeds`, `--iterations`) carries its own workload seed and iteration: the workload
// (random draws, the system's own seed) uses the seed, and the machine's scheduler (its
// tie-breaking between cores at equal clocks) is seeded from seed and iteration together, so
// iterations repeat one workload as the thesis' repeated boots do and only the timing may differ.

import { Machine } from '@unimem/hw';
import type { Point, SweepInfo } from './api.js';
import type { Registry } from './registry.js';

export interface RunCaseOptions {
  /**
   * Called with the case's machine before the system is built on it: for diagnostics that
   * switch on the machine's optional accounting (e.g. `machine.lines.countByRegion(true)`).
   */
  onMachine?: (machine: Machine) => void;
}

export function runCase(
  registry: Registry,
  sweep: SweepInfo,
  index: number,
  options: RunCaseOptions = {},
): Point[] {
  const entry = sweep.cases[index];
  if (!entry) throw new RangeError(`case ${index} is not in sweep ${sweep.id}`);
  // A sweep is data (a worker gets it as a message): its names are parsed, once, here.
  const benchmark = registry.benchmark(registry.parseBenchmarkName(entry.bench));
  const system = registry.system(entry.system);
  const params = sweep.benchmarks.find((b) => b.name === entry.bench)?.params;
  if (!params) throw new Error(`sweep ${sweep.id} has no parameters for ${entry.bench}`);
  const { profile } = sweep;
  const seed = entry.seed ?? sweep.seed;
  const iteration = entry.iteration ?? 0;

  const machine = new Machine({ profile, cores: entry.cores, seed: machineSeed(seed, iteration) });
  options.onMachine?.(machine);
  const parts = system.build({
    machine,
    cores: entry.cores,
    memoryBytes: benchmark.memoryBytes(params, { profile, variant: entry.variant }),
    seed,
    boot: benchmark.measuresBoot !== true,
  });
  if (!parts[benchmark.target]) {
    throw new Error(
      `system ${system.name} built no ${benchmark.target} part for ${benchmark.name}`,
    );
  }
  let booted = 0;
  for (let core = 0; core < entry.cores; core++) booted = Math.max(booted, machine.now(core));
  for (let core = 0; core < entry.cores; core++) machine.advanceTo(booted, core);

  const prepared = benchmark.prepare({
    machine,
    parts,
    cores: entry.cores,
    params,
    variant: entry.variant,
    seed,
  });
  machine.run(prepared.program, { cores: entry.cores });

  const declared = new Set(benchmark.metrics.map((m) => m.name));
  return prepared.results().map((m) => {
    if (!declared.has(m.metric)) {
      throw new Error(`${benchmark.name} measured undeclared metric "${m.metric}"`);
    }
    return {
      bench: entry.bench,
      system: entry.system,
      cores: entry.cores,
      metric: m.metric,
      value: m.value,
      unit: m.unit,
      counters: m.counters,
      ops: m.ops,
      order: benchmark.usesOrder ? sweep.order : null,
      variant: entry.variant ?? null,
      seed,
      ...(entry.iteration !== undefined ? { iteration } : {}),
      params,
      case: index,
    };
  });
}

/** The scheduler's seed: the workload seed itself for iteration 0, else a mix of both. */
export function machineSeed(seed: number, iteration: number): number {
  if (iteration === 0) return seed;
  let h = (seed ^ Math.imul(iteration, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
