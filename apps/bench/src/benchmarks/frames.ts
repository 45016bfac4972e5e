// Frame-level benchmarks of the LLFree artifact on any system that provides a FrameAllocator:
// frames.bulk, frames.repeat and frames.rand run the one frame-benchmark loop of
// @unimem/hw/frame-bench (its definitions, and its warm-up policy: one untimed round first, see
// docs/calibration.md); this file only sizes them and turns their phases
// into measurements. Sizing follows the artifact: allocs = mem_GiB * 512 * 512 / max_cores / 2 /
// 2^order, so half of memory is allocated at the largest core count of the sweep. Quick runs use
// 8 GiB of memory (128 LLFree trees: at least two per core at 64 cores), frames.rand 16 GiB (its
// shuffled frees must reach past the private cache, as at --full: apps/bench/README.md, "Quick vs
// full sizes"); --full uses the profile's memory (60 GiB on epyc-9654p-guest). --scale
// multiplies the memory, and with it the allocations.

import { formatBytes, GiB, PAGE_SIZE } from '@unimem/core';
import {
  artifactAllocs,
  FRAME_BENCH_OPS,
  type FrameBenchName,
  prepareFrameBench,
} from '@unimem/hw/frame-bench';
import type { BenchmarkDefinition, CaseContext, MetricInfo, ParamOptions } from '../api.js';
import { QUICK_CORES } from '../micro.js';

/** Memory of quick runs (before --scale). */
export const QUICK_MEMORY_GIB = 8;
/**
 * frames.rand's quick memory: 16 GiB gives 32,768 frames per core, 2 MiB of 64-byte struct
 * pages, twice the private cache (1 MiB), so buddy's shuffled frees at 1 core miss it as they do
 * at --full; at 8 GiB (1 MiB) they hit it and buddy ranked ahead of llfree, the reverse of --full.
 */
export const QUICK_RAND_MEMORY_GIB = 16;
/** LLFree needs at least 1024 frames; so does every frame benchmark here. */
const MIN_FRAMES = 1024;

export type FrameParams = {
  order: number;
  memoryBytes: number;
  allocsPerCore: number;
  maxCores: number;
};

/** The thesis harness' thread counts (bulk.conf). */
const FULL_CORES = [1, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64];

function frameParams(name: string, quickMemoryGiB: number) {
  return ({ full, scale, order, cores, profile }: ParamOptions): FrameParams => {
    const memoryGiB = (full ? profile.memoryBytes.value / GiB : quickMemoryGiB) * scale;
    const frames = Math.floor((memoryGiB * GiB) / PAGE_SIZE);
    const memoryBytes = frames * PAGE_SIZE;
    if (frames < MIN_FRAMES) {
      throw new RangeError(
        `${name}: --scale ${scale} leaves ${formatBytes(memoryBytes)} of memory; frame benchmarks need at least ${formatBytes(MIN_FRAMES * PAGE_SIZE)}`,
      );
    }
    const maxCores = Math.max(...cores);
    const allocsPerCore = artifactAllocs(memoryBytes, maxCores, order);
    if (allocsPerCore < 1) {
      throw new RangeError(
        `${name}: --order ${order} with ${formatBytes(memoryBytes)} at ${maxCores} cores leaves no allocation per core; raise --scale or lower --order`,
      );
    }
    return { order, memoryBytes, allocsPerCore, maxCores };
  };
}

const METRICS: Record<string, MetricInfo> = {
  alloc: { name: 'alloc', unit: 'cycles/op', description: 'one get, mean over cores' },
  free: { name: 'free', unit: 'cycles/op', description: 'one put' },
  pair: { name: 'pair', unit: 'cycles/op', description: 'one get plus one put' },
};

function frameBenchmark<B extends FrameBenchName>(
  bench: B,
  description: string,
  quickMemoryGiB = QUICK_MEMORY_GIB,
): BenchmarkDefinition<FrameParams, 'frames', `frames.${B}`> {
  const name = `frames.${bench}` as const;
  return {
    name,
    description,
    target: 'frames',
    usesOrder: true,
    cores: { quick: QUICK_CORES, full: FULL_CORES },
    memoryBytes: (params: FrameParams) => params.memoryBytes,
    metrics: FRAME_BENCH_OPS[bench].map((op) => METRICS[op]),
    params: frameParams(name, quickMemoryGiB),
    prepare({ machine, parts, cores, params, seed }: CaseContext<FrameParams, 'frames'>) {
      const prepared = prepareFrameBench(machine, parts.frames, {
        bench,
        order: params.order,
        cores,
        allocs: params.allocsPerCore,
        seed,
      });
      return {
        program: prepared.program,
        results: () =>
          prepared.phases().map((phase) => ({
            metric: phase.op,
            value: phase.cycles,
            unit: 'cycles/op',
            ops: phase.ops,
            counters: phase.counters,
          })),
      };
    },
  };
}

export const benchmarks = [
  frameBenchmark(
    'bulk',
    'each core allocates N frames, barrier, frees them in order (LLFree artifact bulk)',
  ),
  frameBenchmark(
    'repeat',
    'each core allocates and immediately frees one frame, N times (LLFree artifact repeat)',
  ),
  frameBenchmark(
    'rand',
    'each core allocates N frames, core 0 shuffles all across cores (seeded), each frees its share; only the free is timed (LLFree artifact rand)',
    QUICK_RAND_MEMORY_GIB,
  ),
];
