// Unmapping populated pages and releasing their frames through a TlbGather (OSv `unpopulate`):
// munmap, MAP_FIXED evacuation, MADV_DONTNEED, MADV_FREE reclaim and populate rollback all end
// here. A range that covers only part of a 2 MiB mapping first splits it into 512 4 KiB
// mappings of the same frames (`splitHuge`), so the rest stays mapped; the huge frame is freed
// as one order-9 block when its last piece goes (huge-frames.ts).
//
// Invariant: after unpopulate(start, end) no kernel-populated page of [start, end) is mapped,
// every frame that lost its last mapping is in the gather (freed after the flush), and pages
// outside the range keep their frames and flags.

import { HUGE_ORDER, HUGE_SIZE, Ok, PAGE_SIZE } from '@unimem/core';
import { type Mapping, PageSize, PteFlag } from '@unimem/hw';
import type { MemoryContext } from './context.js';
import { NOT_A_PIECE, PIECES_LEFT } from './huge-frames.js';
import { Residency } from './residency.js';
import { NO_FRAME, type TlbGather } from './tlb-flush.js';

/** What unpopulating uses of the booted subsystem. */
export type UnpopulateParts = Pick<
  MemoryContext,
  'pageTable' | 'tableFrees' | 'residency' | 'huge' | 'lazy' | 'putFrame' | 'count' | 'counters'
>;

const PIECES = HUGE_SIZE / PAGE_SIZE;

/** Unmaps every page the kernel populated in [start, end); frames go to `gather`. */
export function unpopulate(
  ctx: UnpopulateParts,
  gather: TlbGather,
  core: number,
  start: number,
  end: number,
): void {
  const { residency } = ctx;
  ctx.lazy.forget(start, end);
  for (const key of residency.keysIn(start, end)) {
    const base = key * HUGE_SIZE;
    if (residency.isHuge(key)) {
      if (base >= start && base + HUGE_SIZE <= end) {
        releaseLeaf(ctx, gather, core, unmapLeaf(ctx, core, base));
        continue;
      }
      splitHuge(ctx, core, key);
    }
    for (const va of residency.pagesIn(key, start, end)) {
      releaseLeaf(ctx, gather, core, unmapLeaf(ctx, core, va));
    }
  }
}

/** Unmaps the kernel-populated leaf at `va`; a missing leaf means the bookkeeping is broken. */
export function unmapLeaf(ctx: UnpopulateParts, core: number, va: number): Mapping {
  const mapping = ctx.pageTable.unmap(core, va);
  if (mapping === undefined) {
    throw new Error(`unpopulate: page 0x${va.toString(16)} is recorded as populated but unmapped`);
  }
  return mapping;
}

/**
 * Forgets a leaf that was just unmapped and hands its frame to `gather`: a 2 MiB page with its
 * deposited table frame, an ordinary 4 KiB frame, or a piece of a split huge frame (the whole
 * block when it is the last piece).
 */
export function releaseLeaf(
  ctx: UnpopulateParts,
  gather: TlbGather,
  core: number,
  mapping: Mapping,
): void {
  const { residency, huge } = ctx;
  const va = mapping.va;
  ctx.count(core, ctx.counters.pagesUnpopulated);
  if (mapping.size === PageSize.Size2M) {
    const key = Residency.key(va);
    residency.removeHuge(key);
    gather.add(va, mapping.frame, HUGE_ORDER);
    gather.addFree(huge.takeDeposit(key), 0);
    return;
  }
  residency.removePage(va);
  const piece = huge.releasePiece(mapping.frame);
  if (piece === NOT_A_PIECE) gather.add(va, mapping.frame, 0);
  else if (piece === PIECES_LEFT) gather.add(va, NO_FRAME, 0);
  else gather.add(va, piece, HUGE_ORDER);
}

/**
 * Replaces the 2 MiB mapping of region `key` by 512 4 KiB mappings of the same frames and flags
 * (OSv `split_large_page`). The table pages the unmap emptied and the deposited frame are freed
 * first, so the page-table pages the 4 KiB mappings need — the PT plus any level the unmap freed —
 * are always available: the unmap frees k levels and the map needs k + 1. Stale 2 MiB TLB entries translate to the same frames until
 * the caller's flush, which an INVLPG of any piece also drops.
 */
export function splitHuge(ctx: UnpopulateParts, core: number, key: number): void {
  const base = key * HUGE_SIZE;
  // A MADV_FREE mark on the whole page would be judged by one piece's Dirty bit: drop it (kept).
  ctx.lazy.forget(base, base + HUGE_SIZE);
  const mapping = unmapLeaf(ctx, core, base);
  ctx.tableFrees.release(core);
  ctx.putFrame(core, ctx.huge.takeDeposit(key), 0);
  const flags = mapping.flags & ~(PteFlag.Present | PteFlag.Huge);
  for (let i = 0; i < PIECES; i++) {
    const va = base + i * PAGE_SIZE;
    const status = ctx.pageTable.map(core, va, mapping.frame + i, PageSize.Size4K, flags);
    if (status !== Ok) {
      throw new Error(
        `split of huge page 0x${base.toString(16)}: map of a piece failed (${status})`,
      );
    }
  }
  ctx.residency.splitHuge(key);
  ctx.huge.split(mapping.frame);
  ctx.count(core, ctx.counters.hugeSplits);
}
