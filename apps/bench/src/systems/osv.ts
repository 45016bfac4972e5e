// System `osv`: upstream OSv's memory management (docs/reference/osv.md §6) as @unimem/osv assembles
// it — page_range_allocator under the L1/L2 page pools (filled at boot as OSv's pool threads
// fill them), one global vma_list searched by find_hole under vma_list_mutex (OSv's rwlock_t
// before 2025-08, whose readers take an internal mutex), global TLB flushes, and OSv's malloc
// (per-CPU malloc_pools, whole pages, malloc_large with a header, populated mappings >= 2 MiB).
// Footprint: pages parked in the pools count as used, as in memory::stats::free().

import { buildOsvPreset } from '@unimem/osv';
import type { SystemDefinition } from '../api.js';
import { MEMORY_SYSTEM_KINDS, memorySystemParts } from '../memory-system.js';

export const systems: SystemDefinition[] = [
  {
    name: 'osv',
    description:
      'upstream OSv: page ranges + L1/L2 page pools, global vma_list + find_hole (rwlock with reader mutex), OSv malloc',
    provides: MEMORY_SYSTEM_KINDS,
    build(context) {
      const { machine, memoryBytes, seed } = context;
      return memorySystemParts(context, buildOsvPreset('osv', machine, { memoryBytes, seed }));
    },
  },
];
