// Published single-core figures of Linux's buddy allocator (with per-CPU lists), from the LLFree
// ATC'23 paper's artifact (luhsra/llfree-bench, tag atc23-artifact-eval, `out/*.dref`): Linux 6.0
// on an Intel Xeon Gold 5320 at 2.2 GHz, in-kernel module luhsra/linux-alloc-bench, one core, ns
// per operation (README, "Calibration"). bulk and repeat are FITTED (they set the costs of
// buddy/costs.ts through bench/fit-costs.ts); rand is a PREDICTION, never used to fit.
// Multi-core figures are deliberately absent: the model predicts them. `buddySubject()` is the
// allocator these figures describe, built as `unimem`'s `buddy` system builds it.

import type { CalibrationSubject, PublishedFigures } from '@unimem/hw/frame-bench';
import type { BuddyCosts } from './api.js';
import { BuddyAllocator } from './buddy/buddy-allocator.js';
import { profileTuning } from './buddy/tuning.js';

export const publishedBuddy: PublishedFigures = {
  allocator: 'buddy',
  profile: 'xeon-gold-5320',
  source:
    "LLFree ATC'23 artifact (luhsra/llfree-bench out/*.dref): Linux 6.0 buddy, Xeon Gold 5320, 1 core, in-kernel",
  figures: [
    { bench: 'bulk', order: 0, op: 'alloc', ns: 94.0, role: 'fitted' },
    { bench: 'bulk', order: 0, op: 'free', ns: 90.3, role: 'fitted' },
    { bench: 'bulk', order: 9, op: 'alloc', ns: 2615, role: 'fitted' },
    { bench: 'bulk', order: 9, op: 'free', ns: 443.8, role: 'fitted' },
    { bench: 'repeat', order: 0, op: 'pair', ns: 112, role: 'fitted' },
    { bench: 'repeat', order: 9, op: 'pair', ns: 362, role: 'fitted' },
    { bench: 'rand', order: 0, op: 'free', ns: 257, role: 'prediction' },
  ],
};

/**
 * The buddy allocator as a calibration subject. Linux's tuning (pcp high, vmstat threshold) is
 * that of the machine the profile describes (all its memory and CPUs), however few frames a run
 * simulates. `costs` overrides entries of the cost table (the fit uses it).
 */
export function buddySubject(costs?: Partial<BuddyCosts>): CalibrationSubject {
  return {
    create: (machine, { frames, cores }) =>
      new BuddyAllocator({ frames, cores, machine, costs, tuning: profileTuning(machine.profile) }),
    published: publishedBuddy,
  };
}
