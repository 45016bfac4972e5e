// OSv's page_range_allocator (core/mempool.cc; docs/reference/osv.md §6): free memory as ranges of
// whole pages, each with a header (its size and a list or tree hook) in its first page and a
// back-pointer to that header in the last 8 bytes of its last page. Ranges of [2^k, 2^(k+1))
// pages sit in list k (free-lists.ts), ranges of 2^16 pages or more in the huge set
// (huge-set.ts). The coalescing bitmap has the bit of the first and of the last page of every
// free range set, so free() finds a free left neighbour through bit first-1 and its back-pointer
// and a free right neighbour through bit first+pages, and merges in O(1).
//
// Invariants: free ranges are disjoint, never adjacent (every free coalesces), and each is in
// exactly one list or the huge set; the bits of the first and last page of every range, free or
// allocated, say whether it is free (interior bits may be stale, as in OSv: only range
// boundaries are ever read); `size` is non-zero exactly at the first page of a free range.
// No locking and no argument checks here: page-range-allocator.ts adds the global mutex and the
// FrameAllocator contract.

import { Bitmap } from './bitmap.js';
import { FreeLists, LIST_CLASSES, NIL } from './free-lists.js';
import { HugeSet } from './huge-set.js';
import { type PagedColumn, PagedRecords } from './paged-records.js';
import type { RangeLines } from './range-lines.js';

/** The class of the huge set in `notEmpty` (page_ranges_max_order). */
const HUGE_CLASS = LIST_CLASSES;

/** floor(log2(n)) for n >= 1. */
export function ilog2(n: number): number {
  return n < 2 ** 31 ? 31 - Math.clz32(n) : Math.floor(Math.log2(n));
}

/** ceil(log2(n)) for n >= 1. */
export function ilog2Roundup(n: number): number {
  return n <= 1 ? 0 : ilog2(n - 1) + 1;
}

export class PageRanges {
  /** Pages of the free range starting at a frame; 0 where no free range starts. */
  readonly size: PagedColumn;
  /** Back-pointer stored at the last page of a free range: its first page. */
  readonly back: PagedColumn;
  readonly bitmap: Bitmap;
  readonly lists: FreeLists;
  readonly huge: HugeSet;
  /** Free pages over all ranges. */
  freePages = 0;

  constructor(
    readonly frames: number,
    private readonly lines: RangeLines,
  ) {
    // One record per frame (paged-records.ts): a freed frame's size, back-pointer and links
    // are reached together.
    const records = new PagedRecords(frames, [0, 0, NIL, NIL]);
    this.size = records.column(0);
    this.back = records.column(1);
    this.bitmap = new Bitmap(frames);
    const next = records.column(2);
    const prev = records.column(3);
    this.lists = new FreeLists(next, prev, lines);
    this.huge = new HugeSet(frames, this.size, lines);
  }

  /**
   * alloc(size): the first range of the smallest non-empty class >= ceil(log2(pages)), or the
   * largest huge range; its first `pages` pages are taken and the tail goes back as a new range.
   * When no class that surely fits is non-empty, the class below is searched linearly (a
   * non-power-of-two request may still fit there). Returns the first frame or -1.
   */
  alloc(pages: number): number {
    const lines = this.lines;
    lines.notEmpty(false);
    const exact = Math.min(ilog2Roundup(pages), HUGE_CLASS);
    const bitset = exact === 0 ? this.lists.notEmpty : this.lists.notEmpty & ~((1 << exact) - 1);
    let range = NIL;
    if (bitset === 0) {
      if (exact === 0) return NIL;
      range = this.searchClass(exact - 1, pages);
      if (range === NIL) return NIL;
    } else {
      const order = 31 - Math.clz32(bitset & -bitset);
      if (order === HUGE_CLASS) {
        range = this.huge.largest();
        lines.header(range, false);
        if (this.size.get(range) < pages) return NIL;
      } else {
        lines.listHead(order, false);
        range = this.lists.first(order);
      }
      this.remove(range);
    }
    const total = this.size.get(range);
    if (total > pages) this.insert(range + pages, total - pages);
    this.markAllocated(range, pages, false);
    return range;
  }

  /**
   * alloc_aligned(size, 0, alignment, fill = true), as alloc_huge_page calls it: a linear walk
   * over the huge set (ascending) and then lists 15 down to max(log2(pages), 1) - 1, taking the
   * highest aligned block of the first range that holds one. The pages after the block and
   * before it go back as ranges; all bits of the block are cleared (fill). Returns -1 if none.
   */
  allocAligned(pages: number, alignment: number): number {
    const lines = this.lines;
    const rangeVisit = lines.costs.rangeVisit;
    lines.hugeHeader(false);
    for (let i = 0; i < this.huge.count; i++) {
      const range = this.huge.at(i);
      lines.header(range, false);
      lines.cycles(rangeVisit);
      if (this.fitsAligned(range, pages, alignment))
        return this.carveAligned(range, pages, alignment);
    }
    const minOrder = Math.max(ilog2(pages), 1) - 1;
    for (let order = LIST_CLASSES - 1; order >= minOrder; order--) {
      lines.listHead(order, false);
      for (let range = this.lists.first(order); range !== NIL; range = this.lists.after(range)) {
        lines.header(range, false);
        lines.cycles(rangeVisit);
        if (this.fitsAligned(range, pages, alignment)) {
          return this.carveAligned(range, pages, alignment);
        }
      }
    }
    return NIL;
  }

