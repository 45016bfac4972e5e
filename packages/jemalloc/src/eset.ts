// An extent set (jemalloc's eset_t): the inactive extents of one state in one arena, filed in bins
// by quantized page-size class, each bin a heap by (serial number, address), plus an LRU list
// for decay. `fit` is eset_first_fit: among the non-empty bins that can hold the request it takes
// the oldest/lowest extent, skipping bins more than 2^lgMaxFit times the request (dirty and muzzy
// sets use opt.lg_extent_max_active_fit = 6, so a 4 KiB slab never splits a 1 MiB dirty extent).
// Invariant: npages = sum of member sizes / page; a member is in exactly its bin and the LRU.

import { PAGE_SIZE } from '@unimem/core';
import type { ExtentTable } from './extent.js';
import { ExtentHeap } from './extent-heap.js';
import type { SizeClasses } from './size-classes.js';

const NONE = -1;
/** 2^i for i in 0..64: `size * 2 ** lgMaxFit` is a call to Math.pow on every fit. */
const POW2 = Float64Array.from({ length: 65 }, (_, i) => 2 ** i);

export class ExtentSet {
  /** Pages in the set. */
  npages = 0;
  /** Extents in the set. */
  count = 0;
  private readonly bins: Array<ExtentHeap | undefined>;
  private readonly nonEmpty: Uint32Array;
  private lruHead = NONE;
  private lruTail = NONE;

  constructor(
    readonly state: number,
    private readonly table: ExtentTable,
    private readonly classes: SizeClasses,
  ) {
    this.bins = new Array(classes.pszCount + 1);
    this.nonEmpty = new Uint32Array(((classes.pszCount + 1) >> 5) + 1);
  }

  insert(handle: number): void {
    const { table } = this;
    const bin = this.classes.esetBinOf(table.size(handle));
    let heap = this.bins[bin];
    if (heap === undefined) heap = this.bins[bin] = new ExtentHeap(table);
    if (heap.size === 0) this.nonEmpty[bin >> 5] |= 1 << (bin & 31);
    heap.insert(handle);
    table.setState(handle, this.state);
    table.setLruPrev(handle, this.lruTail);
    table.setLruNext(handle, NONE);
    if (this.lruTail === NONE) this.lruHead = handle;
    else table.setLruNext(this.lruTail, handle);
    this.lruTail = handle;
    this.npages += table.size(handle) / PAGE_SIZE;
    this.count++;
  }

  remove(handle: number): void {
    const { table } = this;
    const bin = this.classes.esetBinOf(table.size(handle));
    const heap = this.bins[bin]!;
    heap.remove(handle);
    if (heap.size === 0) this.nonEmpty[bin >> 5] &= ~(1 << (bin & 31));
    const prev = table.lruPrev(handle);
    const next = table.lruNext(handle);
    if (prev === NONE) this.lruHead = next;
    else table.setLruNext(prev, next);
    if (next === NONE) this.lruTail = prev;
    else table.setLruPrev(next, prev);
    table.setLruPrev(handle, NONE);
    table.setLruNext(handle, NONE);
    this.npages -= table.size(handle) / PAGE_SIZE;
    this.count--;
  }

  /** The least recently inserted extent, or -1. */
  lruFirst(): number {
    return this.lruHead;
  }

  /**
   * The oldest/lowest extent of at least `size` bytes whose bin is at most 2^lgMaxFit times
   * `size` (lgMaxFit in 0..64), or -1. Calls `probe` once per non-empty bin it looks at (for
   * charging).
   */
  fit(size: number, lgMaxFit: number, probe?: (handle: number) => void): number {
    // An empty set (dirty, during a run of allocations) answers without its bin bitmap.
    if (this.count === 0) return NONE;
    const { table, classes } = this;
    const limit = size * POW2[lgMaxFit];
    let best = NONE;
    for (let bin = this.nextNonEmpty(classes.esetFitBin(size)); bin >= 0; ) {
      if (classes.pszSize(bin) > limit) break;
      const candidate = this.bins[bin]!.first();
      probe?.(candidate);
      if (best === NONE || table.before(candidate, best)) best = candidate;
      bin = this.nextNonEmpty(bin + 1);
    }
    return best;
  }

  /** Members (tests). */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let handle = this.lruHead; handle !== NONE; handle = this.table.lruNext(handle)) {
      yield handle;
    }
  }

  /** First non-empty bin >= `from`, or -1. */
  private nextNonEmpty(from: number): number {
    const words = this.nonEmpty;
    let word = from >> 5;
    if (word >= words.length) return NONE;
    let bits = words[word] & (~0 << (from & 31));
    for (;;) {
      if (bits !== 0) return (word << 5) + (31 - Math.clz32(bits & -bits));
      if (++word >= words.length) return NONE;
      bits = words[word];
    }
  }
}
