// LLFree's published single-core figures (the ATC'23 paper's artifact: luhsra/llfree-bench, tag
// atc23-artifact-eval, `out/*.dref`; in-kernel C LLFree in Linux 6.0 on an Intel Xeon Gold 5320
// at 2.2 GHz, one core, ns per operation; the README's "Calibration" section lists them). The
// bulk figures are FITTED: they set LLFREE_LINUX_OP_COSTS (simulated.ts) through the fit of
// @unimem/hw/frame-bench. repeat and rand are PREDICTIONS: printed beside the simulated figure,
// never used to fit. Multi-core figures are deliberately absent: the model predicts them.

import type { PublishedFigures } from '@unimem/hw/frame-bench';

export const publishedLLFree: PublishedFigures = {
  allocator: 'llfree',
  profile: 'xeon-gold-5320',
  source:
    "LLFree ATC'23 artifact (luhsra/llfree-bench out/*.dref): Linux 6.0, Xeon Gold 5320, 1 core, in-kernel",
  figures: [
    { bench: 'bulk', order: 0, op: 'alloc', ns: 82.8, role: 'fitted' },
    { bench: 'bulk', order: 0, op: 'free', ns: 92.0, role: 'fitted' },
    { bench: 'bulk', order: 9, op: 'alloc', ns: 271.8, role: 'fitted' },
    { bench: 'bulk', order: 9, op: 'free', ns: 402.8, role: 'fitted' },
    { bench: 'repeat', order: 0, op: 'pair', ns: 183, role: 'prediction' },
    { bench: 'repeat', order: 9, op: 'pair', ns: 402, role: 'prediction' },
    { bench: 'rand', order: 0, op: 'free', ns: 137, role: 'prediction' },
  ],
};
