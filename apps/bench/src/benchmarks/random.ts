// Micro-benchmark `random` (thesis random.cpp, random.conf): core 0 — the thesis' unpinned main
// thread — pre-allocates RANDOM_MEM_FACTOR (100) × g objects before the timed part. Each round,
// core 0 draws g × n distinct indices into that pool with a seeded generator (the thesis' nanorand
// with seed 0; here the sweep's seed), g per core; each core frees its g objects (timed), then
// allocates g new ones into the same slots (timed); a barrier separates rounds. Most frees hit
// memory allocated on another core. Within a round the cores' free and alloc phases overlap (no
// barrier between them, as in the thesis), so counters are attributed per core (Phase). --full:
// one round, g = 20,000, size 4096 at 60 GiB (2,000,000 pre-allocated pages).

import { GiB as GIB, mulberry32 } from '@unimem/core';
import type { BenchmarkDefinition, ParamOptions, PresetCase } from '../api.js';
import { Phase } from '../measure.js';
import { freeOrThrow, mallocOrThrow, QUICK_CORES, scaled, THESIS_CORES } from '../micro.js';

type RandomParams = {
  allocsPerCore: number;
  rounds: number;
  poolFactor: number;
  sizeBytes: number;
  memoryBytes: number;
};

const NAME = 'random';
/** RANDOM_MEM_FACTOR of random.cpp: the pool holds this many times g objects. */
export const RANDOM_MEM_FACTOR = 100;
// Quick g = 5,000 in one round (--full × 0.25). Two mechanisms only work past a size, and the
// thesis' ranking depends on both (apps/bench/README.md, "Quick vs full sizes"): upstream OSv's
// frees overflow the L1 (512 pages per core) and L2 (3/4 of 512 per core) page pools into the
// page-range allocator under its global lock only from g ≈ 900 (at g = 150, 104 cycles per free
// at 64 cores against 99,977 at g = 20,000), and jemalloc's metadata for the 100 × g pooled
// objects outgrows the L3 only from g ≈ 3,000 (below, its free at 1 core is cheaper than OSv's;
// at the thesis' size it is dearer).
const QUICK_ALLOCS = 5000;
const QUICK_ROUNDS = 1;
// 16 GiB: at least two 64 MiB LLFree trees per core at 64 cores (fewer would make cores share
// trees, a contention the thesis' 60-124 GiB configurations do not have).
const QUICK_MEMORY = 16 * GIB;

function params(options: ParamOptions): RandomParams {
  const { full } = options;
  return sized(options, {
    allocs: full ? 20_000 : QUICK_ALLOCS,
    rounds: full ? 1 : QUICK_ROUNDS,
    sizeBytes: 4096,
    memoryBytes: full ? 60 * GIB : QUICK_MEMORY,
  });
}

/** Parameters of one size (g, rounds = m, object size, memory), scaled and checked. */
function sized(
  { scale, cores }: ParamOptions,
  size: { allocs: number; rounds: number; sizeBytes: number; memoryBytes: number },
): RandomParams {
  const allocsPerCore = scaled(NAME, 'allocations per core', size.allocs, scale);
  const { rounds, sizeBytes } = size;
  const memoryBytes = Math.ceil((size.memoryBytes * scale) / GIB) * GIB;
  const maxCores = Math.max(...cores);
  if (maxCores > RANDOM_MEM_FACTOR) {
    throw new RangeError(
      `${NAME}: ${maxCores} cores draw more objects than the pool of ${RANDOM_MEM_FACTOR} × g holds; at most ${RANDOM_MEM_FACTOR} cores`,
    );
  }
  const pooled = RANDOM_MEM_FACTOR * allocsPerCore * sizeBytes;
  // 85 %: random 20G (100 × 40,000 pages = 15.3 GiB of 20 GiB) ran in the thesis.
  if (pooled > memoryBytes * 0.85) {
    throw new RangeError(
      `${NAME}: a pool of ${RANDOM_MEM_FACTOR} × ${allocsPerCore} objects of ${sizeBytes} B does not fit in ${memoryBytes / GIB} GiB`,
    );
  }
  return { allocsPerCore, rounds, poolFactor: RANDOM_MEM_FACTOR, sizeBytes, memoryBytes };
}

