// Frame-level benchmarks of the LLFree artifact (shared/reference/llfree.md §5), on any system
// that provides a FrameAllocator:
// - frames.bulk: each core allocates `allocs` frames, barrier, frees them in order (alloc and
//   free reported separately);
// - frames.repeat: each core allocates and immediately frees one frame, `allocs` times (cycles
//   per pair);
// - frames.rand: each core allocates `allocs` frames, core 0 shuffles all of them across cores
//   (seeded), each core frees its shuffled share; only the free is timed.
// Sizing follows the artifact: allocs = mem_GiB * 512 * 512 / max_cores / 2 / 2^order, so half
// of memory is allocated at the largest core count of the sweep. Quick runs use 8 GiB of memory
// (128 LLFree trees: at least two per core at 64 cores); --full uses the profile's memory (60 GiB
// on epyc-9654p-guest). --scale multiplies the memory, and with it the allocations.

import { allocErrorName, type FrameAllocator, mulberry32 } from '@unimem/core';
import type { BenchmarkDefinition, CaseContext, ParamOptions, SystemParts } from '../api.js';
import { Phase } from '../measure.js';
import { FRAME_BYTES, formatBytes, GIB } from '../units.js';

/** Memory of quick runs (before --scale). */
export const QUICK_MEMORY_GIB = 8;
/** LLFree needs at least 1024 frames; so does every frame benchmark here. */
const MIN_FRAMES = 1024;

export type FrameParams = {
  order: number;
  memoryBytes: number;
  allocsPerCore: number;
  maxCores: number;
};

const QUICK_CORES = [1, 2, 4, 8, 16, 32, 64];
/** The thesis harness' thread counts (bulk.conf). */
const FULL_CORES = [1, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64];

function frameParams(name: string) {
  return ({ full, scale, order, cores, profile }: ParamOptions): FrameParams => {
    const memoryGiB = (full ? profile.memoryBytes.value / GIB : QUICK_MEMORY_GIB) * scale;
    const frames = Math.floor((memoryGiB * GIB) / FRAME_BYTES);
    const memoryBytes = frames * FRAME_BYTES;
    if (frames < MIN_FRAMES) {
      throw new RangeError(
        `${name}: --scale ${scale} leaves ${formatBytes(memoryBytes)} of memory; frame benchmarks need at least ${formatBytes(MIN_FRAMES * FRAME_BYTES)}`,
      );
    }
    const maxCores = Math.max(...cores);
    const allocsPerCore = Math.floor((memoryGiB * 512 * 512) / maxCores / 2 / 2 ** order);
    if (allocsPerCore < 1) {
      throw new RangeError(
        `${name}: --order ${order} with ${formatBytes(memoryBytes)} at ${maxCores} cores leaves no allocation per core; raise --scale or lower --order`,
      );
    }
    return { order, memoryBytes, allocsPerCore, maxCores };
  };
}

function allocatorOf(parts: SystemParts): FrameAllocator {
  if (!parts.frames) throw new Error('the system built no frame allocator');
  return parts.frames;
}

function getOrThrow(
  bench: string,
  frames: FrameAllocator,
  core: number,
  order: number,
  done: number,
): number {
  const frame = frames.get(core, order);
  if (frame < 0) {
    throw new Error(
      `${bench} on ${frames.name}: get(core ${core}, order ${order}) failed with ${allocErrorName(frame)} after ${done} allocations`,
    );
  }
  return frame;
}

function putOrThrow(
  bench: string,
  frames: FrameAllocator,
  core: number,
  frame: number,
  order: number,
) {
  const status = frames.put(core, frame, order);
  if (status !== 0) {
    throw new Error(
      `${bench} on ${frames.name}: put(core ${core}, frame ${frame}, order ${order}) failed with ${allocErrorName(status)}`,
    );
  }
}

const common = {
  target: 'frames' as const,
  usesOrder: true,
  cores: { quick: QUICK_CORES, full: FULL_CORES },
  memoryBytes: (params: FrameParams) => params.memoryBytes,
};

