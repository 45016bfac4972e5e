// The Kernel API (the thesis' table; OSv `kii` namespace, include/osv/kernel_integration.hh):
// thin wrappers over the booted subsystem's parts that let a DBMS take frames and address space
// directly and map them itself. Frames are named by their linear-map address, as in OSv
// (`frames_alloc` returns a `void*` into the linear map). Calls with a `core` argument charge
// that core (its handle is bound for the call, restored in a finally); the others (insert,
// erase, find*, allocateRange, freeRange) charge the machine's bound core, which is the running
// core inside `machine.run`. "Caller holds X" means the call assumes the lock and takes none
// itself. Beyond core's KernelApi it exposes the page table, TLBs and IPIs so that the caller can
// map and invalidate its pages (`pageTable.map`, `tlb.invlpg`, `flushTlbAll`).

import {
  type AddressResult,
  AllocError,
  type ErrnoStatus,
  isCoreIndex,
  type KernelApi,
  type Lock,
  PAGE_SIZE,
  type RwLock,
  type Status,
} from '@unimem/core';
import type { CoreHandle, Ipis, Machine, Mapping, PageTable, Tlb } from '@unimem/hw';
import { type KernelVma, LINEAR_BASE } from './api.js';
import type { MemoryContext } from './context.js';
import { checkedByDefault, mappingOfFrames } from './frame-check.js';
import { type RegionParts, segmentsOf, vmasOf } from './range-locks.js';

/** What the Kernel API reaches: the parts a DBMS uses directly. */
export type KernelApiParts = RegionParts &
  Pick<
    MemoryContext,
    | 'machine'
    | 'frames'
    | 'pageTable'
    | 'tlb'
    | 'ipis'
    | 'tlbFlushMutex'
    | 'ptHighMutex'
    | 'tableFrees'
    | 'linearBytes'
  >;

export class UnikernelKernelApi implements KernelApi<KernelVma> {
  /** The simulated machine (clocks, counters). */
  readonly machine: Machine;
  /**
   * The one page table of the unikernel. Caller-made mappings are the caller's to unmap; table
   * pages an unmap empties are freed after the next flushTlbAll (or kernel TLB flush).
   */
  readonly pageTable: PageTable;
  /** The per-core TLBs: `tlb.invlpg(core, va)` invalidates one page on one core. */
  readonly tlb: Tlb;
  /** IPIs and shootdowns to the cores of the run. */
  readonly ipis: Ipis;
  /** Start of the linear map: frame f is at linearBase + f × 4096. */
  readonly linearBase = LINEAR_BASE;

  /**
   * Checked frees (frame-check.ts, as Linux's DEBUG_PAGEALLOC/page_owner): framesFree refuses,
   * with AllocError.Address, frames that a mapping outside the linear map still uses. Costs a
   * walk of the whole page table per call. Default: on when the environment has
   * UNIMEM_CHECKED=1 (this package's tests set it), else off; assign to switch it.
   */
  checkedFrees = checkedByDefault();

  constructor(private readonly ctx: KernelApiParts) {
    this.machine = ctx.machine;
    this.pageTable = ctx.pageTable;
    this.tlb = ctx.tlb;
    this.ipis = ctx.ipis;
  }

  /** The handle of `core`; undefined for a bad core, which the part called rejects as a value. */
  private handleOf(core: number): CoreHandle | undefined {
    return isCoreIndex(core, this.machine.cores) ? this.machine.core(core) : undefined;
  }

  /** Linear-map address of `frame`. */
  linearAddress(frame: number): number {
    return LINEAR_BASE + frame * PAGE_SIZE;
  }