/** The first `count` entries of `order` become a uniform draw of distinct pool indices. */
function drawDistinct(order: Int32Array, count: number, random: () => number): void {
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (order.length - i));
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
}

export const benchmarks: BenchmarkDefinition<RandomParams, 'memory-system', typeof NAME>[] = [
  {
    name: NAME,
    description:
      'core 0 pre-allocates 100 × g objects; each round every core frees g randomly drawn ones and allocates g again (thesis random)',
    target: 'memory-system',
    metrics: [
      { name: 'free', unit: 'cycles/op', description: 'one free of a randomly drawn object' },
      { name: 'alloc', unit: 'cycles/op', description: 'one malloc refilling a freed slot' },
    ],
    cores: { quick: QUICK_CORES, full: THESIS_CORES },
    params,
    memoryBytes: (p) => p.memoryBytes,
    configs: [
      {
        name: 'random-m10',
        description:
          'random with m = 10 rounds, g = 4,000, 8,000 B objects at 60 GiB (the later random.conf)',
        params: (o) =>
          sized(o, { allocs: 4000, rounds: 10, sizeBytes: 8000, memoryBytes: 60 * GIB }),
      },
      {
        name: 'random-20g',
        description: 'random at 20 GiB with m = 10 rounds, g = 40,000 pages (random.conf, 20G)',
        params: (o) =>
          sized(o, { allocs: 40_000, rounds: 10, sizeBytes: 4096, memoryBytes: 20 * GIB }),
      },
      {
        name: 'je-random-400',
        description:
          'je_random.conf: 20 GiB, m = 10 rounds, g = 4,000 objects of 400 B (run it on a +jemalloc system)',
        params: (o) =>
          sized(o, { allocs: 4000, rounds: 10, sizeBytes: 400, memoryBytes: 20 * GIB }),
      },
      {
        name: 'je-random-4096',
        description: 'je_random.conf: 20 GiB, m = 10 rounds, g = 4,000 pages of 4096 B',
        params: (o) =>
          sized(o, { allocs: 4000, rounds: 10, sizeBytes: 4096, memoryBytes: 20 * GIB }),
      },
    ],
    prepare({ machine, parts, cores, params: p, seed }: PresetCase<RandomParams>) {
      const { malloc } = parts['memory-system'];
      const g = p.allocsPerCore;
      const pool = new Float64Array(p.poolFactor * g);
      const order = Int32Array.from({ length: pool.length }, (_, i) => i);
      const random = mulberry32(seed);
      const barrier = machine.barrier(cores);
      const free = new Phase(machine, 'free');
      const alloc = new Phase(machine, 'alloc');
      return {
        program: (core) =>
          (function* () {
            if (core === 0) {
              for (let i = 0; i < pool.length; i++) {
                pool[i] = mallocOrThrow(NAME, malloc, 0, p.sizeBytes, i);
                yield;
              }
            }
            for (let round = 0; round < p.rounds; round++) {
              yield barrier;
              if (core === 0) drawDistinct(order, g * cores, random);
              yield barrier;
              const mine = order.subarray(core * g, (core + 1) * g);
              free.begin(core);
              for (let k = 0; k < g; k++) {
                freeOrThrow(NAME, malloc, core, pool[mine[k]]);
                yield;
              }
              free.end(core, g);
              alloc.begin(core);
              for (let k = 0; k < g; k++) {
                pool[mine[k]] = mallocOrThrow(NAME, malloc, core, p.sizeBytes, k);
                yield;
              }
              alloc.end(core, g);
            }
          })(),
        results: () => [free.measurement(), alloc.measurement()],
      };
    },
  },
];
