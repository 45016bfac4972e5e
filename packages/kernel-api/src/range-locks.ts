// A range cut into the regions of its VMA locks, and taking those locks. munmap, mprotect and
// madvise may cover mappings of several owners (OSv's superblock fork asserts one owner; a
// range over several superblocks of different cores is legal POSIX input). Consecutive regions
// with the same vmaLock form one segment; each distinct lock is taken once, in address order of
// its first segment. Each simulated operation is atomic, so holding several bucket locks cannot
// deadlock here; on real hardware this order would have to be global.

import type { RwLock, VmaIndex } from '@unimem/core';
import type { KernelVma } from './api.js';
import type { MemoryContext } from './context.js';

/** What cutting a range into lock regions uses: the VM allocator and the index record. */
export type RegionParts = Pick<MemoryContext, 'vm' | 'index'>;

/** A part of a range whose addresses share one vma lock and index. */
export interface Segment {
  start: number;
  end: number;
  lock: RwLock;
  index: VmaIndex<KernelVma>;
}

/** [start, end) cut into segments of one vma lock each, in address order. */
export function segmentsOf(ctx: RegionParts, start: number, end: number): Segment[] {
  const { vm } = ctx;
  const segments: Segment[] = [];
  let at = start;
  while (at < end) {
    const lock = vm.vmaLock(at);
    let next = Math.min(end, vm.regionEnd(at));
    while (next < end && vm.vmaLock(next) === lock) next = Math.min(end, vm.regionEnd(next));
    segments.push({ start: at, end: next, lock, index: ctx.index(at) });
    at = next;
  }
  return segments;
}

export class RangeLocks {
  readonly segments: Segment[];
  /** Distinct locks in the order they are taken. */
  private readonly locks: RwLock[] = [];
  private readonly write: boolean;

  /** Splits [start, end) into segments; takes their locks (for write or read) as `core`. */
  constructor(ctx: RegionParts, core: number, start: number, end: number, write: boolean) {
    this.segments = segmentsOf(ctx, start, end);
    for (const { lock } of this.segments) if (!this.locks.includes(lock)) this.locks.push(lock);
    this.write = write;
    for (const lock of this.locks) {
      if (write) lock.writeLock(core);
      else lock.readLock(core);
    }
  }

  /** Releases the locks in reverse order. */
  unlock(core: number): void {
    for (let i = this.locks.length - 1; i >= 0; i--) {
      if (this.write) this.locks[i].writeUnlock(core);
      else this.locks[i].readUnlock(core);
    }
  }

  /** VMAs intersecting the range, segment by segment, in address order. */
  vmas(): KernelVma[] {
    return vmasOf(this.segments);
  }

  /** True when VMAs cover every byte of the range. */
  covered(): boolean {
    let at = this.segments[0].start;
    for (const vma of this.vmas()) {
      if (vma.start > at) return false;
      at = Math.max(at, vma.end);
    }
    return at >= this.segments[this.segments.length - 1].end;
  }
}

/** VMAs intersecting the segments, in address order. */
export function vmasOf(segments: readonly Segment[]): KernelVma[] {
  const out: KernelVma[] = [];
  for (const { start, end, index } of segments) {
    for (const vma of index.findIntersecting(start, end - start)) out.push(vma);
  }
  return out;
}