  /**
   * Takes [first, first + pages) if it lies inside one free range (for getAt; OSv has no such
   * call, boot code frees only what is usable). Returns false when it does not.
   */
  allocAt(first: number, pages: number): boolean {
    const head = this.rangeContaining(first);
    if (head === NIL || head + this.size.get(head) < first + pages) return false;
    const end = head + this.size.get(head);
    this.remove(head);
    if (first > head) this.insert(head, first - head);
    if (first + pages < end) this.insert(first + pages, end - first - pages);
    this.markAllocated(first, pages, true);
    return true;
  }

  /** free(pr): merges with a free left and right neighbour found through the bitmap. */
  free(first: number, pages: number): void {
    const lines = this.lines;
    lines.bitmapHeader();
    let start = first;
    let total = pages;
    if (start > 0) {
      lines.bit(start - 1, false);
      if (this.bitmap.get(start - 1)) {
        lines.tail(start - 1, false);
        const left = this.back.get(start - 1);
        this.remove(left);
        total += this.size.get(left);
        start = left;
      }
    }
    const next = start + total;
    if (next < this.frames) {
      lines.bit(next, false);
      if (this.bitmap.get(next)) {
        this.remove(next);
        total += this.size.get(next);
        this.size.set(next, 0);
      }
    }
    this.insert(start, total);
  }

  /** The free range containing `frame`, or NIL (a backward scan of the bitmap; not charged). */
  rangeContaining(frame: number): number {
    let p = this.bitmap.previousSet(frame);
    while (p >= 0) {
      const size = this.size.get(p);
      if (size > 0 && p + size > frame) return p;
      p = p > 0 ? this.bitmap.previousSet(p - 1) : NIL;
    }
    return NIL;
  }

  /** insert(pr): back-pointer, list or huge set, bitmap bits of the first and last page. */
  insert(range: number, pages: number): void {
    const lines = this.lines;
    const last = range + pages - 1;
    this.size.set(range, pages);
    this.back.set(last, range);
    lines.tail(last, true);
    const order = ilog2(pages);
    if (order >= HUGE_CLASS) {
      this.huge.insert(range);
      this.lists.notEmpty |= 1 << HUGE_CLASS;
      lines.notEmpty(true);
    } else {
      this.lists.pushFront(order, range);
    }
    lines.bitmapHeader();
    this.bitmap.set(range);
    lines.bit(range, true);
    this.bitmap.set(last);
    lines.bit(last, true);
    this.freePages += pages;
  }

  /** remove(pr): out of its list or the huge set; its size stays until the caller changes it. */
  private remove(range: number): void {
    const pages = this.size.get(range);
    const order = ilog2(pages);
    if (order >= HUGE_CLASS) {
      this.huge.erase(range);
      if (this.huge.count === 0) {
        this.lists.notEmpty &= ~(1 << HUGE_CLASS);
        this.lines.notEmpty(true);
      }
    } else {
      this.lists.erase(order, range);
    }
    this.freePages -= pages;
  }

  /** First frame of the last aligned block of `pages` in the range, if it has one. */
  private fitsAligned(range: number, pages: number, alignment: number): boolean {
    const total = this.size.get(range);
    return total >= pages && total >= pages + ((range + total - pages) % alignment);
  }

  private carveAligned(range: number, pages: number, alignment: number): number {
    let total = this.size.get(range);
    const shift = (range + total - pages) % alignment;
    this.remove(range);
    if (shift > 0) {
      this.insert(range + total - shift, shift);
      total -= shift;
    }
    let block = range;
    if (total > pages) {
      total -= pages;
      this.insert(range, total);
      block = range + total;
      this.lines.header(block, true);
    }
    this.markAllocated(block, pages, true);
    return block;
  }

  /** set_bits(pr, false[, fill]) and the end of the range's life as a free range head. */
  private markAllocated(first: number, pages: number, fill: boolean): void {
    const lines = this.lines;
    lines.bitmapHeader();
    if (fill) {
      this.bitmap.fill(first, pages, false);
      lines.bitRange(first, pages);
    } else {
      this.bitmap.clear(first);
      lines.bit(first, true);
      this.bitmap.clear(first + pages - 1);
      lines.bit(first + pages - 1, true);
    }
    this.size.set(first, 0);
  }

  /** alloc's fallback: the first range of class `order` with at least `pages` pages. */
  private searchClass(order: number, pages: number): number {
    const lines = this.lines;
    lines.listHead(order, false);
    for (let range = this.lists.first(order); range !== NIL; range = this.lists.after(range)) {
      lines.header(range, false);
      lines.cycles(lines.costs.rangeVisit);
      if (this.size.get(range) >= pages) {
        this.remove(range);
        return range;
      }
    }
    return NIL;
  }
}
