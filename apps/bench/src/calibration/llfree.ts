// Published single-core figures of LLFree (FRAME_ALLOCATORS.llfree.published of @unimem/systems,
// which are @unimem/llfree's src/published.ts: LLFree ATC'23 artifact, in-kernel, Linux 6.0, Xeon
// Gold 5320), calibrating the registered `llfree` system. bulk is fitted (LLFREE_LINUX_OP_COSTS),
// repeat and rand are predictions.

import { FRAME_ALLOCATORS } from '@unimem/systems';
import type { CalibrationSource } from '../api.js';
import type { FrameSystemName } from '../systems/index.js';

export const llfreeAtc23: CalibrationSource<FrameSystemName> = {
  name: 'llfree-atc23',
  description: 'LLFree single-core frame benchmarks, ATC23 artifact (Xeon Gold 5320)',
  system: 'llfree',
  published: FRAME_ALLOCATORS.llfree.published,
};
