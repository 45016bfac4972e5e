// System `osv+jemalloc`: upstream OSv's memory management as in `osv` (page ranges + page pools,
// global vma_list + find_hole) with the jemalloc model in the thesis' configuration
// (percpu_arena:percpu, background_thread:false, tcache:false) as malloc, mapping through OSv's
// mmap. Footprint: pages parked in the page pools count as used (memory::stats::free()).

import { buildOsvPreset } from '@unimem/osv';
import type { SystemDefinition } from '../api.js';
import { MEMORY_SYSTEM_KINDS, memorySystemParts } from '../memory-system.js';

export const systems: SystemDefinition[] = [
  {
    name: 'osv+jemalloc',
    description:
      'upstream OSv (page ranges + page pools, vma_list + find_hole) with jemalloc (percpu arenas, tcache off)',
    provides: MEMORY_SYSTEM_KINDS,
    build(context) {
      const { machine, memoryBytes, seed } = context;
      const preset = buildOsvPreset('osv+jemalloc', machine, { memoryBytes, seed });
      return memorySystemParts(context, preset);
    },
  },
];
