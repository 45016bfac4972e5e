// The VM allocator of ONE mm: the maple tree (a VmaTree, B+ tree ≈ maple tree, its nodes
// charged) as the only index, mmap_lock (MmapLock: the rw-semaphore plus per-VMA locks) as the
// vma lock of every address, and the free address space as address-ordered ranges searched from
// the top (Linux's top-down get_unmapped_area; the ranges, FreeRanges of @unimem/vma-tree, stand
// in for the maple tree's gap tracking and their lines are charged the same way).
//
// Linux searches for a hole under mmap_lock held for write, so `reserveLock` is mmap_lock: mmap
// holds it across the search, the insert and MAP_POPULATE. There is no separate lock for free
// space (it lives in the tree), so `freeRangesLock` is a lock that costs nothing. THP in madvise
// mode: every VMA the tree receives without a huge-page advice gets `noHugePages`, so 2 MiB
// faults happen only after MADV_HUGEPAGE (which clears it); split pieces inherit it.

import {
  type AddressResult,
  Errno,
  type ErrnoStatus,
  isPageAlign,
  isPageRange,
  isPageSize,
  Ok,
  type RwLock,
  type VmaIndex,
} from '@unimem/core';
import { freeLock, type LineTracer } from '@unimem/hw';
import type { KernelVmAllocator, KernelVma } from '@unimem/kernel-api';
import { FreeRanges, VmaTree } from '@unimem/vma-tree';
import { MMAP_MIN_ADDR } from './api.js';
import type { MmapLock } from './mmap-lock.js';

/** The maple tree of one mm, telling mmap_lock about the VMAs writers touch. */
export class MapleTree extends VmaTree<KernelVma> {
  constructor(
    tracer: LineTracer,
    private readonly lock: MmapLock,
    private readonly thpMadvise: boolean,
  ) {
    super({ tracer, label: 'maple-tree' });
  }

  override insert(vma: KernelVma): void {
    if (this.thpMadvise && vma.noHugePages === undefined) vma.noHugePages = true;
    super.insert(vma);
    this.lock.writeVma(vma);
  }

  override findIntersecting(addr: number, size: number): KernelVma[] {
    const found = super.findIntersecting(addr, size);
    for (const vma of found) this.lock.writeVma(vma);
    return found;
  }
}

export interface LinuxVmOptions {
  tracer: LineTracer;
  lock: MmapLock;
  /** THP in madvise mode: new VMAs start with noHugePages. */
  thpMadvise: boolean;
  /** End of the user address space. */
  limit: number;
}

const RANGE_NODE_BYTES = 64;

export class LinuxVmAllocator implements KernelVmAllocator<KernelVma> {
  readonly name = 'linux-mm';
  readonly tree: MapleTree;
  private readonly lock: MmapLock;
  private readonly ranges: FreeRanges;
  /** Free space lives under mmap_lock, so its own lock costs nothing. */
  private readonly freeLock = freeLock('mm (under mmap_lock)');
  private readonly limit: number;

  constructor(options: LinuxVmOptions) {
    this.lock = options.lock;
    this.limit = options.limit;
    this.tree = new MapleTree(options.tracer, options.lock, options.thpMadvise);
    options.lock.attach(this.tree);
    this.ranges = new FreeRanges(options.tracer, options.tracer.allocLines(1, 'mm'));
    this.ranges.insert(MMAP_MIN_ADDR, this.limit - MMAP_MIN_ADDR);
  }

  reserveLock(): RwLock {
    return this.lock;
  }

  reserveRange(_core: number, size: number, align: number): AddressResult {
    if (!isPageSize(size) || !isPageAlign(align)) {
      return Errno.EINVAL;
    }
    const addr = this.ranges.takeFirstFit(size, align);
    return addr < 0 ? Errno.ENOMEM : addr;
  }

  allocateRange(addr: number, size: number): ErrnoStatus {
    if (!this.validRange(addr, size)) return Errno.EINVAL;
    return this.ranges.remove(addr, size) ? Ok : Errno.ENOMEM;
  }

  freeRange(addr: number, size: number): ErrnoStatus {
    if (!this.validRange(addr, size)) return Errno.EINVAL;
    return this.ranges.insert(addr, size) ? Ok : Errno.EINVAL;
  }

  validate(_core: number, addr: number, size: number): boolean {
    return this.validRange(addr, size);
  }

  freeBytes(): number {
    return this.ranges.freeBytes;
  }

  regionEnd(addr: number): number {
    return addr < this.limit ? this.limit : Number.MAX_SAFE_INTEGER;
  }

  vmaLock(addr: number): RwLock {
    return this.lock.target(addr);
  }

  freeRangesLock(): RwLock {
    return this.freeLock;
  }

  vmas(): VmaIndex<KernelVma> {
    return this.tree;
  }

  metadataBytes(): number {
    return (1 + this.ranges.size) * RANGE_NODE_BYTES;
  }

  private validRange(addr: number, size: number): boolean {
    return isPageRange(addr, size, MMAP_MIN_ADDR, this.limit);
  }
}
