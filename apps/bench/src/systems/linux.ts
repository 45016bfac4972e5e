// System `linux+jemalloc`: the Linux memory system of @unimem/linux — buddy frames (pcp lists,
// zone->lock, tuned for the profile's machine), one mm under mmap_lock with the maple tree,
// per-VMA locks in faults, syscall entry/exit on every mmap/munmap/mprotect/madvise, shootdowns
// targeted at the process's cores, THP in madvise mode — with the jemalloc model in the thesis'
// configuration (percpu arenas, tcache off) as malloc. The frames-only `buddy` is in buddy.ts.

import { Jemalloc, THESIS_CONFIG } from '@unimem/jemalloc';
import { BuddyAllocator, LinuxMemory, profileTuning } from '@unimem/linux';
import type { SystemDefinition } from '../api.js';
import { MEMORY_SYSTEM_KINDS, memorySystemParts } from '../memory-system.js';

export const systems: SystemDefinition[] = [
  {
    name: 'linux+jemalloc',
    description:
      'Linux mm (buddy + mmap_lock/per-VMA locks + maple tree, syscalls, targeted shootdowns, THP madvise) with jemalloc (percpu arenas, tcache off)',
    provides: MEMORY_SYSTEM_KINDS,
    build(context) {
      const { machine, memoryBytes, seed } = context;
      const tuning = profileTuning(machine.profile);
      const memory = new LinuxMemory({
        machine,
        name: 'linux',
        memoryBytes,
        frames: ({ frames, cores }) => new BuddyAllocator({ frames, cores, machine, tuning }),
      });
      return memorySystemParts(context, {
        memory,
        malloc: (booted) => new Jemalloc({ memory: booted, machine, seed, ...THESIS_CONFIG }),
        counters: () => ({ ...memory.mmapLock.counts }),
      });
    },
  },
];
