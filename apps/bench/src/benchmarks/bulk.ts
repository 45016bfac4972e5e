// Micro-benchmark `bulk` (thesis bulk.cpp, bulk.conf): each core performs m × g mallocs of `size`
// bytes, writing 8 bytes into each (a touch: the page fault lands in the alloc phase, as in the
// thesis), then frees all of them in allocation order. Alloc and free are reported separately,
// cycles per operation averaged over cores. A barrier separates the phases, so the machine's
// counter totals over each phase belong to it. --full: g = 200,000, size 4096, 60 GiB — the
// "200,000 pages core-local" benchmark.

import type { BenchmarkDefinition, CaseContext, ParamOptions } from '../api.js';
import { TimedPart } from '../measure.js';
import {
  freeOrThrow,
  mallocOrThrow,
  presetCounters,
  presetOf,
  QUICK_CORES,
  scaled,
  THESIS_CORES,
  touchOrThrow,
} from '../micro.js';
import { GIB } from '../units.js';

type BulkParams = { allocsPerCore: number; sizeBytes: number; memoryBytes: number };

const NAME = 'bulk';
/** Quick runs: allocations per core and memory (before --scale). */
const QUICK_ALLOCS = 1500;
// 16 GiB: at least two 64 MiB LLFree trees per core at 64 cores (fewer would make cores share
// trees, a contention the thesis' 60-124 GiB configurations do not have).
const QUICK_MEMORY = 16 * GIB;

function params({ full, scale, cores }: ParamOptions): BulkParams {
  const allocsPerCore = scaled(NAME, 'allocations per core', full ? 200_000 : QUICK_ALLOCS, scale);
  const sizeBytes = 4096;
  const memoryBytes = Math.ceil(((full ? 60 * GIB : QUICK_MEMORY) * scale) / GIB) * GIB;
  const needed = allocsPerCore * sizeBytes * Math.max(...cores);
  if (needed > memoryBytes * 0.9) {
    throw new RangeError(
      `${NAME}: ${allocsPerCore} allocations of ${sizeBytes} B on ${Math.max(...cores)} cores need more than the ${memoryBytes / GIB} GiB of memory`,
    );
  }
  return { allocsPerCore, sizeBytes, memoryBytes };
}

export const benchmarks: BenchmarkDefinition<BulkParams>[] = [
  {
    name: NAME,
    description:
      'each core mallocs N objects writing 8 bytes into each, barrier, frees them in order (thesis bulk)',
    target: 'memory-system',
    metrics: [
      { name: 'alloc', unit: 'cycles/op', description: 'one malloc plus the 8-byte write' },
      { name: 'free', unit: 'cycles/op', description: 'one free, in allocation order' },
    ],
    cores: { quick: QUICK_CORES, full: THESIS_CORES },
    params,
    memoryBytes: (p) => p.memoryBytes,
    prepare({ machine, parts, cores, params: p }: CaseContext<BulkParams>) {
      const preset = presetOf(parts);
      const { memory, malloc } = preset;
      const n = p.allocsPerCore;
      const barrier = machine.barrier(cores);
      const alloc = new TimedPart(machine, 'alloc', presetCounters(preset));
      const free = new TimedPart(machine, 'free', presetCounters(preset));
      return {
        program: (core) =>
          (function* () {
            const held = new Float64Array(n);
            yield barrier;
            alloc.begin(core);
            for (let i = 0; i < n; i++) {
              held[i] = mallocOrThrow(NAME, malloc, core, p.sizeBytes, i);
              yield;
              touchOrThrow(NAME, memory, core, held[i]);
              yield;
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
        results: () => [alloc.measurement(), free.measurement()],
      };
    },
  },
];