  /** Frame at a linear-map address, or -1 when `addr` is not a frame's linear-map address. */
  frameOf(addr: number): number {
    const offset = addr - LINEAR_BASE;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.ctx.linearBytes) return -1;
    return offset % PAGE_SIZE === 0 ? offset / PAGE_SIZE : -1;
  }

  /**
   * [THREADSAFE] Allocates 2^order frames (OSv `frames_alloc` → `alloc_huge_page`); returns
   * their linear-map address, or an AllocError (Memory, Argument).
   */
  framesAlloc(core: number, order: number): number {
    const handle = this.handleOf(core);
    const outer = handle?.bind() ?? 0;
    try {
      const frame = this.ctx.frames.get(core, order);
      return frame < 0 ? frame : this.linearAddress(frame);
    } finally {
      handle?.unbind(outer);
    }
  }

  /**
   * [THREADSAFE] Frees frames by their linear-map address (OSv `frames_free`, implemented as
   * `free_frames`). AllocError.Address for an address outside the linear map or not a block
   * handed out with this order. Contract: the caller has removed every mapping of them (other
   * than the linear map) and flushed. Unchecked (the default, as OSv), a violation is not seen
   * and the frames can be handed out again while still mapped; with `checkedFrees` it returns
   * AllocError.Address and frees nothing (`mappingOf` tells which mapping).
   */
  framesFree(core: number, addr: number, order: number): Status {
    const frame = this.frameOf(addr);
    if (frame < 0) return AllocError.Address;
    if (this.checkedFrees && this.mappingOf(addr, order) !== undefined) return AllocError.Address;
    const handle = this.handleOf(core);
    const outer = handle?.bind() ?? 0;
    try {
      return this.ctx.frames.put(core, frame, order);
    } finally {
      handle?.unbind(outer);
    }
  }

  /**
   * The first mapping outside the linear map that uses any of the 2^order frames at linear-map
   * address `addr` (a page_owner-style query; walks the whole page table, charges nothing).
   */
  mappingOf(addr: number, order: number): Mapping | undefined {
    const frame = this.frameOf(addr);
    if (frame < 0 || !Number.isInteger(order) || order < 0 || order > 30) return undefined;
    return mappingOfFrames(this.pageTable, this.ctx.linearBytes, frame, 2 ** order);
  }

  /** [THREADSAFE] Free physical memory in bytes (racy under concurrency). */
  statFreePhysMem(): number {
    return this.ctx.frames.freeFrames() * PAGE_SIZE;
  }

  /** [THREADSAFE] Physical memory in bytes. */
  statTotalPhysMem(): number {
    return this.ctx.frames.totalFrames() * PAGE_SIZE;
  }

  /**
   * [THREADSAFE] OSv `flush_tlb_all`: flushes `core`'s TLB and, under the global tlb_flush
   * mutex, every other core's of the run by IPI, waiting for all; then frees the page-table pages
   * that unmaps emptied (held back until a flush, as OSv's rcu_defer). The caller must not hold
   * the tlb_flush mutex.
   */
  flushTlbAll(core: number): void {
    const handle = this.handleOf(core);
    const outer = handle?.bind() ?? 0;
    try {
      this.ctx.ipis.flushTlbAll(core, this.ctx.tlb, this.ctx.tlbFlushMutex);
      if (this.ctx.tableFrees.pending > 0) this.ctx.tableFrees.release(core);
    } finally {
      handle?.unbind(outer);
    }
  }

  /** [THREADSAFE] The mutex serialising population of kernel-half page-table levels. */
  ptHighMutex(): Lock {
    return this.ctx.ptHighMutex;
  }

  /** [THREADSAFE] The VMA lock of the owner of `addr`. Take before freeRangesLock. */
  vmaLock(addr: number): RwLock {
    return this.ctx.vm.vmaLock(addr);
  }

  /** [THREADSAFE] The free-ranges lock of the owner of `addr`. Take after vmaLock. */
  freeRangesLock(addr: number): RwLock {
    return this.ctx.vm.freeRangesLock(addr);
  }

  /**
   * Inserts a VMA into its owner's index. Caller holds vmaLock(vma.start) for write and has
   * reserved [start, end) (reserveRange, or validate + allocateRange); the VMA overlaps none.
   * Faults in it populate anonymous pages; pages the caller maps itself stay the caller's.
   */
  insert(vma: KernelVma): void {
    this.ctx.index(vma.start).insert(vma);
  }

  /**
   * Removes exactly this VMA (false if it is not indexed). Caller holds vmaLock(vma.start) for
   * write, has unmapped the pages it mapped itself and frees the range with freeRange.
   */
  erase(vma: KernelVma): boolean {
    return this.ctx.index(vma.start).erase(vma);
  }

  /** The VMA containing `addr`, if any. Caller holds vmaLock(addr) (read or write). */
  findIntersectingVma(addr: number): KernelVma | undefined {
    return this.ctx.index(addr).find(addr);
  }

  /**
   * VMAs intersecting [addr, addr + size) in address order, across owners. Caller holds the
   * vmaLock of every owner the range touches (one lock when the range has one owner).
   */
  findIntersectingVmas(addr: number, size: number): KernelVma[] {
    if (!(Number.isSafeInteger(addr) && Number.isSafeInteger(size) && addr >= 0 && size > 0)) {
      return [];
    }
    return vmasOf(segmentsOf(this.ctx, addr, addr + size));
  }

  /**
   * [THREADSAFE] MAP_FIXED rules (OSv `validate_map_fixed`): may `core` place a mapping at
   * [addr, addr + size)? May claim free superblocks for it (taking the free-ranges lock itself).
   */
  validate(core: number, addr: number, size: number): boolean {
    const handle = this.handleOf(core);
    const outer = handle?.bind() ?? 0;
    try {
      return this.ctx.vm.validate(core, addr, size);
    } finally {
      handle?.unbind(outer);
    }
  }

  /**
   * Takes exactly [addr, addr + size) out of the free address space (after validate). Caller
   * holds freeRangesLock(addr) for write. Ok, Errno.ENOMEM if part of it is not free,
   * Errno.EINVAL for a bad range.
   */
  allocateRange(addr: number, size: number): ErrnoStatus {
    return this.ctx.vm.allocateRange(addr, size);
  }

  /**
   * [THREADSAFE] Reserves `size` bytes (a multiple of 4 KiB) aligned to `align` (default 4 KiB)
   * for `core`: core-local with superblocks. Returns the address, or Errno.ENOMEM/EINVAL.
   */
  reserveRange(core: number, size: number, align = PAGE_SIZE): AddressResult {
    const handle = this.handleOf(core);
    const outer = handle?.bind() ?? 0;
    try {
      return this.ctx.vm.reserveRange(core, size, align);
    } finally {
      handle?.unbind(outer);
    }
  }

  /**
   * Gives [addr, addr + size) back to its owner's free address space. Caller holds
   * freeRangesLock(addr) for write, and no VMA covers the range any more.
   */
  freeRange(addr: number, size: number): ErrnoStatus {
    return this.ctx.vm.freeRange(addr, size);
  }
}
