// Micro-benchmark `footprint` (thesis memory.cpp, mem256.conf and bigmem.conf): one thread (core
// 0) performs g mallocs of `size` bytes, writing one byte into every page of each allocation.
// Metric: (free_before − free_after − requested) / requested, with free memory as OSv's
// memory::stats::free() reports it (the preset's freePhysBytes(): pages parked in page pools
// count as used). Sizes 256..4096 step 256 (small allocations) and 4 KiB..32 KiB step 4 KiB (page
// multiples), on the x axis. Besides the overhead, the growth of the page tables and of the
// kernel's metadata (frame and VM allocators, VMAs) over the run, per requested byte, show where
// it comes from; the counters hold the faults and the preset's own events. --full: g = 500,000
// at 60 GiB.

import { GiB } from '@unimem/core';
import type { BenchmarkDefinition, Measurement, ParamOptions, PresetCase } from '../api.js';
import { TimedPart } from '../measure.js';
import { mallocOrThrow, presetCounters, scaled, touchOrThrow } from '../micro.js';

type FootprintParams = { allocs: number; memoryBytes: number };

const NAME = 'footprint';
const PAGE = 4096;
// Quick g = 50,000 (--full × 0.1) at 4 GiB: the overhead divides fixed offsets by the requested
// bytes (jemalloc's first metadata and retained extents, OSv's prefilled page pools, which make
// it negative), so a small g magnifies them: at g = 10,000 the jemalloc presets' overhead at
// 1024 B was 0.54 against 0.13 at 50,000, and at 25,000 OSv's at 256 B was still -0.017 against
// 0.065 (apps/bench/README.md, "Quick vs full sizes"). 4 GiB: 50,000 × 32 KiB must fit in 3/4.
const QUICK_ALLOCS = 50_000;
const QUICK_MEMORY = 4 * GiB;

/** 256..4096 step 256, then 8 KiB..32 KiB step 4 KiB (4096 once). */
export const FOOTPRINT_SIZES: readonly number[] = [
  ...Array.from({ length: 16 }, (_, i) => 256 * (i + 1)),
  ...Array.from({ length: 7 }, (_, i) => 4096 * (i + 2)),
];

function params({ full, scale }: ParamOptions): FootprintParams {
  const allocs = scaled(NAME, 'allocations', full ? 500_000 : QUICK_ALLOCS, scale);
  const memoryBytes = Math.ceil(((full ? 60 * GiB : QUICK_MEMORY) * scale) / GiB) * GiB;
  const largest = FOOTPRINT_SIZES[FOOTPRINT_SIZES.length - 1];
  if (allocs * largest > memoryBytes * 0.75) {
    throw new RangeError(
      `${NAME}: ${allocs} allocations of ${largest} B do not fit in ${memoryBytes / GiB} GiB`,
    );
  }
  return { allocs, memoryBytes };
}

const ratio = 'bytes per requested byte';

export const benchmarks: BenchmarkDefinition<FootprintParams, 'memory-system', typeof NAME>[] = [
  {
    name: NAME,
    description:
      'core 0 mallocs g objects of a size, touching every page; memory used beyond the request (thesis memory)',
    target: 'memory-system',
    metrics: [
      {
        name: 'overhead',
        unit: ratio,
        description: '(free before − free after − requested) / requested, pooled pages used',
      },
      { name: 'pageTables', unit: ratio, description: 'page-table growth / requested' },
      {
        name: 'metadata',
        unit: ratio,
        description: 'kernel metadata growth (allocators, VMAs) / requested',
      },
    ],
    cores: { quick: [1], full: [1] },
    params,
    memoryBytes: (p) => p.memoryBytes,
    variants: () => FOOTPRINT_SIZES,
    xAxis: { variant: 'size (bytes)' },
    chart: { logX: true },
    prepare({ machine, parts, params: p, variant }: PresetCase<FootprintParams>) {
      const preset = parts['memory-system'];
      const { memory, malloc } = preset;
      const size = Number(variant);
      const requested = p.allocs * size;
      const part = new TimedPart(machine, 'overhead', presetCounters(preset), ratio);
      let before = { free: 0, tables: 0, metadata: 0 };
      let after = before;
      const sample = () => {
        const stats = memory.stats();
        return {
          free: preset.freePhysBytes(),
          tables: stats.pageTableBytes,
          metadata: stats.metadataBytes,
        };
      };
      return {
        program: (core) =>
          (function* () {
            if (core !== 0) return;
            before = sample();
            part.begin(0);
            for (let i = 0; i < p.allocs; i++) {
              const ptr = mallocOrThrow(NAME, malloc, 0, size, i);
              yield;
              for (let page = ptr; page < ptr + size; page = (Math.floor(page / PAGE) + 1) * PAGE) {
                touchOrThrow(NAME, memory, 0, page);
                yield;
              }
            }
            part.end(0, p.allocs);
            after = sample();
          })(),
        results: (): Measurement[] => {
          const { counters, ops } = part.measurement();
          const of = (metric: string, bytes: number): Measurement => ({
            metric,
            value: bytes / requested,
            unit: ratio,
            ops,
            counters,
          });
          return [
            of('overhead', before.free - after.free - requested),
            of('pageTables', after.tables - before.tables),
            of('metadata', after.metadata - before.metadata),
          ];
        },
      };
    },
  },
];
