// Interfaces and option types of @unimem/linux. The frame-allocator half (src/buddy) models
// Linux 6.0's page allocator: one zone with a buddy free area and zone->lock, per-CPU page lists
// (pcp) in front of it. The memory-system half (src/mm: mmap_lock, per-VMA locks, syscalls,
// faults, shootdowns) is planned on top of @unimem/kernel-api; see README.md.

import type { FrameAllocatorOptions } from '@unimem/core';
import type { Machine } from '@unimem/hw';

/**
 * Per-operation costs of the buddy allocator in cycles: the instructions of a Linux code path
 * that are not cache-line accesses (those are charged through the machine's line model). Set
 * from single-core figures only (src/buddy/costs.ts cites each one); multi-core behaviour comes
 * from the zone lock and the lines, never from these numbers.
 */
export interface BuddyCosts {
  /** alloc_pages() → get_page_from_freelist() → rmqueue() → prep_new_page(), per get. */
  allocCycles: number;
  /** free_unref_page() / free_one_page() with free_pages_prepare() on the head page, per put. */
  freeCycles: number;
  /** A block moved between pcp and buddy lists (rmqueue_bulk / free_pcppages_bulk loop body). */
  blockMoveCycles: number;
  /** One expand() split step or one __free_one_page() merge step. */
  buddyStepCycles: number;
  /**
   * check_new_pages() on each tail struct page of a block taken from the buddy lists, per tail
   * page. Sequential sweeps stream with hardware prefetch, which the line model does not have, so
   * tail struct pages are charged here rather than line by line.
   */
  tailCheckCycles: number;
  /** free_pages_prepare()'s loop over the tail struct pages of a freed block, per tail page. */
  tailFreeCycles: number;
}

export interface BuddyOptions extends FrameAllocatorOptions {
  /**
   * The simulated machine to charge. Without one the allocator runs natively (no lock, no
   * charges; single-threaded, state in ordinary typed arrays).
   */
  machine?: Machine;
  /** Overrides of the calibrated per-operation costs (only used with a machine). */
  costs?: Partial<BuddyCosts>;
  /**
   * The machine whose Linux tuning applies (pcp->high, vmstat threshold; see tuning.ts): its
   * pages and CPUs. Default: this allocator's frames and cores. A benchmark that simulates only
   * the frames it touches passes the modelled machine here (`profileTuning(profile)`).
   */
  tuning?: { managedFrames: number; cpus: number };
  /**
   * pcp->batch: pages per refill or drain (order n refills max(batch >> n, 2) blocks). Default
   * 63, zone_batchsize() of every zone of at least 1 GiB.
   */
  pcpBatch?: number;
  /**
   * pcp->high: pages a core caches before a free drains to the buddy lists. Default: Linux 6.0's
   * zone_highsize() of the tuning's machine: low watermark / CPUs, at least 4 * batch (= 252).
   */
  pcpHigh?: number;
}

/** Counts of the events the cost table charges, since construction (or resetStats). */
export interface BuddyStats {
  gets: number;
  puts: number;
  /** Allocations served from a per-CPU list without the zone lock. */
  pcpHits: number;
  /** pcp refills (rmqueue_bulk calls). */
  refills: number;
  /** pcp drains (free_pcppages_bulk calls), including drain() and the slow path. */
  drains: number;
  /** Blocks moved between pcp lists and the buddy lists. */
  blockMoves: number;
  splits: number;
  merges: number;
  /** Zone lock acquisitions. */
  zoneLocks: number;
  /** Allocations that drained every core's pcp lists and retried (the slow path). */
  slowPaths: number;
}

/** A copy of the allocator's whole state, for tests and debugging. */
export interface BuddySnapshot {
  /** Per frame: kind (high nibble) and order (low nibble) of the block it heads, 0 elsewhere. */
  state: Uint8Array;
  /** Intrusive list links over frames and list heads. */
  next: Int32Array;
  prev: Int32Array;
  /** free_area[order].nr_free. */
  nrFree: Int32Array;
  /** Per core: pages on its pcp lists, and its free_factor. */
  pcpCount: Int32Array;
  pcpFreeFactor: Int32Array;
  freeFrames: number;
}
