// Micro-benchmark `pipeline` (thesis pipeline.cpp, pipeline.conf): core i mallocs g objects into
// its own vector, waits (the thesis polls with sleep(1); here `waitUntil`, free of charge) until
// core (i+1) % n has allocated all of its objects, then frees the neighbour's objects — so every
// free is cross-core (one core frees its own). Alloc and free are reported separately. The cores'
// phases overlap (no barrier, as in the thesis), so counters are attributed per core: the events
// each core was charged between its own marks (Phase). Sizes 20, 100, 400 and 4096 bytes, one
// figure each. The objects are not written. --full: g = 200,000 at 60 GiB.

import { GiB } from '@unimem/core';
import { waitUntil } from '@unimem/hw';
import type { BenchmarkDefinition, CaseContext, ParamOptions, Variant } from '../api.js';
import { Phase } from '../measure.js';
import {
  freeOrThrow,
  mallocOrThrow,
  presetOf,
  QUICK_CORES,
  scaled,
  THESIS_CORES,
} from '../micro.js';

type PipelineParams = { allocsPerCore: number; memoryBytes: number };

const NAME = 'pipeline';
const QUICK_ALLOCS = 1000;
// 16 GiB: at least two 64 MiB LLFree trees per core at 64 cores (fewer would make cores share
// trees, a contention the thesis' 60-124 GiB configurations do not have).
const QUICK_MEMORY = 16 * GiB;
const SIZES = [20, 100, 400, 4096];

const label = (size: number) => `${size} B`;

function sizeOf(variant: Variant | undefined): number {
  const size = SIZES.find((s) => label(s) === variant);
  if (size === undefined) throw new RangeError(`${NAME}: unknown size "${variant}"`);
  return size;
}

function params({ full, scale, cores }: ParamOptions): PipelineParams {
  const allocsPerCore = scaled(NAME, 'allocations per core', full ? 200_000 : QUICK_ALLOCS, scale);
  const memoryBytes = Math.ceil(((full ? 60 * GiB : QUICK_MEMORY) * scale) / GiB) * GiB;
  const needed = allocsPerCore * Math.max(...SIZES) * Math.max(...cores);
  if (needed > memoryBytes * 0.9) {
    throw new RangeError(
      `${NAME}: ${allocsPerCore} allocations of ${Math.max(...SIZES)} B on ${Math.max(...cores)} cores need more than ${memoryBytes / GiB} GiB`,
    );
  }
  return { allocsPerCore, memoryBytes };
}

export const benchmarks: BenchmarkDefinition<PipelineParams>[] = [
  {
    name: NAME,
    description:
      "core i mallocs g objects, waits until core (i+1)%n has allocated its own, frees the neighbour's (thesis pipeline: cross-core frees)",
    target: 'memory-system',
    metrics: [
      { name: 'alloc', unit: 'cycles/op', description: 'one malloc' },
      { name: 'free', unit: 'cycles/op', description: "one free of the neighbour's object" },
    ],
    cores: { quick: QUICK_CORES, full: THESIS_CORES },
    params,
    memoryBytes: (p) => p.memoryBytes,
    variants: () => SIZES.map(label),
    chart: { perVariant: true },
    prepare({ machine, parts, cores, params: p, variant }: CaseContext<PipelineParams>) {
      const { malloc } = presetOf(parts);
      const size = sizeOf(variant);
      const n = p.allocsPerCore;
      const barrier = machine.barrier(cores);
      const vectors = Array.from({ length: cores }, () => new Float64Array(n));
      const allocated = new Int32Array(cores);
      const alloc = new Phase(machine, 'alloc');
      const free = new Phase(machine, 'free');
      return {
        program: (core) =>
          (function* () {
            const own = vectors[core];
            const neighbour = (core + 1) % cores;
            yield barrier;
            alloc.begin(core);
            for (let i = 0; i < n; i++) {
              own[i] = mallocOrThrow(NAME, malloc, core, size, i);
              allocated[core] = i + 1;
              yield;
            }
            alloc.end(core, n);
            yield waitUntil(() => allocated[neighbour] === n);
            free.begin(core);
            const theirs = vectors[neighbour];
            for (let i = 0; i < n; i++) {
              freeOrThrow(NAME, malloc, core, theirs[i]);
              yield;
            }
            free.end(core, n);
          })(),
        results: () => [alloc.measurement(), free.measurement()],
      };
    },
  },
];
