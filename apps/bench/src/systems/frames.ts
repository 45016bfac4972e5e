// The frame-allocator systems (target kind `frames`): one allocator each over the frames a case
// asks for, charging the case's machine for what it touches. They are single components, not
// presets (those are in @unimem/systems, see presets.ts):
// - `buddy`: Linux's buddy allocator with per-CPU page lists and the zone lock, pcp->high and the
//   vmstat threshold tuned for the profile's whole machine (as @unimem/linux's calibration
//   does), not for the frames this run manages;
// - `llfree`: LLFree (ATC'23 layout) over TracedWords, so every shared word charges the cache-line
//   model, plus its per-call cost calibrated on the published single-core bulk figures
//   (LLFREE_LINUX_OP_COSTS; repeat and rand stay predictions, `unimem calibrate` shows both);
// - `page-ranges`: upstream OSv's page_range_allocator without the L1/L2 page pools: every get
//   and put takes the global free_page_ranges_lock;
// - `reference`: core's ReferenceFrameAllocator, touching no simulated line, so charged nothing:
//   a check of what the harness itself adds (0 cycles/op), not a model; not in the default suite.

import { type FrameAllocator, framesOf, ReferenceFrameAllocator } from '@unimem/core';
import { BuddyAllocator, profileTuning } from '@unimem/linux';
import { simulatedLLFree } from '@unimem/llfree';
import { PageRangeAllocator } from '@unimem/osv';
import type { BuildContext, SystemDefinition } from '../api.js';

/** A system of kind `frames` whose allocator `make` builds for each case. */
function frameSystem<const N extends string>(
  name: N,
  description: string,
  make: (context: BuildContext) => FrameAllocator,
  defaultSuite?: false,
): SystemDefinition<N, 'frames'> {
  const system: SystemDefinition<N, 'frames'> = {
    name,
    description,
    provides: ['frames'],
    build: (context) => ({ frames: make(context) }),
  };
  if (defaultSuite === false) system.defaultSuite = false;
  return system;
}

export const buddy = frameSystem(
  'buddy',
  'Linux 6.0 buddy allocator: per-CPU lists (batch 63), zone lock, struct pages',
  ({ machine, cores, memoryBytes }) =>
    new BuddyAllocator({
      frames: framesOf(memoryBytes),
      cores,
      machine,
      tuning: profileTuning(machine.profile),
    }),
);

export const llfree = frameSystem(
  'llfree',
  'LLFree lock-free frame allocator (ATC23 layout), traced in the hardware model',
  ({ machine, cores, memoryBytes }) =>
    simulatedLLFree(machine, { frames: framesOf(memoryBytes), cores }),
);

export const pageRanges = frameSystem(
  'page-ranges',
  'OSv page_range_allocator: size-class lists, one global mutex (no page pools)',
  ({ machine, cores, memoryBytes }) =>
    new PageRangeAllocator({ frames: framesOf(memoryBytes), cores, machine }),
);

export const reference = frameSystem(
  'reference',
  'ReferenceFrameAllocator (@unimem/core), charged nothing: a harness check',
  ({ cores, memoryBytes }) => new ReferenceFrameAllocator({ frames: framesOf(memoryBytes), cores }),
  false,
);
