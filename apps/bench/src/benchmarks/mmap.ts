// Micro-benchmark `mmap` (thesis mmap_bulk / mmap_bulk_populate, mmap.conf and
// mmap_populate.conf; VM scalability): each core performs g mmap(NULL, size, RW,
// ANON|PRIVATE[|POPULATE]) calls, then munmaps all of them in order. Variants: 4 KiB and 16 KiB,
// each without and with MAP_POPULATE. Without populate mmap and munmap are reported separately;
// with populate only munmap, as the thesis prints (the populating mmap is page allocation, the
// munmap the unpopulate + shootdown + free path). A barrier separates the phases, so the
// machine's counter totals (lock waits, transfers, IPIs) over each phase belong to it. --full:
// g = 20,000 at 10 GiB (50 GiB with populate).

import { errnoName, GiB, MapFlags, Prot } from '@unimem/core';
import type { BenchmarkDefinition, ParamOptions, PresetCase, Variant } from '../api.js';
import { TimedPart } from '../measure.js';
import { presetCounters, QUICK_CORES, scaled, THESIS_CORES } from '../micro.js';

type MmapParams = { mapsPerCore: number; memoryBytes: number; populateMemoryBytes: number };

const NAME = 'mmap';
const QUICK_MAPS = 600;
// 16 GiB: at least two 64 MiB LLFree trees per core at 64 cores (fewer would make cores share
// trees, a contention the thesis' 60-124 GiB configurations do not have).
const QUICK_MEMORY = 16 * GiB;
const SIZES = [4096, 16384];
const RW = Prot.READ | Prot.WRITE;
const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;

interface MmapVariant {
  label: string;
  sizeBytes: number;
  populate: boolean;
}

const VARIANTS: readonly MmapVariant[] = [false, true].flatMap((populate) =>
  SIZES.map((sizeBytes) => ({
    label: `${sizeBytes / 1024} KiB${populate ? ' populate' : ''}`,
    sizeBytes,
    populate,
  })),
);

function variantOf(variant: Variant | undefined): MmapVariant {
  const found = VARIANTS.find((v) => v.label === variant);
  if (!found) throw new RangeError(`${NAME}: unknown variant "${variant}"`);
  return found;
}

function params({ full, scale, cores }: ParamOptions): MmapParams {
  const mapsPerCore = scaled(NAME, 'mappings per core', full ? 20_000 : QUICK_MAPS, scale);
  const memoryBytes = Math.ceil(((full ? 10 * GiB : QUICK_MEMORY) * scale) / GiB) * GiB;
  const populateMemoryBytes = Math.ceil(((full ? 50 * GiB : QUICK_MEMORY) * scale) / GiB) * GiB;
  const populated = mapsPerCore * Math.max(...SIZES) * Math.max(...cores);
  if (populated > populateMemoryBytes * 0.75) {
    throw new RangeError(
      `${NAME}: ${mapsPerCore} populated mappings per core on ${Math.max(...cores)} cores do not fit in ${populateMemoryBytes / GiB} GiB`,
    );
  }
  return { mapsPerCore, memoryBytes, populateMemoryBytes };
}

export const benchmarks: BenchmarkDefinition<MmapParams, 'memory-system', typeof NAME>[] = [
  {
    name: NAME,
    description:
      'each core mmaps g anonymous regions (with or without MAP_POPULATE), barrier, munmaps them in order (thesis mmap_bulk)',
    target: 'memory-system',
    metrics: [
      { name: 'mmap', unit: 'cycles/op', description: 'one mmap (not reported with populate)' },
      { name: 'munmap', unit: 'cycles/op', description: 'one munmap' },
    ],
    cores: { quick: QUICK_CORES, full: THESIS_CORES },
    params,
    memoryBytes: (p, { variant }) =>
      variantOf(variant).populate ? p.populateMemoryBytes : p.memoryBytes,
    variants: () => VARIANTS.map((v) => v.label),
    chart: { perVariant: true },
    prepare({ machine, parts, cores, params: p, variant }: PresetCase<MmapParams>) {
      const preset = parts['memory-system'];
      const { memory } = preset;
      const { sizeBytes, populate } = variantOf(variant);
      const flags = populate ? ANON | MapFlags.POPULATE : ANON;
      const n = p.mapsPerCore;
      const barrier = machine.barrier(cores);
      const map = new TimedPart(machine, 'mmap', presetCounters(preset));
      const unmap = new TimedPart(machine, 'munmap', presetCounters(preset));
      return {
        program: (core) =>
          (function* () {
            const held = new Float64Array(n);
            yield barrier;
            map.begin(core);
            for (let i = 0; i < n; i++) {
              const addr = memory.mmap(core, sizeBytes, RW, flags);
              if (addr < 0) {
                throw new Error(
                  `${NAME} on ${memory.name}: mmap(core ${core}, ${sizeBytes}) failed with ${errnoName(addr)} after ${i} mappings`,
                );
              }
              held[i] = addr;
              yield;
            }
            map.end(core, n);
            yield barrier;
            unmap.begin(core);
            for (let i = 0; i < n; i++) {
              const status = memory.munmap(core, held[i], sizeBytes);
              if (status !== 0) {
                throw new Error(
                  `${NAME} on ${memory.name}: munmap(core ${core}, 0x${held[i].toString(16)}) failed with ${errnoName(status)}`,
                );
              }
              yield;
            }
            unmap.end(core, n);
          })(),
        results: () =>
          populate ? [unmap.measurement()] : [map.measurement(), unmap.measurement()],
      };
    },
  },
];
