// Option and callback types of @unimem/vma-tree. The index itself implements VmaIndex from
// @unimem/core; the trees are in btree.ts (the default, VmaTree) and avl.ts, the split/merge
// helpers for munmap and mprotect in split.ts.

import type { Vma } from '@unimem/core';
import type { LineTracer } from '@unimem/hw';

export type { Vma, VmaIndex } from '@unimem/core';

/** Options of every tree in this package. */
export interface VmaTreeOptions {
  /**
   * Charged for every node a call visits (`read`) or modifies (`write`), so that a lookup's cost
   * shows up in the hardware model. Each node owns line ids from `tracer.allocLines`; ids of
   * freed nodes are reused. Default: `nullTracer` (charges nothing).
   */
  tracer?: LineTracer;
  /** Label passed to `tracer.allocLines` (default `vma-tree`). */
  label?: string;
}

/** Options of the B+ tree (VmaTree). */
export interface BTreeOptions extends VmaTreeOptions {
  /**
   * Maximum entries per node (VMAs in a leaf, children of an inner node): an integer in 4..256.
   * Default 16, chosen by bench/index.ts. A node occupies ceil((16 + 16 * nodeSlots) / 64)
   * lines, and every line of a visited node is charged.
   */
  nodeSlots?: number;
}

/**
 * Returns a fresh VMA with the same attributes (prot, flags and any extra fields) as `vma`.
 * The helpers set `start` and `end` of the copy themselves. The default, `cloneVma`, copies own
 * enumerable properties onto an object with the same prototype.
 */
export type CloneVma<V extends Vma> = (vma: V) => V;

/** True when two touching VMAs `left` (ending where `right` starts) may become one. */
export type CanMergeVma<V extends Vma> = (left: V, right: V) => boolean;
