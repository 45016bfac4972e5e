// Populating anonymous memory: one page for a fault, every page of a VMA for MAP_POPULATE (OSv
// `vma::fault` / `populate`). A 2 MiB page is used where the aligned 2 MiB region lies inside
// the VMA, nothing in it is populated yet and the frame allocator has an order-9 block; otherwise
// a 4 KiB page. The frames and the table pages on the page's path are taken first, then the page
// is zeroed (zeroPage; a 2 MiB page as the system clears it, options hugeZeroing; streamed
// through the socket's shared DRAM bandwidth: hw machine.memory), then mapped: the order of
// Linux's fault path (p*d_alloc in __handle_mm_fault, then the folio, pte_alloc_one for a THP's
// deposit, clearing, set_pmd_at) and OSv's (the page-table walker creates intermediate levels,
// then the leaf's page is allocated and zeroed). Until 2026-12-05 the tables were taken after
// the zeroing, so a fault that needed one touched the frame allocator 168,000 cycles into its
// step for a 2 MiB page (see hw README, "Operation granularity"). When no frame is left,
// MADV_FREE pages are reclaimed once before the call reports Errno.ENOMEM.
//
// Invariant: a populate that fails leaves no frame and no page-table page behind (populateRange
// unmaps what it mapped before it returns the error).

