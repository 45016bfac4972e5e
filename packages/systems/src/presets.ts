// The table of every preset: its name, its family (whose builder wires it: osv.ts, linux.ts) and
// what it is made of (the description results carry). Names are the table's keys, so
// `PresetName` is derived from it; a new preset is one entry here plus its recipe in its family's
// file. Invariant: the table holds every name of every family, each under its own family (the
// `satisfies` checks it), and adds no wiring of its own.

import type { Machine } from '@unimem/hw';
import type { Preset, PresetOptions } from './api.js';
import { buildLinuxPreset, type LinuxPresetName } from './linux.js';
import { buildOsvPreset, type OsvPresetName } from './osv.js';

/** A row of the table: which family's builder wires the preset, and what it is made of. */
interface PresetEntry<F extends 'osv' | 'linux'> {
  readonly family: F;
  /** What the preset is made of, in one line (results carry it). */
  readonly description: string;
}

export const PRESETS = {
  'linux+jemalloc': {
    family: 'linux',
    description:
      'Linux mm (buddy + mmap_lock/per-VMA locks + maple tree, syscalls, targeted shootdowns, THP madvise) with jemalloc (percpu arenas, tcache off)',
  },
  osv: {
    family: 'osv',
    description:
      'upstream OSv: page ranges + L1/L2 page pools, global vma_list + find_hole (rwlock with reader mutex), OSv malloc',
  },
  'osv+jemalloc': {
    family: 'osv',
    description:
      'upstream OSv (page ranges + page pools, vma_list + find_hole) with jemalloc (percpu arenas, tcache off)',
  },
  'osv-llfree': {
    family: 'osv',
    description:
      'OSv with LLFree frames, global vma_list + find_hole (rwlock with reader mutex), OSv malloc (LLFree build)',
  },
  'osv-superblock': {
    family: 'osv',
    description:
      'optimized OSv (LLFree + core-local superblocks + per-core VMA trees) with OSv malloc (LLFree build)',
  },
  'osv-superblock+jemalloc': {
    family: 'osv',
    description:
      'optimized OSv (LLFree + core-local superblocks + per-core VMA trees) with jemalloc (percpu arenas, tcache off)',
  },
} as const satisfies Record<OsvPresetName, PresetEntry<'osv'>> &
  Record<LinuxPresetName, PresetEntry<'linux'>>;

/** The name of a preset: a key of PRESETS. */
export type PresetName = keyof typeof PRESETS;

/** Every preset name, in the table's order. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** Builds preset `name` on `machine`; a RangeError lists the presets for an unknown name. */
export function buildPreset(name: PresetName, machine: Machine, options?: PresetOptions): Preset {
  if (!Object.hasOwn(PRESETS, name)) {
    throw new RangeError(`preset "${name}" is not one of ${PRESET_NAMES.join(', ')}`);
  }
  // The table's `satisfies` proves each name belongs to the family it names.
  return PRESETS[name].family === 'osv'
    ? buildOsvPreset(name as OsvPresetName, machine, options)
    : buildLinuxPreset(name as LinuxPresetName, machine, options);
}
