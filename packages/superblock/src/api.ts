// Options, stats and constants of @unimem/superblock: the core-local VM allocator of the thesis'
// OSv fork (docs/reference/osv.md §2). The allocator itself implements VmAllocator from
// @unimem/core; its mechanisms are one per file: owner-table.ts (lock-free superblock claims),
// bucket.ts (one core's state; its address-ordered free ranges are FreeRanges of
// @unimem/vma-tree), area.ts (address geometry), superblock-allocator.ts (the VmAllocator).

import type { RwLock, Vma, VmaIndex } from '@unimem/core';
import type { AtomicWords, LineTracer } from '@unimem/hw';

export type { RwLock, VmAllocator, Vma, VmaIndex } from '@unimem/core';

/** log2 of the superblock size (OSv `superblock_bits`). */
export const SUPERBLOCK_SHIFT = 30;
/** Bytes in one superblock: 1 GiB. */
export const SUPERBLOCK_BYTES = 2 ** SUPERBLOCK_SHIFT;
/** Start of the superblock area (OSv `superblock_area_base`). */
export const DEFAULT_AREA_BASE = 0x2000_0000_0000;
/** End of the superblock area (OSv `main_mem_area_base`): 32,768 superblocks, 32 TiB. */
export const DEFAULT_AREA_END = 0x4000_0000_0000;
/**
 * End of the address space the outside bucket manages: 2^47, the top of the lower canonical half
 * of x86-64. OSv lives entirely in that half (its memory areas end at 0x8000_0000_0000), and
 * OSv's own bound, 2^63, is not a safe integer.
 */
export const DEFAULT_ADDRESS_LIMIT = 2 ** 47;
/** Most cores an owner-table byte can name (0 = free, 255 = reserved, core + 1 otherwise). */
export const MAX_CORES = 254;
/**
 * Bytes of one bucket header and of one free-range node, each charged as one cache line. OSv's
 * `vm_range` node (an intrusive rb-tree hook plus address and size, 48 bytes) comes from the
 * 64-byte malloc pool.
 */
export const NODE_BYTES = 64;

/** What `ownerOf` returns for an area address no core owns. */
export const Unowned = {
  /** The superblock is in the global pool. */
  FREE: -1,
  /** A multi-superblock claim or a validate is in progress on the superblock. */
  RESERVED: -2,
} as const;

export interface SuperblockOptions<V extends Vma = Vma> {
  /** Number of cores, each with its own bucket: an integer in 1..MAX_CORES. */
  cores: number;
  /**
   * Makes the reader-writer locks, two per bucket, named `vma:<bucket>` and
   * `free-ranges:<bucket>` (bucket = core, or `outside`). In the simulator: SimRwLock.
   */
  lock: (name: string) => RwLock;
  /** Makes one empty VMA index per bucket (e.g. @unimem/vma-tree's VmaTree). */
  index: () => VmaIndex<V>;
  /**
   * Charged for bucket headers and free-range nodes touched (one line each, from
   * `tracer.allocLines`). Default: `nullTracer` (charges nothing).
   */
  tracer?: LineTracer;
  /**
   * Wraps the owner table's buffer in AtomicWords; every access to the table goes through it.
   * Pass a traced implementation to charge the simulated machine. Default: NativeWords.
   */
  words?: (buffer: SharedArrayBuffer) => AtomicWords;
  /** Start of the superblock area: a multiple of SUPERBLOCK_BYTES. Default 0x2000_0000_0000. */
  areaBase?: number;
  /** End of the superblock area: a multiple of SUPERBLOCK_BYTES above areaBase. Default 0x4000_0000_0000. */
  areaEnd?: number;
  /**
   * End of the address space: the outside bucket starts with [0, areaBase) and
   * [areaEnd, addressLimit) free. A multiple of 4 KiB, at least areaEnd, at most 2^53.
   * Default 2^47.
   */
  addressLimit?: number;
  /**
   * When freeRange leaves a whole superblock free in its owner's ranges, remove that 1 GiB from
   * the ranges and give the superblock back to the global pool (OSv never does). Default false.
   * With it on, a caller must look up `vmaLock`/`vmas` for a range before freeing it, because
   * ownership of the address may change during freeRange.
   */
  returnFreeSuperblocks?: boolean;
}

export interface SuperblockStats {
  /** Superblocks in the area. */
  superblocks: number;
  /** Superblocks in the global pool. */
  freeSuperblocks: number;
  /** Superblocks owned per core (length `cores`). */
  ownedSuperblocks: number[];
  /** Free bytes per bucket: `cores` core buckets, then the outside bucket. */
  freeBytes: number[];
  /** Free-range nodes per bucket, in the same order. */
  freeRanges: number[];
  /** Owner table, bucket headers and free-range nodes, in bytes. */
  metadataBytes: number;
}
