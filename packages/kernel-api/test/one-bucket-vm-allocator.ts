// A VM allocator with ONE bucket for every core: one VMA index, one vma rwlock, one free-ranges
// rwlock, one address-ordered free list with the superblock allocator's first fit from the end.
// Built from @unimem/superblock's public parts (Bucket, FreeRanges) because SuperblockAllocator
// has no option to share one bucket. It is what the bench compares per-core buckets against, and
// the shape of the original-OSv variant (see KernelVmAllocator in src/api.ts): with
// `reserveUnderVmaLock` mmap holds the vma lock across the reservation, as upstream map_anon
// holds vma_list_mutex across find_hole (this first fit stands in for find_hole's walk).

import {
  type AddressResult,
  Errno,
  type ErrnoStatus,
  isPageRange,
  isPageSize,
  Ok,
  PAGE_SIZE,
  type RwLock,
  type VmaIndex,
} from '@unimem/core';
import { type LineTracer, nullTracer } from '@unimem/hw';
import { Bucket } from '@unimem/superblock';
import type { KernelVmAllocator, KernelVma } from '../src/index.js';

export interface OneBucketOptions {
  lock: (name: string) => RwLock;
  index: () => VmaIndex<KernelVma>;
  tracer?: LineTracer;
  /** First managed address (default 0x2000_0000_0000, OSv's superblock area base). */
  base?: number;
  /** End of the managed address space (default 2^47). */
  limit?: number;
  /** mmap takes the vma lock before reserveRange (upstream OSv). Default false. */
  reserveUnderVmaLock?: boolean;
}

const NODE_BYTES = 64;

export class OneBucketVmAllocator implements KernelVmAllocator<KernelVma> {
  readonly name = 'one-bucket';
  readonly reserveLock?: (core: number) => RwLock;
  private readonly bucket: Bucket<KernelVma>;
  private readonly base: number;
  private readonly limit: number;

  constructor(options: OneBucketOptions) {
    const tracer = options.tracer ?? nullTracer;
    this.base = options.base ?? 0x2000_0000_0000;
    this.limit = options.limit ?? 2 ** 47;
    this.bucket = new Bucket('all', options.lock, options.index, tracer, tracer.allocLines(1));
    this.bucket.ranges.insert(this.base, this.limit - this.base);
    if (options.reserveUnderVmaLock === true) this.reserveLock = () => this.bucket.vmaLock;
  }

  reserveRange(core: number, size: number, align: number): AddressResult {
    if (!isPageSize(size) || !Number.isInteger(Math.log2(align)) || align < PAGE_SIZE) {
      return Errno.EINVAL;
    }
    const lock = this.bucket.freeRangesLock;
    lock.writeLock(core);
    const addr = this.bucket.ranges.takeFirstFit(size, align);
    lock.writeUnlock(core);
    return addr < 0 ? Errno.ENOMEM : addr;
  }

  allocateRange(addr: number, size: number): ErrnoStatus {
    if (!this.validRange(addr, size)) return Errno.EINVAL;
    return this.bucket.ranges.remove(addr, size) ? Ok : Errno.ENOMEM;
  }

  freeRange(addr: number, size: number): ErrnoStatus {
    if (!this.validRange(addr, size)) return Errno.EINVAL;
    return this.bucket.ranges.insert(addr, size) ? Ok : Errno.EINVAL;
  }

  validate(_core: number, addr: number, size: number): boolean {
    return this.validRange(addr, size);
  }

  freeBytes(): number {
    return this.bucket.ranges.freeBytes;
  }

  regionEnd(addr: number): number {
    return addr < this.limit ? this.limit : Number.MAX_SAFE_INTEGER;
  }

  vmaLock(): RwLock {
    return this.bucket.vmaLock;
  }

  freeRangesLock(): RwLock {
    return this.bucket.freeRangesLock;
  }

  vmas(): VmaIndex<KernelVma> {
    return this.bucket.vmas;
  }

  metadataBytes(): number {
    return (1 + this.bucket.ranges.size) * NODE_BYTES;
  }

  private validRange(addr: number, size: number): boolean {
    return isPageRange(addr, size, this.base, this.limit);
  }
}
