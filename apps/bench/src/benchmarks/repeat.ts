// Micro-benchmark `repeat` (thesis repeat): each core mallocs one object and frees it at once, g
// times; cycles per pair. Sizes 4096 and 400 bytes, one figure each. The objects are not written.
// All cores start together after a barrier; the counters are the machine's totals from the first
// core's start to the last core's end.
// --full: g = 400,000 at 124 GiB, 1..64 cores in steps of 4.

import { GiB as GIB } from '@unimem/core';
import type { BenchmarkDefinition, ParamOptions, PresetCase, Variant } from '../api.js';
import { TimedPart } from '../measure.js';
import { freeOrThrow, mallocOrThrow, presetCounters, QUICK_CORES, scaled } from '../micro.js';

type RepeatParams = { pairsPerCore: number; memoryBytes: number };

const NAME = 'repeat';
// Quick g = 10,000 pairs: the cores' first mallocs contend for global locks all at once (at 16
// cores linux+jemalloc waits ~150k cycles per core for them), a one-time cost that 1,500 pairs
// amortised into +130 cycles per pair, enough to reverse linux+jemalloc and OSv's malloc at 16
// cores (apps/bench/README.md, "Quick vs full sizes").
const QUICK_PAIRS = 10_000;
// 16 GiB: at least two 64 MiB LLFree trees per core at 64 cores (fewer would make cores share
// trees, a contention the thesis' 60-124 GiB configurations do not have).
const QUICK_MEMORY = 16 * GIB;
const SIZES = [4096, 400];
/** repeat's thread counts: 1, then 4..64 in steps of 4. */
const FULL_CORES = [1, ...Array.from({ length: 16 }, (_, i) => 4 * (i + 1))];

const label = (size: number) => `${size} B`;

function sizeOf(variant: Variant | undefined): number {
  const size = SIZES.find((s) => label(s) === variant);
  if (size === undefined) throw new RangeError(`${NAME}: unknown size "${variant}"`);
  return size;
}

function params({ full, scale }: ParamOptions): RepeatParams {
  const pairsPerCore = scaled(NAME, 'pairs per core', full ? 400_000 : QUICK_PAIRS, scale);
  const memoryBytes = Math.max(
    GIB,
    Math.ceil(((full ? 124 * GIB : QUICK_MEMORY) * scale) / GIB) * GIB,
  );
  return { pairsPerCore, memoryBytes };
}

export const benchmarks: BenchmarkDefinition<RepeatParams, 'memory-system', typeof NAME>[] = [
  {
    name: NAME,
    description: 'each core mallocs one object and frees it at once, g times (thesis repeat)',
    target: 'memory-system',
    metrics: [{ name: 'pair', unit: 'cycles/op', description: 'one malloc plus one free' }],
    cores: { quick: QUICK_CORES, full: FULL_CORES },
    params,
    memoryBytes: (p) => p.memoryBytes,
    variants: () => SIZES.map(label),
    chart: { perVariant: true },
    prepare({ machine, parts, cores, params: p, variant }: PresetCase<RepeatParams>) {
      const preset = parts['memory-system'];
      const { malloc } = preset;
      const size = sizeOf(variant);
      const n = p.pairsPerCore;
      const barrier = machine.barrier(cores);
      const pair = new TimedPart(machine, 'pair', presetCounters(preset));
      return {
        program: (core) =>
          (function* () {
            yield barrier;
            pair.begin(core);
            for (let i = 0; i < n; i++) {
              const ptr = mallocOrThrow(NAME, malloc, core, size, i);
              yield;
              freeOrThrow(NAME, malloc, core, ptr);
              yield;
            }
            pair.end(core, n);
          })(),
        results: () => [pair.measurement()],
      };
    },
  },
];
