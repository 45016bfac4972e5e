// Published single-core figures of Linux's buddy allocator (ATC'23 artifact, Linux 6.0, Xeon
// Gold 5320; shared/reference/llfree.md §5). The buddy's per-operation costs were fitted to the
// bulk and repeat rows (packages/linux/bench/fit-costs.ts); rand is a prediction.

import { publishedBuddy } from '@unimem/linux';
import type { CalibrationSource } from '../api.js';
import { publishedRows } from '../published-rows.js';

export const calibrationSources: CalibrationSource[] = [
  {
    name: 'buddy-atc23',
    description: 'Linux buddy allocator single-core frame benchmarks (Xeon Gold 5320)',
    profile: 'xeon-gold-5320',
    cores: 1,
    rows: publishedRows(publishedBuddy, 'buddy'),
  },
];
