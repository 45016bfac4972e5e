// Published single-core figures of LLFree (@unimem/llfree, src/published.ts: LLFree ATC'23
// artifact, in-kernel, Linux 6.0, Xeon Gold 5320), calibrating the registered `llfree` system.
// bulk is fitted (LLFREE_LINUX_OP_COSTS), repeat and rand are predictions.

import { publishedLLFree } from '@unimem/llfree';
import type { CalibrationSource } from '../api.js';
import type { FrameSystemName } from '../systems/index.js';

export const llfreeAtc23: CalibrationSource<FrameSystemName> = {
  name: 'llfree-atc23',
  description: 'LLFree single-core frame benchmarks, ATC23 artifact (Xeon Gold 5320)',
  system: 'llfree',
  published: publishedLLFree,
};
