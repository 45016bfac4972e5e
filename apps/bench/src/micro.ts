// Shared pieces of the thesis' micro-benchmarks (src/benchmarks/{boot,footprint,mmap,bulk,
// pipeline,random,repeat}.ts; definitions in docs/reference/thesis-benchmarks.md): the core
// counts of the harness' configs, sizing helpers that refuse a scale leaving no work, and calls
// into a preset that turn a failed allocation into an Error naming the call (a benchmark never
// continues past one: the sweep stops and says which call failed).

import { errnoName, type Malloc, type MemorySystem } from '@unimem/core';
import type { MemorySystemParts } from './api.js';

/**
 * Core counts of quick runs of the micro- and frame benchmarks: 1, 4, 16, 64 (the ranking check
 * compares 1, 16 and 64 with --full), so that the default suite with 3 seeds stays within
 * minutes; --cores or --full for more. (The frame benchmarks ran 1, 2, 4, ..., 64 until
 * 2026-12-05: their 2-, 8- and 32-core cases were a third of their host time.)
 */
export const QUICK_CORES: readonly number[] = [1, 4, 16, 64];
/** The thesis harness' thread counts (bulk.conf, pipeline.conf, mmap.conf, random.conf). */
export const THESIS_CORES: readonly number[] = [1, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64];

/** `count × scale` rounded, at least 1; a RangeError names the benchmark when it is not finite. */
export function scaled(bench: string, what: string, count: number, scale: number): number {
  const value = Math.round(count * scale);
  if (!Number.isFinite(value)) {
    throw new RangeError(`${bench}: --scale ${scale} gives ${what} ${value}`);
  }
  return Math.max(1, value);
}

/** Extra counters of the preset (its own events), if it has any. */
export function presetCounters(
  preset: MemorySystemParts,
): (() => Record<string, number>) | undefined {
  return preset.counters ? () => preset.counters!() : undefined;
}

export function mallocOrThrow(
  bench: string,
  malloc: Malloc,
  core: number,
  size: number,
  done: number,
): number {
  const ptr = malloc.malloc(core, size);
  if (ptr < 0) {
    throw new Error(
      `${bench} on ${malloc.name}: malloc(core ${core}, ${size}) failed with ${errnoName(ptr)} after ${done} allocations`,
    );
  }
  return ptr;
}

export function freeOrThrow(bench: string, malloc: Malloc, core: number, ptr: number): void {
  const status = malloc.free(core, ptr);
  if (status !== 0) {
    throw new Error(
      `${bench} on ${malloc.name}: free(core ${core}, 0x${ptr.toString(16)}) failed with ${errnoName(status)}`,
    );
  }
}

/** A write of one byte at `addr` (TLB lookup, fault, populate as needed). */
export function touchOrThrow(
  bench: string,
  memory: MemorySystem,
  core: number,
  addr: number,
): void {
  const status = memory.touch(core, addr, true);
  if (status !== 0) {
    throw new Error(
      `${bench} on ${memory.name}: touch(core ${core}, 0x${addr.toString(16)}) failed with ${errnoName(status)}`,
    );
  }
}
