// Published single-core figures of LLFree (ATC'23 artifact, in-kernel, Intel Xeon Gold 5320 at
// 2.2 GHz, Linux 6.0; shared/reference/llfree.md §5) to compare the simulated `llfree` system
// against on the xeon-gold-5320 profile. The bulk rows calibrate LLFREE_LINUX_OP_COSTS
// (systems/llfree.ts); repeat and rand are predictions.

import { publishedLLFree } from '@unimem/linux';
import type { CalibrationSource } from '../api.js';
import { publishedRows } from '../published-rows.js';

export const calibrationSources: CalibrationSource[] = [
  {
    name: 'llfree-atc23',
    description: 'LLFree single-core frame benchmarks, ATC23 artifact (Xeon Gold 5320)',
    profile: 'xeon-gold-5320',
    cores: 1,
    rows: publishedRows(publishedLLFree, 'llfree'),
  },
];
