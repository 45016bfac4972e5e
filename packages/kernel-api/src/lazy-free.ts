// MADV_FREE as a lazy free, with Linux's semantics (mm/madvise.c, madvise_free_pte_range): the
// pages stay mapped with their contents, their PTEs lose Dirty (and Accessed) and the TLBs are
// flushed, so a later write sets Dirty again through a page walk. When memory runs out, a
// populate reclaims every marked page that is still clean — freeing it as MADV_DONTNEED would —
// and keeps the ones written since. OSv itself implements only MADV_DONTNEED; this is the
// modelled extension. Limits: a marked page that is only read stays reclaimable (as in Linux);
// a 2 MiB page only partly covered by the advice is kept, not split; reclaim scans the marked
// pages without taking VMA locks (the kernel's reclaim works on page tables, not on VMAs; each
// simulated operation is atomic, so no VMA changes under it), charging pageWalkRef per page.
//
// Invariant: every marked page is populated (unpopulate forgets marks in its range first).

import { HUGE_SIZE, Ok, PAGE_SIZE } from '@unimem/core';
import { PteFlag } from '@unimem/hw';
import type { MemoryContext } from './context.js';
import { NO_FRAME, type TlbGather } from './tlb-flush.js';
import { releaseLeaf, type UnpopulateParts, unmapLeaf, unpopulate } from './unpopulate.js';

/** What a reclaim uses: unpopulating, plus the machine (walk cost) and its own TLB batch. */
export type ReclaimParts = UnpopulateParts & Pick<MemoryContext, 'machine' | 'reclaimGather'>;

const CLEAR_ON_MARK = PteFlag.Present | PteFlag.Huge | PteFlag.Accessed | PteFlag.Dirty;

export class LazyFree {
  /** Bytes of marked pages. */
  bytes = 0;
  /** Marked page address -> its size (4 KiB or 2 MiB). */
  private readonly pages = new Map<number, number>();

  /** Marks the populated pages of [start, end) (whole 2 MiB pages only); flushes via `gather`. */
  mark(ctx: UnpopulateParts, gather: TlbGather, core: number, start: number, end: number): void {
    const { residency } = ctx;
    for (const key of residency.keysIn(start, end)) {
      const base = key * HUGE_SIZE;
      if (residency.isHuge(key)) {
        if (base >= start && base + HUGE_SIZE <= end) this.markPage(ctx, gather, core, base);
        continue;
      }
      for (const va of residency.pagesIn(key, start, end)) this.markPage(ctx, gather, core, va);
    }
  }

  /** Drops the marks of [start, end) (the pages are being unmapped or were written). */
  forget(start: number, end: number): void {
    if (this.pages.size === 0) return;
    for (const [va, size] of this.pages) {
      if (va < end && va + size > start) {
        this.pages.delete(va);
        this.bytes -= size;
      }
    }
  }

  /**
   * Frees every marked page that is still clean; forgets the others. Returns the bytes freed.
   * Runs inside a populate that found no free frame, with `ctx.reclaimGather`.
   */
  reclaim(ctx: ReclaimParts, core: number): number {
    if (this.pages.size === 0) return 0;
    const gather = ctx.reclaimGather;
    const marked = [...this.pages];
    this.pages.clear();
    this.bytes = 0;
    let freed = 0;
    gather.begin(core);
    for (const [va, size] of marked) {
      ctx.machine.charge(ctx.machine.costs.pageWalkRef, core);
      const translation = ctx.pageTable.translate(va);
      if (translation === undefined || (translation.flags & PteFlag.Dirty) !== 0) continue;
      unpopulate(ctx, gather, core, va, va + size);
      freed += size;
      ctx.count(core, ctx.counters.lazyReclaimed, size / PAGE_SIZE);
    }
    gather.finish();
    return freed;
  }

  /** Re-installs the leaf at `va` with Dirty and Accessed clear, and records the mark. */
  private markPage(ctx: UnpopulateParts, gather: TlbGather, core: number, va: number): void {
    const mapping = unmapLeaf(ctx, core, va);
    ctx.tableFrees.release(core);
    const flags = mapping.flags & ~CLEAR_ON_MARK;
    const status = ctx.pageTable.map(core, va, mapping.frame, mapping.size, flags);
    if (status !== Ok) {
      // No frame for a page-table page: free the page now, as reclaim would.
      releaseLeaf(ctx, gather, core, mapping);
      return;
    }
    gather.add(va, NO_FRAME, 0);
    if (!this.pages.has(va)) {
      this.pages.set(va, mapping.size);
      this.bytes += mapping.size;
    }
    ctx.count(core, ctx.counters.lazyFreePages, mapping.size / PAGE_SIZE);
  }
}
