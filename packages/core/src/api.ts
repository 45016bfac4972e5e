// The interfaces every unimem component plugs into (see docs/design.md, "Interfaces"). Only types and
// constants live here; implementations are in their own packages and depend on this one.
//
// Conventions shared by all interfaces:
// - `core` is the index of the (simulated or real) CPU making the call, 0 <= core < cores.
// - Frames are numbered in 4 KiB units from 0; addresses are byte addresses (numbers < 2^53).
// - Results of the allocation path are values: a frame/address >= 0, or a negative error code
//   (AllocError for frame allocators, Errno for the POSIX-like calls). A call that fails leaves
//   the component's state exactly as it was.
// - Misconfiguration (constructor options) throws a RangeError naming the bad value.

import type { ErrnoStatus, Status } from './errors.js';

/** A frame number, or an AllocError (negative). */
export type FrameResult = number;
/** A byte address, or an Errno (negative). */
export type AddressResult = number;

// ---------------------------------------------------------------------------------------------
// Frames

/** A physical frame allocator: hands out naturally aligned blocks of 2^order 4 KiB frames. */
export interface FrameAllocator {
  /** Short identifier, e.g. `llfree`, `buddy`, `page-ranges`. */
  readonly name: string;
  /** Number of cores this allocator was configured for. */
  readonly cores: number;
  /** Largest supported order (at least MAX_ORDER = 10). */
  readonly maxOrder: number;
  /**
   * Allocates 2^order frames aligned to 2^order. Returns the first frame, or
   * AllocError.Memory (exhausted), AllocError.Argument (bad order or core).
   */
  get(core: number, order: number): FrameResult;
  /**
   * Frees a block previously returned by `get` with the same order. Returns Ok, or
   * AllocError.Address (out of range, misaligned, or not allocated), AllocError.Argument.
   */
  put(core: number, frame: number, order: number): Status;
  /** Returns frames cached for `core` (per-core reservations, lists) to the shared pool. */
  drain(core: number): void;
  /** Frames currently free, including those cached per core. */
  freeFrames(): number;
  /** Frames managed in total. */
  totalFrames(): number;
  /** True when the whole block [frame, frame + 2^order) is free. May be racy under concurrency. */
  isFree(frame: number, order: number): boolean;
  /** Bytes of metadata the allocator needs for the frames it manages. */
  metadataBytes(): number;
  /** Optional: allocates the block starting at `frame` if it is free (used at boot). */
  getAt?(core: number, frame: number, order: number): FrameResult;
}

/** Options every FrameAllocator factory accepts. */
export interface FrameAllocatorOptions {
  frames: number;
  cores: number;
}

// ---------------------------------------------------------------------------------------------
// Locks. Implemented by @unimem/hw (simulated) and by anything a native component needs. The
// interface lives here so that VmAllocator and KernelApi can hand locks out.

export interface Lock {
  readonly name: string;
  lock(core: number): void;
  unlock(core: number): void;
}

export interface RwLock {
  readonly name: string;
  readLock(core: number): void;
  readUnlock(core: number): void;
  writeLock(core: number): void;
  writeUnlock(core: number): void;
}

// ---------------------------------------------------------------------------------------------
// Virtual memory areas

export const Prot = { NONE: 0, READ: 1, WRITE: 2, EXEC: 4 } as const;
export const MapFlags = {
  SHARED: 0x01,
  PRIVATE: 0x02,
  FIXED: 0x10,
  ANONYMOUS: 0x20,
  POPULATE: 0x8000,
} as const;
export const Advice = { NORMAL: 0, DONTNEED: 4, FREE: 8, HUGEPAGE: 14, NOHUGEPAGE: 15 } as const;

/** A virtual memory area [start, end) with its protection and mapping flags. */
export interface Vma {
  start: number;
  end: number;
  prot: number;
  flags: number;
}

/** An ordered index of non-overlapping VMAs keyed by start address. */
export interface VmaIndex<V extends Vma = Vma> {
  /** Inserts a VMA; the caller guarantees it overlaps none in the index. */
  insert(vma: V): void;
  /** Removes exactly this VMA (same object); returns false when it was not in the index. */
  erase(vma: V): boolean;
  /** The VMA containing `addr`, if any. */
  find(addr: number): V | undefined;
  /** All VMAs intersecting [addr, addr + size), in address order. */
  findIntersecting(addr: number, size: number): V[];
  /** Number of VMAs. */
  readonly size: number;
  /** All VMAs in address order. */
  [Symbol.iterator](): IterableIterator<V>;
}

// ---------------------------------------------------------------------------------------------
// Virtual address space