const bulk: BenchmarkDefinition<FrameParams> = {
  ...common,
  name: 'frames.bulk',
  description: 'each core allocates N frames, barrier, frees them in order (LLFree artifact bulk)',
  metrics: [
    { name: 'alloc', unit: 'cycles/op', description: 'one get, mean over cores' },
    { name: 'free', unit: 'cycles/op', description: 'one put, in allocation order' },
  ],
  params: frameParams('frames.bulk'),
  prepare({ machine, parts, cores, params }: CaseContext<FrameParams>) {
    const frames = allocatorOf(parts);
    const { order, allocsPerCore: n } = params;
    const barrier = machine.barrier(cores);
    const alloc = new Phase(machine, 'alloc');
    const free = new Phase(machine, 'free');
    return {
      program: (core) =>
        (function* () {
          const held = new Float64Array(n);
          yield barrier;
          alloc.begin(core);
          for (let i = 0; i < n; i++) {
            held[i] = getOrThrow('frames.bulk', frames, core, order, i);
            yield;
          }
          alloc.end(core, n);
          yield barrier;
          free.begin(core);
          for (let i = 0; i < n; i++) {
            putOrThrow('frames.bulk', frames, core, held[i], order);
            yield;
          }
          free.end(core, n);
        })(),
      results: () => [alloc.measurement(), free.measurement()],
    };
  },
};

const repeat: BenchmarkDefinition<FrameParams> = {
  ...common,
  name: 'frames.repeat',
  description:
    'each core allocates and immediately frees one frame, N times (LLFree artifact repeat)',
  metrics: [{ name: 'pair', unit: 'cycles/op', description: 'one get plus one put' }],
  params: frameParams('frames.repeat'),
  prepare({ machine, parts, cores, params }: CaseContext<FrameParams>) {
    const frames = allocatorOf(parts);
    const { order, allocsPerCore: n } = params;
    const barrier = machine.barrier(cores);
    const pair = new Phase(machine, 'pair');
    return {
      program: (core) =>
        (function* () {
          yield barrier;
          pair.begin(core);
          for (let i = 0; i < n; i++) {
            const frame = getOrThrow('frames.repeat', frames, core, order, i);
            yield;
            putOrThrow('frames.repeat', frames, core, frame, order);
            yield;
          }
          pair.end(core, n);
        })(),
      results: () => [pair.measurement()],
    };
  },
};

const rand: BenchmarkDefinition<FrameParams> = {
  ...common,
  name: 'frames.rand',
  description:
    'each core allocates N frames, core 0 shuffles all across cores (seeded), each frees its share; only the free is timed (LLFree artifact rand)',
  metrics: [{ name: 'free', unit: 'cycles/op', description: 'one put of a shuffled frame' }],
  params: frameParams('frames.rand'),
  prepare({ machine, parts, cores, params, seed }: CaseContext<FrameParams>) {
    const frames = allocatorOf(parts);
    const { order, allocsPerCore: n } = params;
    const barrier = machine.barrier(cores);
    const all = new Float64Array(cores * n);
    const free = new Phase(machine, 'free');
    return {
      program: (core) =>
        (function* () {
          for (let i = 0; i < n; i++) {
            all[core * n + i] = getOrThrow('frames.rand', frames, core, order, i);
            yield;
          }
          yield barrier;
          if (core === 0) shuffle(all, mulberry32(seed));
          yield barrier;
          free.begin(core);
          for (let i = core * n; i < (core + 1) * n; i++) {
            putOrThrow('frames.rand', frames, core, all[i], order);
            yield;
          }
          free.end(core, n);
        })(),
      results: () => [free.measurement()],
    };
  },
};

/** Fisher-Yates with a seeded generator. */
function shuffle(items: Float64Array, random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = items[i];
    items[i] = items[j];
    items[j] = swap;
  }
}

export const benchmarks = [bulk, repeat, rand];
