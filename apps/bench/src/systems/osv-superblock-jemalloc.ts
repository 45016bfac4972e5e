// System `osv-superblock+jemalloc`: the thesis' optimized OSv memory subsystem — LLFree frames
// (traced, starting all allocated so that boot frees them as OSv does), core-local superblocks
// with per-core VMA trees and per-owner locks — under @unimem/kernel-api's UnikernelMemory, with
// the jemalloc model in the thesis' configuration (percpu arenas, tcache off) as malloc. The
// assembly is @unimem/osv's preset of the same name. LLFree has no page pools, so free memory as
// OSv's stats::free() sees it is the allocator's.

import { buildOsvPreset } from '@unimem/osv';
import type { SystemDefinition } from '../api.js';
import { MEMORY_SYSTEM_KINDS, memorySystemParts } from '../memory-system.js';

export const systems: SystemDefinition[] = [
  {
    name: 'osv-superblock+jemalloc',
    description:
      'optimized OSv (LLFree + core-local superblocks + per-core VMA trees) with jemalloc (percpu arenas, tcache off)',
    provides: MEMORY_SYSTEM_KINDS,
    build(context) {
      const { machine, memoryBytes, seed } = context;
      const preset = buildOsvPreset('osv-superblock+jemalloc', machine, { memoryBytes, seed });
      return memorySystemParts(context, preset);
    },
  },
];