/**
 * Allocates ranges of virtual address space (OSv's superblock manager, or find_hole). Addresses
 * no core owns belong to a shared "outside" bucket: vmaLock/freeRangesLock/vmas return its lock
 * and index for them.
 */
export interface VmAllocator<V extends Vma = Vma> {
  /**
   * Reserves `size` bytes aligned to `align` for `core`; returns the address or Errno.ENOMEM.
   * [THREADSAFE]: takes the free-ranges lock itself; the caller must not hold it.
   */
  reserveRange(core: number, size: number, align: number): AddressResult;
  /** Removes a specific range from the free ranges (MAP_FIXED); caller holds freeRangesLock. */
  allocateRange(addr: number, size: number): ErrnoStatus;
  /** Returns a range to its owner's free ranges, coalescing; caller holds freeRangesLock. */
  freeRange(addr: number, size: number): ErrnoStatus;
  /**
   * MAP_FIXED rules: may [addr, addr + size) be mapped by `core`? May claim free superblocks.
   * [THREADSAFE]: takes the free-ranges lock itself; the caller must not hold it.
   */
  validate(core: number, addr: number, size: number): boolean;
  /** Free bytes of address space over all buckets (for leak checks and stats). */
  freeBytes(): number;
  /**
   * End of the region around `addr` guarded by the same locks (the end of its owner's run of
   * superblocks; the address-space end for a single global bucket). Callers split operations
   * spanning several regions at these boundaries.
   */
  regionEnd(addr: number): number;
  /** The lock guarding the VMAs around `addr`. */
  vmaLock(addr: number): RwLock;
  /** The lock guarding the free ranges around `addr`. */
  freeRangesLock(addr: number): RwLock;
  /** The VMA index responsible for `addr`. */
  vmas(addr: number): VmaIndex<V>;
}

// ---------------------------------------------------------------------------------------------
// The memory subsystem seen by applications

export interface MemoryStats {
  freePhysBytes: number;
  totalPhysBytes: number;
  pageTableBytes: number;
  metadataBytes: number;
  mappedBytes: number;
}

export interface MemorySystem {
  readonly name: string;
  readonly cores: number;
  /** Initialises frame allocator, linear map and VM allocator. */
  boot(): void;
  mmap(core: number, length: number, prot: number, flags: number, addr?: number): AddressResult;
  munmap(core: number, addr: number, length: number): ErrnoStatus;
  mprotect(core: number, addr: number, length: number, prot: number): ErrnoStatus;
  madvise(core: number, addr: number, length: number, advice: number): ErrnoStatus;
  /**
   * Accesses one byte: TLB lookup, page walk, fault and populate as needed. Returns Ok, or
   * Errno.EFAULT for an unmapped address and Errno.EACCES for a protection violation.
   */
  touch(core: number, addr: number, write: boolean): ErrnoStatus;
  stats(): MemoryStats;
}

/** A user-level allocator (OSv mempool, jemalloc) over some MemorySystem. */
export interface Malloc {
  readonly name: string;
  /** Returns the address of at least `size` usable bytes, or Errno.ENOMEM / Errno.EINVAL. */
  malloc(core: number, size: number): AddressResult;
  /** Frees a pointer returned by malloc; Errno.EINVAL for anything else. */
  free(core: number, ptr: number): ErrnoStatus;
  /** Usable bytes at `ptr` (>= the requested size), or Errno.EINVAL. */
  usableSize(ptr: number): number;
}

// ---------------------------------------------------------------------------------------------
// The Kernel API a DBMS calls directly (the thesis' table; OSv `kii` namespace).

export interface KernelApi<V extends Vma = Vma> {
  /** Allocates 2^order frames; returns their linear-map address, or an AllocError. */
  framesAlloc(core: number, order: number): number;
  /** Frees frames by their linear-map address. */
  framesFree(core: number, addr: number, order: number): Status;
  statFreePhysMem(): number;
  statTotalPhysMem(): number;
  flushTlbAll(core: number): void;
  /** The mutex serialising kernel-half page-table population. */
  ptHighMutex(): Lock;
  vmaLock(addr: number): RwLock;
  freeRangesLock(addr: number): RwLock;
  /** Caller holds vmaLock(vma.start) for write. */
  insert(vma: V): void;
  /** Caller holds vmaLock(vma.start) for write. */
  erase(vma: V): boolean;
  findIntersectingVma(addr: number): V | undefined;
  findIntersectingVmas(addr: number, size: number): V[];
  validate(core: number, addr: number, size: number): boolean;
  /** Caller holds freeRangesLock(addr) for write. */
  allocateRange(addr: number, size: number): ErrnoStatus;
  reserveRange(core: number, size: number): AddressResult;
  /** Caller holds freeRangesLock(addr) for write. */
  freeRange(addr: number, size: number): ErrnoStatus;
}
