// Every system the runner knows, in one static table: the frame allocators (frames.ts) and the
// presets of @unimem/systems (presets.ts). `SystemName` is derived from it, so code that names a
// system (a calibration source, a test) is checked when it compiles. The order is the order of
// results (sweeps list systems, and number cases, in it): it is the one results have always had.

import type { SystemDefinition } from '../api.js';
import { buddy, llfree, pageRanges, reference } from './frames.js';
import { presetSystem } from './presets.js';

export const SYSTEMS = [
  buddy,
  presetSystem('linux+jemalloc'),
  llfree,
  presetSystem('osv+jemalloc'),
  presetSystem('osv-llfree'),
  presetSystem('osv-superblock+jemalloc'),
  presetSystem('osv-superblock'),
  presetSystem('osv'),
  pageRanges,
  reference,
] as const satisfies readonly SystemDefinition[];

/** A system in SYSTEMS. */
export type KnownSystem = (typeof SYSTEMS)[number];
/** The name of a system in SYSTEMS. */
export type SystemName = KnownSystem['name'];
/** The name of a system that provides a frame allocator (what calibration runs on). */
export type FrameSystemName = Extract<KnownSystem, { provides: readonly 'frames'[] }>['name'];
