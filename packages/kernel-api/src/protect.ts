// mprotect (OSv `mprotect` → `protect`): the range's vma locks for write; Errno.ENOMEM (nothing
// changed) unless VMAs cover the whole range, as POSIX and OSv's `ismapped` check require;
// otherwise split the VMAs at the edges, set their protection, rewrite the populated PTEs (a 2 MiB
// page only partly inside is split first) and flush the TLBs through a gather (flush only, no
// frames). VMAs are not merged afterwards (OSv does not merge either).

import { alignUp, Errno, type ErrnoStatus, HUGE_SIZE, Ok, PAGE_SIZE } from '@unimem/core';
import { isolate } from '@unimem/vma-tree';
import type { MemoryContext } from './context.js';
import { validRange } from './mmap.js';
import { pteFlagsOf } from './populate.js';
import { RangeLocks, type RegionParts } from './range-locks.js';
import { NO_FRAME } from './tlb-flush.js';
import { splitHuge, type UnpopulateParts } from './unpopulate.js';

/** What mprotect uses: the VM regions, the page table (through huge splits) and a TLB batch. */
export type ProtectParts = UnpopulateParts &
  RegionParts &
  Pick<MemoryContext, 'gather' | 'settings'>;

const PROT_BITS = 7;

export function mprotect(
  ctx: ProtectParts,
  core: number,
  addr: number,
  length: number,
  prot: number,
): ErrnoStatus {
  if (!validRange(ctx, addr, length)) return Errno.EINVAL;
  if (!Number.isInteger(prot) || prot < 0 || (prot & ~PROT_BITS) !== 0) return Errno.EINVAL;
  const end = addr + alignUp(length, PAGE_SIZE);
  const locks = new RangeLocks(ctx, core, addr, end, true);
  if (!locks.covered()) {
    locks.unlock(core);
    return Errno.ENOMEM;
  }
  for (const { start, end: segmentEnd, index } of locks.segments) {
    for (const vma of isolate(index, start, segmentEnd - start)) vma.prot = prot;
  }
  protectPages(ctx, core, addr, end, pteFlagsOf(prot));
  locks.unlock(core);
  return Ok;
}

/** Rewrites the flags of every populated page of [start, end) and flushes them. */
function protectPages(ctx: ProtectParts, core: number, start: number, end: number, flags: number) {
  const { residency, pageTable, gather } = ctx;
  gather.begin(core);
  for (const key of residency.keysIn(start, end)) {
    const base = key * HUGE_SIZE;
    if (residency.isHuge(key)) {
      if (base >= start && base + HUGE_SIZE <= end) {
        pageTable.protect(core, base, flags);
        gather.add(base, NO_FRAME, 0);
        continue;
      }
      splitHuge(ctx, core, key);
    }
    for (const va of residency.pagesIn(key, start, end)) {
      pageTable.protect(core, va, flags);
      gather.add(va, NO_FRAME, 0);
    }
  }
  gather.finish();
}
