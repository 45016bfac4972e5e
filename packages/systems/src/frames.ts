// The frame-allocator systems: one component allocator each over the frames a case asks for,
// charging the case's machine for what it touches, and the published single-core figures that
// calibrate it. They are single components, not presets (those are in presets.ts); they live here
// because this package is the one that imports the component packages:
// - `buddy`: Linux's buddy allocator with per-CPU page lists and the zone lock, pcp->high and the
//   vmstat threshold tuned for the profile's whole machine (as @unimem/linux's calibration
//   does), not for the frames this run manages; calibrated on `publishedBuddy`;
// - `llfree`: LLFree (ATC'23 layout) over TracedWords, so every shared word charges the cache-line
//   model, plus its per-call cost calibrated on the published single-core bulk figures
//   (LLFREE_LINUX_OP_COSTS, from `publishedLLFree`; repeat and rand stay predictions);
// - `page-ranges`: upstream OSv's page_range_allocator without the L1/L2 page pools: every get
//   and put takes the global free_page_ranges_lock; no published figures.
// Invariant: names are the table's keys (`FrameAllocatorName` is derived from it), and
// buildFrameAllocator builds exactly the allocator its entry describes, with no wiring elsewhere.

import { type FrameAllocator, framesOf } from '@unimem/core';
import type { Machine } from '@unimem/hw';
import type { PublishedFigures } from '@unimem/hw/frame-bench';
import { BuddyAllocator, profileTuning, publishedBuddy } from '@unimem/linux';
import { publishedLLFree, simulatedLLFree } from '@unimem/llfree';
import { PageRangeAllocator } from '@unimem/osv';

/** A row of the table: what the allocator is, and the figures that calibrate it (if any). */
interface FrameAllocatorEntry {
  /** What the allocator models, in one line (results carry it). */
  readonly description: string;
  /** Published single-core figures its costs are calibrated on (`unimem calibrate`). */
  readonly published?: PublishedFigures;
}

export const FRAME_ALLOCATORS = {
  buddy: {
    description: 'Linux 6.0 buddy allocator: per-CPU lists (batch 63), zone lock, struct pages',
    published: publishedBuddy,
  },
  llfree: {
    description: 'LLFree lock-free frame allocator (ATC23 layout), traced in the hardware model',
    published: publishedLLFree,
  },
  'page-ranges': {
    description: 'OSv page_range_allocator: size-class lists, one global mutex (no page pools)',
  },
} as const satisfies Record<string, FrameAllocatorEntry>;

/** The name of a frame allocator: a key of FRAME_ALLOCATORS. */
export type FrameAllocatorName = keyof typeof FRAME_ALLOCATORS;

/** Every frame-allocator name, in the table's order. */
export const FRAME_ALLOCATOR_NAMES = Object.keys(FRAME_ALLOCATORS) as FrameAllocatorName[];

/** What a frame allocator is built for: the case's machine, its cores and its memory. */
export interface FrameAllocatorBuildOptions {
  machine: Machine;
  /** Cores of the case (the machine has exactly these). */
  cores: number;
  /** Physical memory the allocator manages, in bytes (framesOf gives the frames). */
  memoryBytes: number;
}

/** Builds frame allocator `name`; a RangeError lists the allocators for an unknown name. */
export function buildFrameAllocator(
  name: FrameAllocatorName,
  { machine, cores, memoryBytes }: FrameAllocatorBuildOptions,
): FrameAllocator {
  const frames = framesOf(memoryBytes);
  switch (name) {
    case 'buddy':
      return new BuddyAllocator({ frames, cores, machine, tuning: profileTuning(machine.profile) });
    case 'llfree':
      return simulatedLLFree(machine, { frames, cores });
    case 'page-ranges':
      return new PageRangeAllocator({ frames, cores, machine });
    default: {
      // A table entry without a case here does not compile; a name from outside TypeScript
      // (a CLI string) gets the list.
      const unknown: never = name;
      throw new RangeError(
        `frame allocator "${String(unknown)}" is not one of ${FRAME_ALLOCATOR_NAMES.join(', ')}`,
      );
    }
  }
}
