// Published single-core figures of the LLFree paper's benchmarks (ATC'23 artifact,
// luhsra/llfree-bench): Linux 6.0 on an Intel Xeon Gold 5320, in-kernel, one core, ns per
// operation. Source: shared/reference/llfree.md §5 (also costs.md §2). They calibrate the
// per-operation costs; multi-core figures are deliberately absent (the model predicts them).

export type FrameBenchName = 'bulk' | 'repeat' | 'rand';
/** alloc / free: one get or put; pair: one get + put (repeat). */
export type FrameBenchOp = 'alloc' | 'free' | 'pair';

export interface PublishedFigure {
  bench: FrameBenchName;
  order: number;
  op: FrameBenchOp;
  ns: number;
}

export const PUBLISHED_SOURCE =
  'shared/reference/llfree.md §5: luhsra/llfree-bench, Linux 6.0, Xeon Gold 5320, ' +
  '1 core, in-kernel [M]';

/** Linux's buddy allocator (with per-CPU lists). */
export const publishedBuddy: readonly PublishedFigure[] = [
  { bench: 'bulk', order: 0, op: 'alloc', ns: 94.0 },
  { bench: 'bulk', order: 0, op: 'free', ns: 90.3 },
  { bench: 'bulk', order: 9, op: 'alloc', ns: 2615 },
  { bench: 'bulk', order: 9, op: 'free', ns: 443.8 },
  { bench: 'repeat', order: 0, op: 'pair', ns: 112 },
  { bench: 'repeat', order: 9, op: 'pair', ns: 362 },
  { bench: 'rand', order: 0, op: 'free', ns: 257 },
];

/** LLFree (C, in-kernel) on the same machine. */
export const publishedLLFree: readonly PublishedFigure[] = [
  { bench: 'bulk', order: 0, op: 'alloc', ns: 82.8 },
  { bench: 'bulk', order: 0, op: 'free', ns: 92.0 },
  { bench: 'bulk', order: 9, op: 'alloc', ns: 271.8 },
  { bench: 'bulk', order: 9, op: 'free', ns: 402.8 },
  { bench: 'repeat', order: 0, op: 'pair', ns: 183 },
  { bench: 'repeat', order: 9, op: 'pair', ns: 402 },
  { bench: 'rand', order: 0, op: 'free', ns: 137 },
];
