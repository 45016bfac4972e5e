// madvise (OSv `advise`, taken with the vma locks for write). Errno.ENOMEM (nothing changed)
// unless VMAs cover the whole range, as OSv's `ismapped` check; Errno.EINVAL for an unknown
// advice.
// - DONTNEED: unpopulate the range and free its frames (OSv's only advice); the next touch
//   faults in a zeroed page.
// - FREE: lazy free (lazy-free.ts): pages stay mapped, are reclaimed when memory runs out unless
//   written since.
// - NOHUGEPAGE / HUGEPAGE: split the VMAs at the edges and set/clear `noHugePages`, which
//   later faults and populates honour (pages already mapped stay as they are).
// - NORMAL: nothing.

import { Advice, alignUp, Errno, type ErrnoStatus, Ok, PAGE_SIZE } from '@unimem/core';
import { isolate } from '@unimem/vma-tree';
import type { MemoryContext } from './context.js';
import { validRange } from './mmap.js';
import { RangeLocks, type RegionParts } from './range-locks.js';
import { type UnpopulateParts, unpopulate } from './unpopulate.js';

/** What madvise uses: the VM regions, unpopulating (DONTNEED), MADV_FREE marks, a TLB batch. */
export type AdviseParts = UnpopulateParts &
  RegionParts &
  Pick<MemoryContext, 'gather' | 'settings'>;

const KNOWN = new Set<number>(Object.values(Advice));

export function madvise(
  ctx: AdviseParts,
  core: number,
  addr: number,
  length: number,
  advice: number,
): ErrnoStatus {
  if (!validRange(ctx, addr, length) || !KNOWN.has(advice)) return Errno.EINVAL;
  const end = addr + alignUp(length, PAGE_SIZE);
  const locks = new RangeLocks(ctx, core, addr, end, true);
  if (!locks.covered()) {
    locks.unlock(core);
    return Errno.ENOMEM;
  }
  const { gather } = ctx;
  switch (advice) {
    case Advice.DONTNEED:
      gather.begin(core);
      unpopulate(ctx, gather, core, addr, end);
      gather.finish();
      break;
    case Advice.FREE:
      gather.begin(core);
      ctx.lazy.mark(ctx, gather, core, addr, end);
      gather.finish();
      break;
    case Advice.HUGEPAGE:
    case Advice.NOHUGEPAGE:
      for (const { start, end: segmentEnd, index } of locks.segments) {
        for (const vma of isolate(index, start, segmentEnd - start)) {
          vma.noHugePages = advice === Advice.NOHUGEPAGE;
        }
      }
      break;
  }
  locks.unlock(core);
  return Ok;
}
