// The README's worked example: a DBMS buffer pool that bypasses mmap and takes frames and
// address space straight from the Kernel API, maps its pages itself through the page table, and
// evicts a batch of pages with one TLB shootdown. Kept as code so that it cannot rot
// (kernel-api.test.ts runs it).

import { Errno, MapFlags, PAGE_SIZE, Prot } from '@unimem/core';
import { PageSize, PteFlag } from '@unimem/hw';
import type { KernelVma, UnikernelKernelApi } from '../src/index.js';

export class BufferPool {
  private readonly vma: KernelVma;
  /** Resident page index -> linear-map address of its frame. */
  private readonly resident = new Map<number, number>();

  private constructor(
    private readonly kernel: UnikernelKernelApi,
    core: number,
    readonly base: number,
    readonly pages: number,
  ) {
    this.vma = {
      start: base,
      end: base + pages * PAGE_SIZE,
      prot: Prot.READ | Prot.WRITE,
      flags: MapFlags.PRIVATE,
    };
    const lock = kernel.vmaLock(base);
    lock.writeLock(core);
    kernel.insert(this.vma); // caller holds vmaLock for write
    lock.writeUnlock(core);
  }

  /** A pool wherever the core's allocator has room (core-local with superblocks). */
  static create(kernel: UnikernelKernelApi, core: number, pages: number): BufferPool | number {
    const base = kernel.reserveRange(core, pages * PAGE_SIZE); // [THREADSAFE]
    return base < 0 ? base : new BufferPool(kernel, core, base, pages);
  }

  /** A pool at a fixed address: validate, then allocateRange under freeRangesLock. */
  static createAt(
    kernel: UnikernelKernelApi,
    core: number,
    addr: number,
    pages: number,
  ): BufferPool | number {
    if (!kernel.validate(core, addr, pages * PAGE_SIZE)) return Errno.EINVAL;
    const lock = kernel.freeRangesLock(addr);
    lock.writeLock(core);
    const status = kernel.allocateRange(addr, pages * PAGE_SIZE);
    lock.writeUnlock(core);
    return status < 0 ? status : new BufferPool(kernel, core, addr, pages);
  }

  /** Makes page `i` resident with a frame of its own; returns its address (or an AllocError). */
  fix(core: number, i: number): number {
    const va = this.base + i * PAGE_SIZE;
    if (this.resident.has(i)) return va;
    const linear = this.kernel.framesAlloc(core, 0); // [THREADSAFE]
    if (linear < 0) return linear;
    const lock = this.kernel.vmaLock(va);
    lock.readLock(core); // like a fault: the VMA cannot go away meanwhile
    this.kernel.pageTable.map(
      core,
      va,
      this.kernel.frameOf(linear),
      PageSize.Size4K,
      PteFlag.Writable,
    );
    lock.readUnlock(core);
    this.resident.set(i, linear);
    return va;
  }

  /** Evicts pages: unmap them all, ONE shootdown, then free their frames. */
  evict(core: number, pages: readonly number[]): void {
    const victims = pages.filter((i) => this.resident.has(i));
    for (const i of victims) this.kernel.pageTable.unmap(core, this.base + i * PAGE_SIZE);
    if (victims.length > 0) this.kernel.flushTlbAll(core); // [THREADSAFE]
    for (const i of victims) {
      this.kernel.framesFree(core, this.resident.get(i)!, 0); // [THREADSAFE]
      this.resident.delete(i);
    }
  }

  /** Evicts everything and gives the VMA and the address space back. */
  close(core: number): void {
    this.evict(core, [...this.resident.keys()]);
    const lock = this.kernel.vmaLock(this.base);
    lock.writeLock(core);
    this.kernel.erase(this.vma); // caller holds vmaLock for write
    lock.writeUnlock(core);
    const ranges = this.kernel.freeRangesLock(this.base);
    ranges.writeLock(core);
    this.kernel.freeRange(this.base, this.pages * PAGE_SIZE); // caller holds freeRangesLock
    ranges.writeUnlock(core);
  }
}
