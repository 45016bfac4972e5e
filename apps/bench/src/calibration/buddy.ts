// Published single-core figures of Linux's buddy allocator (FRAME_ALLOCATORS.buddy.published of
// @unimem/systems, which are @unimem/linux's src/published.ts: LLFree ATC'23 artifact, Linux
// 6.0, Xeon Gold 5320), calibrating the registered `buddy` system. bulk and repeat are fitted
// (buddy/costs.ts), rand is a prediction.

import { FRAME_ALLOCATORS } from '@unimem/systems';
import type { CalibrationSource } from '../api.js';
import type { FrameSystemName } from '../systems/index.js';

export const buddyAtc23: CalibrationSource<FrameSystemName> = {
  name: 'buddy-atc23',
  description: 'Linux buddy allocator single-core frame benchmarks (Xeon Gold 5320)',
  system: 'buddy',
  published: FRAME_ALLOCATORS.buddy.published,
};
