// The table of every preset: its name, what it is made of (the description results carry), and
// how to build it. Names are the table's keys, so `PresetName` is derived from it and a new
// preset is one entry here plus its wiring in its family's file (osv.ts, linux.ts). Invariant:
// every entry builds through its family's builder, so the table adds no wiring of its own.

import type { Machine } from '@unimem/hw';
import type { Preset, PresetOptions } from './api.js';
import { buildLinuxPreset } from './linux.js';
import { buildOsvPreset } from './osv.js';

interface PresetEntry {
  /** What the preset is made of, in one line. */
  readonly description: string;
  build(machine: Machine, options?: PresetOptions): Preset;
}

export const PRESETS = {
  'linux+jemalloc': {
    description:
      'Linux mm (buddy + mmap_lock/per-VMA locks + maple tree, syscalls, targeted shootdowns, THP madvise) with jemalloc (percpu arenas, tcache off)',
    build: (machine, options) => buildLinuxPreset('linux+jemalloc', machine, options),
  },
  osv: {
    description:
      'upstream OSv: page ranges + L1/L2 page pools, global vma_list + find_hole (rwlock with reader mutex), OSv malloc',
    build: (machine, options) => buildOsvPreset('osv', machine, options),
  },
  'osv+jemalloc': {
    description:
      'upstream OSv (page ranges + page pools, vma_list + find_hole) with jemalloc (percpu arenas, tcache off)',
    build: (machine, options) => buildOsvPreset('osv+jemalloc', machine, options),
  },
  'osv-llfree': {
    description:
      'OSv with LLFree frames, global vma_list + find_hole (rwlock with reader mutex), OSv malloc (LLFree build)',
    build: (machine, options) => buildOsvPreset('osv-llfree', machine, options),
  },
  'osv-superblock': {
    description:
      'optimized OSv (LLFree + core-local superblocks + per-core VMA trees) with OSv malloc (LLFree build)',
    build: (machine, options) => buildOsvPreset('osv-superblock', machine, options),
  },
  'osv-superblock+jemalloc': {
    description:
      'optimized OSv (LLFree + core-local superblocks + per-core VMA trees) with jemalloc (percpu arenas, tcache off)',
    build: (machine, options) => buildOsvPreset('osv-superblock+jemalloc', machine, options),
  },
} as const satisfies Record<string, PresetEntry>;

/** The name of a preset: a key of PRESETS. */
export type PresetName = keyof typeof PRESETS;

/** Every preset name, in the table's order. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** Builds preset `name` on `machine`; a RangeError lists the presets for an unknown name. */
export function buildPreset(name: PresetName, machine: Machine, options?: PresetOptions): Preset {
  if (!Object.hasOwn(PRESETS, name)) {
    throw new RangeError(`preset "${name}" is not one of ${PRESET_NAMES.join(', ')}`);
  }
  return PRESETS[name].build(machine, options);
}
