// Baseline for the superblock allocator: ONE address-ordered free list for the whole area,
// shared by every core behind one lock (the shape of a global first-fit VA allocator such as
// upstream OSv's find_hole over one vma list). Same first-fit-from-the-end policy and the same
// FreeRanges structure as a bucket, so the comparison isolates per-core partitioning.

import type { RwLock } from '@unimem/core';
import { Errno, Ok } from '@unimem/core';
import { type LineTracer, nullTracer } from '@unimem/hw';
import { FreeRanges } from '@unimem/vma-tree';

export class SharedFreeList {
  private readonly ranges: FreeRanges;

  constructor(
    base: number,
    end: number,
    private readonly lock: RwLock,
    tracer: LineTracer = nullTracer,
  ) {
    this.ranges = new FreeRanges(tracer, tracer.allocLines(1, 'shared-list.header'));
    this.ranges.insert(base, end - base);
  }

  reserveRange(core: number, size: number, align: number): number {
    this.lock.writeLock(core);
    const addr = this.ranges.takeFirstFit(size, align);
    this.lock.writeUnlock(core);
    return addr < 0 ? Errno.ENOMEM : addr;
  }

  freeRange(core: number, addr: number, size: number): number {
    this.lock.writeLock(core);
    const ok = this.ranges.insert(addr, size);
    this.lock.writeUnlock(core);
    return ok ? Ok : Errno.EINVAL;
  }

  get nodes(): number {
    return this.ranges.size;
  }
}
