// OSv's page_range_allocator as a FrameAllocator over frames 0..N: every call takes the one global
// free_page_ranges_lock (a SimMutex when a machine is given), as OSv does for alloc_huge_page,
// malloc_large and the L2 pool's refills. Order 0 is alloc(page_size); orders >= 1 must be
// naturally aligned in the FrameAllocator contract, so they go through alloc_aligned's linear
// walk, as alloc_huge_page does. getPages/putPages serve any page count (malloc_large), and
// getFrames/putFrames take up to a batch of single pages under one lock acquisition (l2::refill,
// l2::free_batch).
//
// Orders are at most 30 (checked at construction), so a block of order k is `1 << k` pages: V8
// compiles `2 ** order` to a call of pow (~30-50 ns on the development VM), once per get and put.
//
// Arguments are checked before the lock is taken, so a call that returns an error has changed
// nothing and charged nothing (except getAt and get, whose Memory comes from a search under the
// lock, as in OSv). The block table (block-table.ts) is the model's contract
// bookkeeping, not OSv's, and is never charged.

import {
  AllocError,
  type FrameAllocator,
  type FrameResult,
  isCoreIndex,
  isFrameBlock,
  isOrderIn,
  MAX_ORDER,
  Ok,
  type Status,
} from '@unimem/core';
import type { Machine } from '@unimem/hw';
import type { BatchFrameSource, PageRangeAllocatorOptions } from './api.js';
import { BlockTable } from './block-table.js';
import { checkPageRanges } from './check.js';
import { resolveOsvCosts } from './costs.js';
import { LIST_CLASSES } from './free-lists.js';
import { type CountingLock, globalMutex } from './native-mutex.js';
import { PageRanges } from './page-ranges.js';
import { RangeLines } from './range-lines.js';

/** Most frames (2^31 - 1: 8 TiB of 4 KiB frames; frame numbers stay int32). */
export const MAX_RANGE_FRAMES = 2 ** 31 - 1;
/** sizeof(page_range_allocator) in the layout of range-lines.ts. */
const OBJECT_BYTES = 336;
const PAGE_BYTES = 4096;

export class PageRangeAllocator implements FrameAllocator, BatchFrameSource {
  readonly name = 'page-ranges';
  readonly cores: number;
  readonly maxOrder: number;
  /** free_page_ranges_lock. */
  readonly mutex: CountingLock;
  /** The OSv structure itself (lists, huge set, bitmap); read-only use outside this file. */
  readonly ranges: PageRanges;
  private readonly frames: number;
  private readonly blocks: BlockTable;
  private readonly lines: RangeLines;
  private readonly machine: Machine | null;
  private readonly rangeOp: number;

  constructor(options: PageRangeAllocatorOptions) {
    const { frames, cores, maxOrder = MAX_ORDER, machine } = options;
    if (!Number.isSafeInteger(frames) || frames < 1 || frames > MAX_RANGE_FRAMES) {
      throw new RangeError(`frames ${frames} must be an integer in 1..${MAX_RANGE_FRAMES}`);
    }
    if (!Number.isSafeInteger(cores) || cores < 1) {
      throw new RangeError(`cores ${cores} must be a positive integer`);
    }
    if (!Number.isSafeInteger(maxOrder) || maxOrder < 0 || maxOrder > 30) {
      throw new RangeError(`maxOrder ${maxOrder} must be an integer in 0..30`);
    }
    if (machine !== undefined && cores > machine.cores) {
      throw new RangeError(`cores ${cores} exceeds the machine's ${machine.cores} cores`);
    }
    this.frames = frames;
    this.cores = cores;
    this.maxOrder = maxOrder;
    this.machine = machine ?? null;
    const costs = resolveOsvCosts(options.costs);
    this.rangeOp = costs.rangeOp;
    this.lines = new RangeLines(machine, frames, costs);
    this.mutex = globalMutex(machine, 'free_page_ranges_lock', options.mutex);
    this.ranges = new PageRanges(frames, this.lines);
    this.blocks = new BlockTable(frames);
    // Boot (free_initial_memory_range -> initial_add): not charged; see chargeInitialAdd.
    this.lines.quietly(() => this.ranges.insert(0, frames));
  }

  get(core: number, order: number): FrameResult {
    if (!isCoreIndex(core, this.cores) || !isOrderIn(order, this.maxOrder))
      return AllocError.Argument;
    return this.take(core, 1 << order, order > 0);
  }

  put(core: number, frame: number, order: number): Status {
    if (!isCoreIndex(core, this.cores) || !isOrderIn(order, this.maxOrder))
      return AllocError.Argument;
    return this.putPages(core, frame, 1 << order);
  }

  /** malloc_large's alloc(size): any number of pages, not aligned beyond a page. */
  getPages(core: number, pages: number): FrameResult {
    if (!isCoreIndex(core, this.cores)) return AllocError.Argument;
    if (!Number.isSafeInteger(pages) || pages < 1) return AllocError.Argument;
    if (pages > this.frames) return AllocError.Memory;
    return this.take(core, pages, false);
  }

