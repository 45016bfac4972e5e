// System `osv-superblock`: the thesis' optimized OSv — LLFree frames (traced), core-local 1 GiB
// superblocks with per-core VMA trees and per-owner locks (@unimem/superblock) — with OSv's
// malloc in its LLFree build (per-CPU malloc_pools, power-of-two malloc_large). LLFree has no
// page pools, so OSv's stats::free() is the allocator's free memory.

import { buildOsvPreset } from '@unimem/osv';
import type { SystemDefinition } from '../api.js';
import { MEMORY_SYSTEM_KINDS, memorySystemParts } from '../memory-system.js';

export const systems: SystemDefinition[] = [
  {
    name: 'osv-superblock',
    description:
      'optimized OSv (LLFree + core-local superblocks + per-core VMA trees) with OSv malloc (LLFree build)',
    provides: MEMORY_SYSTEM_KINDS,
    build(context) {
      const { machine, memoryBytes, seed } = context;
      const preset = buildOsvPreset('osv-superblock', machine, { memoryBytes, seed });
      return memorySystemParts(context, preset);
    },
  },
];
