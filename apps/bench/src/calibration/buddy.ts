// Published single-core figures of Linux's buddy allocator (@unimem/linux, src/published.ts:
// LLFree ATC'23 artifact, Linux 6.0, Xeon Gold 5320), calibrating the registered `buddy` system.
// bulk and repeat are fitted (buddy/costs.ts), rand is a prediction.

import { publishedBuddy } from '@unimem/linux';
import type { CalibrationSource } from '../api.js';
import type { FrameSystemName } from '../systems/index.js';

export const buddyAtc23: CalibrationSource<FrameSystemName> = {
  name: 'buddy-atc23',
  description: 'Linux buddy allocator single-core frame benchmarks (Xeon Gold 5320)',
  system: 'buddy',
  published: publishedBuddy,
};