  /**
   * Takes `pages` pages under the mutex as `core` (bound for the call): aligned to `pages`
   * (alloc_huge_page's alloc_aligned) or anywhere (alloc). Memory when no range holds them.
   */
  private take(core: number, pages: number, aligned: boolean): FrameResult {
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      this.mutex.lock(core);
      this.lines.cycles(this.rangeOp);
      const frame = aligned ? this.ranges.allocAligned(pages, pages) : this.ranges.alloc(pages);
      if (frame >= 0) {
        this.blocks.claim(frame, pages);
        this.lines.freeMemory();
      }
      this.mutex.unlock(core);
      return frame >= 0 ? frame : AllocError.Memory;
    } finally {
      handle?.unbind(outer);
    }
  }

  /** Frees a block of `pages` handed out by getPages (or get, with pages = 2^order). */
  putPages(core: number, frame: number, pages: number): Status {
    if (!isCoreIndex(core, this.cores)) return AllocError.Argument;
    if (!Number.isSafeInteger(pages) || pages < 1) return AllocError.Argument;
    if (!this.validFrame(frame) || this.blocks.pagesAt(frame) !== pages) return AllocError.Address;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      this.mutex.lock(core);
      this.lines.cycles(this.rangeOp);
      this.blocks.release(frame, pages);
      this.lines.freeMemory();
      this.ranges.free(frame, pages);
      this.mutex.unlock(core);
      return Ok;
    } finally {
      handle?.unbind(outer);
    }
  }

  getAt(core: number, frame: number, order: number): FrameResult {
    if (!isCoreIndex(core, this.cores) || !isOrderIn(order, this.maxOrder))
      return AllocError.Argument;
    const pages = 2 ** order;
    if (!isFrameBlock(frame, order, this.frames)) return AllocError.Address;
    if (!this.blocks.isFree(frame, pages)) return AllocError.Memory;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      this.mutex.lock(core);
      this.lines.cycles(this.rangeOp);
      const ok = this.ranges.allocAt(frame, pages);
      if (ok) {
        this.blocks.claim(frame, pages);
        this.lines.freeMemory();
      }
      this.mutex.unlock(core);
      return ok ? frame : AllocError.Memory;
    } finally {
      handle?.unbind(outer);
    }
  }

  getFrames(core: number, out: Int32Array, count: number): number {
    if (!isCoreIndex(core, this.cores) || !Number.isSafeInteger(count) || count < 0) return 0;
    const n = Math.min(count, out.length);
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      this.mutex.lock(core);
      let got = 0;
      while (got < n) {
        this.lines.cycles(this.rangeOp);
        const frame = this.ranges.alloc(1);
        if (frame < 0) break;
        this.blocks.claim(frame, 1);
        out[got++] = frame;
      }
      if (got > 0) this.lines.freeMemory(); // on_alloc(got * page_size), once per batch
      this.mutex.unlock(core);
      return got;
    } finally {
      handle?.unbind(outer);
    }
  }

  putFrames(core: number, frames: Int32Array, count: number): Status {
    if (!isCoreIndex(core, this.cores)) return AllocError.Argument;
    if (!Number.isSafeInteger(count) || count < 0 || count > frames.length) {
      return AllocError.Argument;
    }
    // Check all (a repeated frame reads as marked the second time), then free all.
    let bad = -1;
    for (let i = 0; i < count; i++) {
      const frame = frames[i];
      if (!this.validFrame(frame) || this.blocks.pagesAt(frame) !== 1) {
        bad = i;
        break;
      }
      this.blocks.mark(frame);
    }
    for (let i = 0; i < (bad < 0 ? count : bad); i++) this.blocks.unmark(frames[i]);
    if (bad >= 0) return AllocError.Address;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      this.mutex.lock(core);
      for (let i = 0; i < count; i++) {
        this.lines.cycles(this.rangeOp);
        this.blocks.release(frames[i], 1);
        this.lines.freeMemory(); // free_page_range_locked -> on_free, per page
        this.ranges.free(frames[i], 1);
      }
      this.mutex.unlock(core);
      return Ok;
    } finally {
      handle?.unbind(outer);
    }
  }

  /** Nothing is cached per core. */
  drain(_core: number): void {}

  freeFrames(): number {
    return this.ranges.freePages;
  }

  totalFrames(): number {
    return this.frames;
  }

  isFree(frame: number, order: number): boolean {
    if (!isOrderIn(order, this.maxOrder) || !isFrameBlock(frame, order, this.frames)) return false;
    return this.blocks.isFree(frame, 2 ** order);
  }

  /**
   * OSv's metadata: the coalescing bitmap (whole pages, taken from free memory by its
   * bitmap_allocator) and the allocator object. Range headers live in free pages and cost none.
   */
  metadataBytes(): number {
    return Math.ceil(this.frames / 8 / PAGE_BYTES) * PAGE_BYTES + OBJECT_BYTES;
  }

  /** Free ranges in lists and the huge set. */
  rangeCount(): number {
    let n = this.ranges.huge.count;
    for (let order = 0; order < LIST_CLASSES; order++) n += this.ranges.lists.count(order);
    return n;
  }

  /** Consistency problems of the (quiescent) structure; empty when consistent. */
  check(): string[] {
    return checkPageRanges(this.ranges, this.blocks);
  }

  /**
   * Charges `core` for what initial_add does at boot: reset and resize the bitmap (a write of
   * every bitmap line) and insert the initial range. For boot benchmarks; not done implicitly.
   */
  chargeInitialAdd(core: number): void {
    if (this.machine === null) return;
    const handle = this.machine.core(core);
    const outer = handle.bind();
    try {
      this.lines.bitRange(0, this.frames);
      this.lines.header(0, true);
      this.lines.tail(this.frames - 1, true);
    } finally {
      handle.unbind(outer);
    }
  }

  private validFrame(frame: number): boolean {
    return Number.isInteger(frame) && frame >= 0 && frame < this.frames;
  }
}