import { Errno, type ErrnoStatus, HUGE_ORDER, HUGE_SIZE, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { PageSize, PteFlag } from '@unimem/hw';
import type { KernelVma } from './api.js';
import type { MemoryContext } from './context.js';
import type { ReclaimParts } from './lazy-free.js';
import { Residency } from './residency.js';
import { unpopulate } from './unpopulate.js';

/** What populating uses: frames, zeroing, mapping, MADV_FREE reclaim and rollback. */
export type PopulateParts = ReclaimParts & Pick<MemoryContext, 'frames' | 'settings' | 'gather'>;

/** Software PTE bit of a page whose VMA is PROT_NONE (Linux clears Present; see fault.ts). */
export const PTE_NO_ACCESS = PteFlag.Soft1;

/** Leaf flags for a VMA protection. Execute permission is not modelled. */
export function pteFlagsOf(prot: number): number {
  if (prot === Prot.NONE) return PTE_NO_ACCESS;
  return (prot & Prot.WRITE) !== 0 ? PteFlag.Writable : 0;
}

/**
 * Populates the page holding `va` in `vma` (2 MiB where possible). Returns Ok (also when the page
 * is already mapped) or Errno.ENOMEM. The caller holds vmaLock(va).
 */
export function populatePage(
  ctx: PopulateParts,
  core: number,
  vma: KernelVma,
  va: number,
): ErrnoStatus {
  if (ctx.residency.has(va)) return Ok;
  const key = Residency.key(va);
  if (hugeEligible(ctx, vma, key)) {
    if (populateHuge(ctx, core, vma, key) === Ok) return Ok;
    ctx.count(core, ctx.counters.hugeFallbacks);
  }
  return populateSmall(ctx, core, vma, va - (va % PAGE_SIZE));
}

/**
 * Populates every page of [start, end) inside `vma` (MAP_POPULATE). On Errno.ENOMEM everything
 * this call populated is unmapped and freed again. The caller holds vmaLock(start) for write.
 */
export function populateRange(
  ctx: PopulateParts,
  core: number,
  vma: KernelVma,
  start: number,
  end: number,
): ErrnoStatus {
  const { residency } = ctx;
  let va = start;
  while (va < end) {
    const key = Residency.key(va);
    if (va % HUGE_SIZE === 0 && va + HUGE_SIZE <= end && hugeEligible(ctx, vma, key)) {
      if (populateHuge(ctx, core, vma, key) === Ok) {
        va += HUGE_SIZE;
        continue;
      }
      ctx.count(core, ctx.counters.hugeFallbacks);
    }
    if (!residency.has(va) && populateSmall(ctx, core, vma, va) !== Ok) {
      ctx.gather.begin(core, false);
      unpopulate(ctx, ctx.gather, core, start, va);
      ctx.gather.finish();
      return Errno.ENOMEM;
    }
    va += PAGE_SIZE;
  }
  return Ok;
}

function hugeEligible(ctx: PopulateParts, vma: KernelVma, key: number): boolean {
  const base = key * HUGE_SIZE;
  return (
    ctx.settings.hugePages &&
    vma.noHugePages !== true &&
    base >= vma.start &&
    base + HUGE_SIZE <= vma.end &&
    ctx.frames.maxOrder >= HUGE_ORDER &&
    ctx.residency.isEmpty(key)
  );
}

/** A 2 MiB page plus its deposited table frame; Errno.ENOMEM (nothing changed) if either fails. */
function populateHuge(ctx: PopulateParts, core: number, vma: KernelVma, key: number): ErrnoStatus {
  const { frames } = ctx;
  const frame = frames.get(core, HUGE_ORDER);
  if (frame < 0) return Errno.ENOMEM;
  const deposit = frames.get(core, 0);
  if (deposit < 0) {
    ctx.putFrame(core, frame, HUGE_ORDER);
    return Errno.ENOMEM;
  }
  const base = key * HUGE_SIZE;
  // The table pages before the clearing, as the kernels take them (PageTable.prepare).
  if (ctx.pageTable.prepare(core, base, PageSize.Size2M) !== Ok) {
    ctx.putFrame(core, deposit, 0);
    ctx.putFrame(core, frame, HUGE_ORDER);
    return Errno.ENOMEM;
  }
  ctx.machine.memory.stream(core, HUGE_SIZE, ctx.settings.hugeZeroCycles);
  const status = ctx.pageTable.map(core, base, frame, PageSize.Size2M, pteFlagsOf(vma.prot));
  if (status !== Ok) {
    // ENOMEM for a table page, or EEXIST: someone else's 4 KiB mapping lies in the region.
    ctx.putFrame(core, deposit, 0);
    ctx.putFrame(core, frame, HUGE_ORDER);
    return Errno.ENOMEM;
  }
  ctx.count(core, ctx.counters.hugePagesZeroed);
  ctx.residency.addHuge(key);
  ctx.huge.deposit(key, deposit);
  return Ok;
}

/** A 4 KiB page at `page`; reclaims MADV_FREE pages once when memory is short. */
function populateSmall(
  ctx: PopulateParts,
  core: number,
  vma: KernelVma,
  page: number,
): ErrnoStatus {
  for (let attempt = 0; ; attempt++) {
    const status = tryPopulateSmall(ctx, core, vma, page);
    if (status !== Errno.ENOMEM || attempt > 0 || ctx.lazy.reclaim(ctx, core) === 0) return status;
  }
}

function tryPopulateSmall(
  ctx: PopulateParts,
  core: number,
  vma: KernelVma,
  page: number,
): ErrnoStatus {
  const frame = ctx.frames.get(core, 0);
  if (frame < 0) return Errno.ENOMEM;
  // The table pages before the clearing, as the kernels take them (PageTable.prepare).
  let status = ctx.pageTable.prepare(core, page, PageSize.Size4K);
  if (status === Ok) {
    ctx.machine.memory.stream(core, PAGE_SIZE, ctx.machine.costs.zeroPage);
    status = ctx.pageTable.map(core, page, frame, PageSize.Size4K, pteFlagsOf(vma.prot));
  }
  if (status === Errno.EEXIST) {
    // Mapped by a Kernel API user, not by us: nothing to populate.
    ctx.putFrame(core, frame, 0);
    return Ok;
  }
  if (status !== Ok) {
    ctx.putFrame(core, frame, 0);
    return Errno.ENOMEM;
  }
  ctx.count(core, ctx.counters.pagesZeroed);
  ctx.residency.addPage(page);
  return Ok;
}
