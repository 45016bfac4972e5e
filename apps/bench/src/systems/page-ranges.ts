// System `page-ranges`: upstream OSv's page_range_allocator (@unimem/osv) alone, without the
// L1/L2 page pools: every get and put takes the global free_page_ranges_lock.

import { PageRangeAllocator } from '@unimem/osv';
import type { SystemDefinition } from '../api.js';
import { framesOf } from '../units.js';

export const systems: SystemDefinition[] = [
  {
    name: 'page-ranges',
    description: 'OSv page_range_allocator: size-class lists, one global mutex (no page pools)',
    provides: ['frames'],
    build({ machine, cores, memoryBytes }) {
      return { frames: new PageRangeAllocator({ frames: framesOf(memoryBytes), cores, machine }) };
    },
  },
];
