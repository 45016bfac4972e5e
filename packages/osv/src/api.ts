// Options, constants and small interfaces of @unimem/osv. Only types and constants live here; the
// mechanisms are one per file (page-ranges.ts, free-lists.ts, huge-set.ts, l1-pool.ts,
// l2-pool.ts, page-pools.ts, ...).

import type {
  FrameAllocator,
  FrameAllocatorOptions,
  MemorySystem,
  RwLock,
  Status,
  Vma,
  VmaIndex,
} from '@unimem/core';
import type { LineTracer, Machine, MutexOptions } from '@unimem/hw';
import type { UnikernelKernelApi } from '@unimem/kernel-api';
import type { OsvCostTable } from './costs.js';
import type { PageRunSource } from './malloc-large.js';
import type { OsvRwLockKind } from './native-rwlock.js';

/** Cost overrides in cycles, by name of the OSv cost table (costs.ts). */
export type OsvCostOverrides = Partial<Record<keyof OsvCostTable, number>>;

export interface PageRangeAllocatorOptions extends FrameAllocatorOptions {
  /** Charge this simulated machine for every line touched and for the global mutex. */
  machine?: Machine;
  /** Largest order get() accepts (default MAX_ORDER = 10; at most 30). */
  maxOrder?: number;
  /** Options of the SimMutex free_page_ranges_lock (default spinCycles 0: OSv lockfree::mutex). */
  mutex?: MutexOptions;
  costs?: OsvCostOverrides;
}

/**
 * A frame allocator that hands out and takes back many single pages under one lock acquisition
 * (OSv's L2 refill and free_batch hold free_page_ranges_lock around 32 pages). PagePools uses it
 * when the allocator under it has it, and single get/put calls otherwise.
 */
export interface BatchFrameSource {
  /** Takes up to `count` single frames into `out`; returns how many it took. */
  getFrames(core: number, out: Int32Array, count: number): number;
  /** Frees `count` single frames from `frames`; all or nothing (Address: nothing freed). */
  putFrames(core: number, frames: Int32Array, count: number): Status;
}

/** How the pools' refill/drain worker threads are modelled. */
export type PoolWorkers = 'inline' | 'none';

export interface PagePoolsOptions {
  /** The allocator the pools take pages from and give them back to (any FrameAllocator). */
  allocator: FrameAllocator;
  /** Charge this simulated machine (the same one the allocator charges, if any). */
  machine?: Machine;
  /** L1 pages per core (CONF_memory_l1_pool_size, default 512). */
  l1Pages?: number;
  /** Pages per batch (CONF_memory_page_batch_size, default 32); l1Pages / 4 at most. */
  batchPages?: number;
  /**
   * `inline` (default): when a watermark is crossed, the worker thread of the core (L1) or the
   * global one (L2) runs at once, on the core that crossed it, paying a wakeup and two context
   * switches; `none`: workers never run, only the synchronous paths (empty L1, full L1, empty or
   * full L2) move pages.
   */
  workers?: PoolWorkers;
  costs?: OsvCostOverrides;
}

/** Event counts of the page pools (native and simulated). */
export interface PoolStats {
  /** Order-0 gets served from the core's L1 (every order-0 get that succeeds through L1). */
  l1Gets: number;
  /** Order-0 puts into the core's L1. */
  l1Puts: number;
  /** Synchronous L1 refills (L1 empty at a get) and drains (L1 full at a put). */
  l1SyncRefills: number;
  l1SyncDrains: number;
  /** L1 worker runs (a watermark crossed). */
  l1WorkerRuns: number;
  /** Batches popped from / pushed to the L2 stack. */
  l2Pops: number;
  l2Pushes: number;
  /** Synchronous L2 refills (empty stack) and drains (full stack). */
  l2SyncRefills: number;
  l2SyncDrains: number;
  /** L2 worker runs. */
  l2WorkerRuns: number;
  /** Batches taken from / given back to the allocator underneath. */
  batchesIn: number;
  batchesOut: number;
  /** Gets of order > 0 passed to the allocator underneath (alloc_huge_page). */
  bypassGets: number;
  /** Last-resort gets (not in OSv): single pages from underneath, pages of another core's L1. */
  fallbackGets: number;
  steals: number;
}

/** Size classes of page_range_allocator (page_ranges_max_order, include/osv/mempool.hh). */
export const PAGE_RANGES_MAX_ORDER = 16;
/** CONF_memory_l1_pool_size (conf/kconfig/memory). */
export const L1_POOL_PAGES = 512;
/** CONF_memory_page_batch_size. */
export const PAGE_BATCH_PAGES = 32;

/** Options of OsvVmAllocator (vma-list.ts): upstream OSv's global vma_list with find_hole. */
export interface OsvVmAllocatorOptions<V extends Vma = Vma> {
  /** Cores that may call it (core arguments are checked against it). */
  cores: number;
  /** Charge this machine: SimRwLocks, the vma_list's and vma_range_set's lines. */
  machine?: Machine;
  /**
   * rwlock_t flavour: 'mutex' (default; OSv before 2025-08, readers take an internal mutex) or
   * 'atomics' (commit e3ae696a and later).
   */
  rwlock?: OsvRwLockKind;
  /** Makes the two locks (overrides `rwlock`). */
  lock?: (name: string) => RwLock;
  /** Makes the vma_list (default: AvlVmaTree, one line per node, like OSv's intrusive set). */
  index?: () => VmaIndex<V>;
  /** Line tracer of the vma_list and vma_range_set (default: the machine's lines). */
  tracer?: LineTracer;
  /** Where find_hole starts (default OSV_MMAP_HINT = 0x2000_0000_0000). */
  hint?: number;
  /** find_hole's upper bound (default OSV_MMAP_END = 0x4000_0000_0000). */
  mmapEnd?: number;
  /** End of the address space MAP_FIXED may use (default 2^47). */
  limit?: number;
  costs?: OsvCostOverrides;
}

/**
 * Options of OsvMalloc (osv-malloc.ts): OSv's malloc over a booted unikernel memory system. It is
 * given what it uses, nothing more: the Kernel API, the mapper, and malloc_large's source.
 */
export interface OsvMallocOptions {
  /** The booted memory system's Kernel API: pages (framesAlloc/framesFree), frameOf, machine. */
  kernel: UnikernelKernelApi;
  /** Where map_anon and munmap of large blocks go: the memory system, or an observer of it. */
  mapper: MemorySystem;
  /**
   * malloc_large's page ranges: the PageRangeAllocator under the frame allocator (OSv's build).
   * Required unless `powerOfTwo`.
   */
  pageRanges?: PageRunSource;
  /**
   * The thesis' LLFree build (default false): malloc_large takes a frame block of power-of-two
   * order plus header up to `maxOrder`; no page ranges are needed.
   */
  powerOfTwo?: boolean;
  /** The largest order the frame allocator under the Kernel API hands out (its `maxOrder`). */
  maxOrder: number;
  /** Pushes into one garbage sink before its owner is signalled (default 256). */
  signalThreshold?: number;
  /** Name in results (default 'osv-mempool', or 'osv-mempool/llfree' with powerOfTwo). */
  name?: string;
  costs?: OsvCostOverrides;
}
