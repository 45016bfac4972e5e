// Types of @unimem/systems: what an assembled preset is (a memory system, the malloc over it,
// OSv-style footprint and the preset's own counters) and the options every preset takes. Only
// types live here; each family of presets is wired in its own file (osv.ts, linux.ts), and the
// table of all of them is presets.ts.

import type { Malloc, MemorySystem } from '@unimem/core';
import type { Machine } from '@unimem/hw';

/** Options every preset takes (a family adds its own: OsvPresetOptions, LinuxPresetOptions). */
export interface PresetOptions {
  /** Physical memory (default: the machine profile's). */
  memoryBytes?: number;
  /** Seed of jemalloc's cache-oblivious offsets and decay jitter (default 1). */
  seed?: number;
}

/**
 * An assembled preset: the memory subsystem (not booted) and the malloc over it. Its methods are
 * bound (arrow properties), so assemblers such as the bench's memorySystemParts can copy them.
 */
export interface Preset<M extends MemorySystem = MemorySystem> {
  readonly name: string;
  readonly machine: Machine;
  /** The memory subsystem, not booted: boot() it before the first malloc. */
  readonly memory: M;
  /**
   * The malloc over the booted memory, made on the first call (later calls return it). Its
   * mappings go through `mapper` (default `memory`), e.g. a wrapper that observes them.
   */
  malloc(mapper?: MemorySystem): Malloc;
  /** Free physical bytes as OSv's memory::stats::free() counts them (pooled pages are used). */
  freePhysBytes(): number;
  /** The preset's own event counts beyond the machine's (pools, malloc, jemalloc, mmap_lock). */
  counters(): Record<string, number>;
}
