// The 16 size-class lists of page_range_allocator (core/mempool.cc): `_free[k]` holds the free
// ranges of [2^k, 2^(k+1)) pages as an intrusive doubly-linked list whose hooks live in the
// range headers, plus the `_not_empty` bitset. Here a range is named by its first frame; its
// links are two per-frame words (the hook in its header). Invariant: a range is in exactly the
// list of its size class while it is free, and bit k of `notEmpty` is set iff list k is
// non-empty (bit 16 belongs to the huge set, maintained by the allocator).
//
// Lines touched are those of bi::list: push_front reads and writes the list head and writes the
// new and the old first node; erase reads the node and writes its two neighbours (nodes or the
// head); every insert writes `_not_empty`, an erase that empties a list writes it too.

import type { PagedColumn } from './paged-records.js';
import type { RangeLines } from './range-lines.js';

/** No range (end of a list). */
export const NIL = -1;
/** Size classes kept in lists (page_ranges_max_order, include/osv/mempool.hh). */
export const LIST_CLASSES = 16;

export class FreeLists {
  /** First range of each class, or NIL. */
  readonly heads = new Int32Array(LIST_CLASSES).fill(NIL);
  /** Bit k set iff class k is non-empty (bit 16: huge ranges exist). */
  notEmpty = 0;

  constructor(
    private readonly next: PagedColumn,
    private readonly prev: PagedColumn,
    private readonly lines: RangeLines,
  ) {}

  first(order: number): number {
    return this.heads[order];
  }

  /** The range after `range` in its list, or NIL. */
  after(range: number): number {
    return this.next.get(range);
  }

  pushFront(order: number, range: number): void {
    const lines = this.lines;
    lines.listHead(order, false);
    const old = this.heads[order];
    this.next.set(range, old);
    this.prev.set(range, NIL);
    lines.header(range, true);
    if (old !== NIL) {
      this.prev.set(old, range);
      lines.header(old, true);
    }
    this.heads[order] = range;
    lines.listHead(order, true);
    this.notEmpty |= 1 << order;
    lines.notEmpty(true);
  }

  erase(order: number, range: number): void {
    const lines = this.lines;
    lines.header(range, false);
    const before = this.prev.get(range);
    const after = this.next.get(range);
    if (before === NIL) {
      this.heads[order] = after;
      lines.listHead(order, true);
    } else {
      this.next.set(before, after);
      lines.header(before, true);
    }
    if (after === NIL) {
      // The head's prev pointer (circular bi::list) when the range was the last one.
      lines.listHead(order, true);
    } else {
      this.prev.set(after, before);
      lines.header(after, true);
    }
    this.next.set(range, NIL);
    this.prev.set(range, NIL);
    if (this.heads[order] === NIL) {
      this.notEmpty &= ~(1 << order);
      lines.notEmpty(true);
    }
  }

  /** Number of ranges in class `order` (walks the list; for checks and stats). */
  count(order: number): number {
    let n = 0;
    for (let r = this.heads[order]; r !== NIL; r = this.next.get(r)) n++;
    return n;
  }
}
