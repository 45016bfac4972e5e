// Micro-benchmark `pipeline` (thesis pipeline.cpp, pipeline.conf): core i mallocs g objects into
// its own vector, waits (the thesis polls with sleep(1); here `waitUntil`, free of charge) until
// core (i+1) % n has allocated all of its objects, then frees the neighbour's objects — so every
// free is cross-core (one core frees its own). Alloc and free are reported separately. The cores'
// phases overlap (no barrier, as in the thesis), so counters are attributed per core: the events
// each core was charged between its own marks (Phase). Sizes 20, 100, 400 and 4096 bytes, one
// figure each. The objects are not written. --full: g = 200,000 at 60 GiB.

import { GiB } from '@unimem/core';
import { waitUntil } from '@unimem/hw';
import type { BenchmarkDefinition, ParamOptions, PresetCase, Variant } from '../api.js';
import { Phase } from '../measure.js';
import { freeOrThrow, mallocOrThrow, QUICK_CORES, scaled, THESIS_CORES } from '../micro.js';

type PipelineParams = { allocsPerCore: number; memoryBytes: number };

const NAME = 'pipeline';
// Quick g = 20,000 (--full × 0.1). At 1,000: the jemalloc presets' first extent on OSv faults
// in 2 MiB pages (6 MiB of zeroing per core, behind one lock at 64 cores), a one-time cost that
// made their malloc 620 cycles instead of 125 at 1 core; OSv's malloc of 400 B took ~9 pages
// per 100 objects, so its frees and refills never left the L1/L2 page pools (373 cycles at 64
// cores, 3,870 when they reach the page-range lock); and the 4096 B frees hit the private cache
// as in bulk.ts. 52 orders flipped (apps/bench/README.md, "Quick vs full sizes").
const QUICK_ALLOCS = 20_000;
// 6 GiB: the thesis' pipeline fills 81 % of memory at 64 cores with 4096 B objects (200,000 × 64
// of 60 GiB), and LLFree's free at 64 cores depends on how full memory is: at 16 GiB the LLFree
// presets' 4096 B free at 64 cores was 229 cycles against 547 at 6 GiB, below the jemalloc
// presets' 369 instead of above them (bulk.ts, the same).
const QUICK_MEMORY = 6 * GiB;
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

export const benchmarks: BenchmarkDefinition<PipelineParams, 'memory-system', typeof NAME>[] = [
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
    prepare({ machine, parts, cores, params: p, variant }: PresetCase<PipelineParams>) {
      const { malloc } = parts['memory-system'];
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
