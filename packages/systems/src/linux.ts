// The Linux preset `linux+jemalloc`: @unimem/linux's LinuxMemory — buddy frames with pcp lists and
// zone->lock, tuned (pcp->high, the vmstat threshold) for the profile's whole machine rather
// than for the frames one run manages, one mm under mmap_lock with the maple tree, per-VMA locks
// in faults, syscall entry/exit on every call, shootdowns targeted at the process's cores, THP
// in madvise mode — with the jemalloc model in the thesis' configuration (percpu arenas, tcache
// off) as malloc. Footprint is the memory system's own free memory (Linux has no page pools).
// Invariant: as the OSv presets, the malloc is made once, over the booted memory.

import type { Malloc, MemorySystem } from '@unimem/core';
import type { Machine } from '@unimem/hw';
import { Jemalloc, type JemallocOptions, THESIS_CONFIG } from '@unimem/jemalloc';
import { BuddyAllocator, LinuxMemory, type LinuxMemoryOptions, profileTuning } from '@unimem/linux';
import type { Preset, PresetOptions } from './api.js';

export type LinuxPresetName = 'linux+jemalloc';

export const LINUX_PRESETS: readonly LinuxPresetName[] = ['linux+jemalloc'];

export interface LinuxPresetOptions extends PresetOptions {
  /** Further LinuxMemory options (thp, perVmaLocks, runCores, ...). */
  memory?: Partial<Omit<LinuxMemoryOptions, 'machine' | 'frames' | 'memoryBytes'>>;
  /** Options over THESIS_CONFIG for jemalloc. */
  jemalloc?: Partial<Omit<JemallocOptions, 'memory' | 'machine'>>;
}

/** An assembled Linux preset (see Preset). */
export interface LinuxPreset extends Preset<LinuxMemory> {
  readonly name: LinuxPresetName;
}

/** Builds Linux preset `name` on `machine` (see the header). */
export function buildLinuxPreset(
  name: LinuxPresetName,
  machine: Machine,
  options: LinuxPresetOptions = {},
): LinuxPreset {
  if (!LINUX_PRESETS.includes(name)) {
    throw new RangeError(`preset "${name}" is not one of ${LINUX_PRESETS.join(', ')}`);
  }
  const tuning = profileTuning(machine.profile);
  const memory = new LinuxMemory({
    name: 'linux',
    ...options.memory,
    machine,
    memoryBytes: options.memoryBytes,
    frames: ({ frames, cores }) => new BuddyAllocator({ frames, cores, machine, tuning }),
  });
  let made: Malloc | null = null;
  return {
    name,
    machine,
    memory,
    malloc: (mapper: MemorySystem = memory) => {
      made ??= new Jemalloc({
        memory: mapper,
        machine,
        seed: options.seed ?? 1,
        ...THESIS_CONFIG,
        ...options.jemalloc,
      });
      return made;
    },
    freePhysBytes: () => memory.stats().freePhysBytes,
    counters: () => ({ ...memory.mmapLock.counts }),
  };
}
