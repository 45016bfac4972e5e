// Published single-core figures of LLFree (ATC'23 artifact, in-kernel, Intel Xeon Gold 5320 at
// 2.2 GHz, Linux 6.0; shared/reference/llfree.md §5, luhsra/llfree-bench out/*.dref) to compare
// the simulated `llfree` system against on the xeon-gold-5320 profile.

import type { CalibrationSource } from '../api.js';

const SOURCE = 'llfree.md §5: LLFree ATC23 artifact, 1 core, in-kernel [M]';

export const calibrationSources: CalibrationSource[] = [
  {
    name: 'llfree-atc23',
    description: 'LLFree single-core frame benchmarks, ATC23 artifact (Xeon Gold 5320)',
    profile: 'xeon-gold-5320',
    cores: 1,
    rows: [
      {
        bench: 'frames.bulk',
        system: 'llfree',
        metric: 'alloc',
        order: 0,
        publishedNs: 82.8,
        source: SOURCE,
      },
      {
        bench: 'frames.bulk',
        system: 'llfree',
        metric: 'free',
        order: 0,
        publishedNs: 92.0,
        source: SOURCE,
      },
      {
        bench: 'frames.bulk',
        system: 'llfree',
        metric: 'alloc',
        order: 9,
        publishedNs: 271.8,
        source: SOURCE,
      },
      {
        bench: 'frames.bulk',
        system: 'llfree',
        metric: 'free',
        order: 9,
        publishedNs: 402.8,
        source: SOURCE,
      },
      {
        bench: 'frames.repeat',
        system: 'llfree',
        metric: 'pair',
        order: 0,
        publishedNs: 183,
        source: SOURCE,
      },
      {
        bench: 'frames.repeat',
        system: 'llfree',
        metric: 'pair',
        order: 9,
        publishedNs: 402,
        source: SOURCE,
      },
      {
        bench: 'frames.rand',
        system: 'llfree',
        metric: 'free',
        order: 0,
        publishedNs: 137,
        source: SOURCE,
      },
    ],
  },
];
