// Micro-benchmark `bulk` (thesis bulk.cpp, bulk.conf): each core performs m × g mallocs of `size`
// bytes, writing 8 bytes into each (a touch: the page fault lands in the alloc phase, as in the
// thesis), then frees all of them in allocation order. Alloc and free are reported separately,
// cycles per operation averaged over cores. A barrier separates the phases, so the machine's
// counter totals over each phase belong to it. --full: g = 200,000, size 4096, 60 GiB — the
// "200,000 pages core-local" benchmark. Named configurations (`--config`): the older bulk configs
// whose total of 4 M or 8 M pages is split over the threads, and pool_vis (`bulk 1 1 1G 1 64 64`:
// one core, m = 64 measurements of g = 64 pages, to show the drops when the L1 page pool runs
// empty), which also reports its slowest measurement (`alloc-max`).

import { GiB } from '@unimem/core';
import type { BenchmarkDefinition, ParamOptions, PresetCase } from '../api.js';
import { TimedPart } from '../measure.js';
import {
  freeOrThrow,
  mallocOrThrow,
  presetCounters,
  QUICK_CORES,
  scaled,
  THESIS_CORES,
  touchOrThrow,
} from '../micro.js';

type BulkParams = {
  allocsPerCore: number;
  sizeBytes: number;
  memoryBytes: number;
  /** m: timed blocks of allocsPerCore / m mallocs (1 except pool_vis). */
  measurements: number;
  /** > 0: this many allocations in all, split over the cores (older configs); else per core. */
  splitAllocs: number;
};

const NAME = 'bulk';
/**
 * Quick runs: allocations per core and memory (before --scale). 20,000 (--full × 0.1): a free in
 * allocation order finds the metadata its malloc touched still in the core's private cache
 * (16,384 lines) only while g is small; jemalloc's free at 1 core costs 164 cycles (0.25 line
 * misses) at g = 1,500 and 5,000, 239 (1.89) at 10,000 and 247 at 20,000, so at 1,500 the
 * jemalloc presets freed faster than OSv's malloc (205), the reverse of the thesis' size. At
 * 10,000 `osv+jemalloc` alloc at 64 cores was still 49.6k cycles against 26.3k at 20,000
 * (apps/bench/README.md, "Quick vs full sizes").
 */
const QUICK_ALLOCS = 20_000;
// 6 GiB: the thesis' bulk fills 81 % of memory at 64 cores (200,000 pages × 64 of 60 GiB), and
// LLFree's free at 64 cores depends on how full memory is (its cores run through their trees):
// at 16 GiB (31 % full) the LLFree presets' free at 64 cores was 218 cycles against 317 at
// 6 GiB, below the jemalloc presets' 256-265 instead of above them.
const QUICK_MEMORY = 6 * GiB;

function params(options: ParamOptions): BulkParams {
  const { full } = options;
  return sized(options, {
    allocs: full ? 200_000 : QUICK_ALLOCS,
    memoryBytes: full ? 60 * GiB : QUICK_MEMORY,
  });
}

function sized(
  { scale, cores }: ParamOptions,
  size: { allocs: number; memoryBytes: number; measurements?: number; split?: boolean },
): BulkParams {
  const measurements = size.measurements ?? 1;
  const allocs = scaled(NAME, 'allocations', size.allocs, scale);
  const sizeBytes = 4096;
  const memoryBytes = Math.ceil((size.memoryBytes * scale) / GiB) * GiB;
  const needed = allocs * sizeBytes * (size.split ? 1 : Math.max(...cores));
  if (needed > memoryBytes * 0.9) {
    throw new RangeError(
      `${NAME}: ${allocs} allocations of ${sizeBytes} B${size.split ? '' : ` on ${Math.max(...cores)} cores`} need more than the ${memoryBytes / GiB} GiB of memory`,
    );
  }
  return {
    allocsPerCore: size.split ? 0 : allocs,
    sizeBytes,
    memoryBytes,
    measurements,
    splitAllocs: size.split ? allocs : 0,
  };
}

export const benchmarks: BenchmarkDefinition<BulkParams, 'memory-system', typeof NAME>[] = [
  {
    name: NAME,
    description:
      'each core mallocs N objects writing 8 bytes into each, barrier, frees them in order (thesis bulk)',
    target: 'memory-system',
    metrics: [
      { name: 'alloc', unit: 'cycles/op', description: 'one malloc plus the 8-byte write' },
      { name: 'free', unit: 'cycles/op', description: 'one free, in allocation order' },
      {
        name: 'alloc-max',
        unit: 'cycles/op',
        description: 'the slowest of the m measurements of alloc (only when m > 1: pool_vis)',
      },
    ],
    configs: [
      {
        name: 'bulk-35g-4m',
        description: 'older bulk.conf: 35 GiB, 4,000,000 pages split over the threads',
        params: (o) => sized(o, { allocs: 4_000_000, memoryBytes: 35 * GiB, split: true }),
      },
      {
        name: 'bulk-35g-8m',
        description: 'older bulk.conf: 35 GiB, 8,000,000 pages split over the threads',
        params: (o) => sized(o, { allocs: 8_000_000, memoryBytes: 35 * GiB, split: true }),
      },
      {
        name: 'pool-vis',
        description:
          'pool_vis.conf (bulk 1 1 1G 1 64 64): 1 core, 1 GiB, m = 64 measurements of g = 64 pages; alloc-max shows the L1-pool refills',
        cores: [1],
        params: (o) => sized(o, { allocs: 64 * 64, memoryBytes: GiB, measurements: 64 }),
      },
    ],
    cores: { quick: QUICK_CORES, full: THESIS_CORES },
    params,
    memoryBytes: (p) => p.memoryBytes,
    prepare({ machine, parts, cores, params: p }: PresetCase<BulkParams>) {
      const preset = parts['memory-system'];
      const { memory, malloc } = preset;
      const n = p.splitAllocs > 0 ? Math.ceil(p.splitAllocs / cores) : p.allocsPerCore;
      const block = Math.max(1, Math.floor(n / p.measurements));
      /** Cycles of each measurement (block of mallocs), summed over cores. */
      const blockCycles = new Float64Array(Math.ceil(n / block));
      const barrier = machine.barrier(cores);
      const alloc = new TimedPart(machine, 'alloc', presetCounters(preset));
      const free = new TimedPart(machine, 'free', presetCounters(preset));
      return {
        program: (core) =>
          (function* () {
            const held = new Float64Array(n);
            yield barrier;
            alloc.begin(core);
            let blockStart = machine.now(core);
            for (let i = 0; i < n; i++) {
              held[i] = mallocOrThrow(NAME, malloc, core, p.sizeBytes, i);
              yield;
              touchOrThrow(NAME, memory, core, held[i]);
              yield;
              if ((i + 1) % block === 0 || i === n - 1) {
                blockCycles[Math.floor(i / block)] += machine.now(core) - blockStart;
                blockStart = machine.now(core);
              }
            }
            alloc.end(core, n);
            yield barrier;
            free.begin(core);
            for (let i = 0; i < n; i++) {
              freeOrThrow(NAME, malloc, core, held[i]);
              yield;
            }
            free.end(core, n);
          })(),
        results: () => {
          const out = [alloc.measurement(), free.measurement()];
          if (p.measurements > 1) {
            const slowest = Math.max(...blockCycles) / (block * cores);
            out.push({ ...out[0], metric: 'alloc-max', value: slowest, ops: block * cores });
          }
          return out;
        },
      };
    },
  },
];
