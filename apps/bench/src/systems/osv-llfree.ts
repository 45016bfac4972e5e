// System `osv-llfree`: OSv with LLFree as its frame allocator (traced in the hardware model; no
// page ranges and no page pools, as in the thesis' build) and otherwise upstream's virtual
// memory: one global vma_list searched by find_hole under vma_list_mutex (rwlock with reader
// mutex). OSv's malloc in its LLFree build: malloc_large rounds to power-of-two LLFree blocks.

import { buildOsvPreset } from '@unimem/osv';
import type { SystemDefinition } from '../api.js';
import { MEMORY_SYSTEM_KINDS, memorySystemParts } from '../memory-system.js';

export const systems: SystemDefinition[] = [
  {
    name: 'osv-llfree',
    description:
      'OSv with LLFree frames, global vma_list + find_hole (rwlock with reader mutex), OSv malloc (LLFree build)',
    provides: MEMORY_SYSTEM_KINDS,
    build(context) {
      const { machine, memoryBytes, seed } = context;
      return memorySystemParts(
        context,
        buildOsvPreset('osv-llfree', machine, { memoryBytes, seed }),
      );
    },
  },
];
