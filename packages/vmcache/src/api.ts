// Interfaces, options and statistics of @unimem/vmcache: a vmcache-style buffer manager (Leis et
// al., "Virtual-Memory Assisted Buffer Management", SIGMOD 2023) on the simulated machine. Pages
// are addressed by page id through one virtual region (page id p lives at base + p × 4 KiB);
// a back end makes a page resident and takes it away again. Only types and constants live here;
// the mechanisms are one per file (page-state.ts, resident-set.ts, storage.ts, ...).

import type { MemorySystem } from '@unimem/core';
import type { Machine, Yield } from '@unimem/hw';

/** Bytes of one buffer-pool page (vmcache's default page size; one x86-64 4 KiB page). */
export const PAGE_BYTES = 4096;

/** A simulated operation returning T: run it with `yield*` inside a core's program. */
export type Step<T> = Generator<Yield, T, unknown>;

/** Names of the two back ends. */
export type BackendName = 'posix' | 'kernel-api';

/**
 * How pages become resident and stop being resident. Both back ends map page id p at
 * `base + p × PAGE_BYTES`; the buffer manager calls them with the page's exclusive latch held,
 * so no two calls for one page ever overlap.
 */
export interface PageBackend {
  readonly name: BackendName;
  /** Start of the virtual region. */
  readonly base: number;
  /**
   * Makes page `pid` resident for `core`, ready for the storage read to land in it. Returns 0
   * (Ok) or a negative error (no frame: the caller evicts and retries).
   */
  pageIn(core: number, pid: number): number;
  /**
   * Records that `core` is about to access page `pid` (before its TLB can hold the page), so a
   * later eviction knows whom to shoot down. Back ends that do not track cores do nothing.
   */
  noteAccess(core: number, pid: number): void;
  /**
   * Takes the pages away (their data is written back already); one batch. A generator: it
   * yields between system calls, so other cores act meanwhile (their shared accesses happen at
   * their own times, not after this core's long step).
   */
  evict(core: number, pids: readonly number[]): Step<void>;
  /** Releases the region; every page must be evicted first. */
  close(core: number): void;
  /** Pages the back end holds mapped (for leak checks). */
  mappedPages(): number;
  /** Event counts of the back end. */
  stats(): Record<string, number>;
}

/** A modelled storage device (NVMe SSD): per-request latency plus shared bandwidth. */
export interface StorageOptions {
  /** Latency of one 4 KiB read, microseconds (default NVME_DEFAULT.readLatencyUs). */
  readLatencyUs?: number;
  /** Latency of one 4 KiB write, microseconds (default NVME_DEFAULT.writeLatencyUs). */
  writeLatencyUs?: number;
  /** Read bandwidth, GB/s (10^9 bytes per second; default NVME_DEFAULT.readGBps). */
  readGBps?: number;
  /** Write bandwidth, GB/s (default NVME_DEFAULT.writeGBps). */
  writeGBps?: number;
}

/** Options of `BufferManager.create`. */
export interface BufferManagerOptions {
  /** The machine the memory system runs on (clocks, counters, cache lines). */
  machine: Machine;
  /** The booted memory system; the kernel-api back end needs a UnikernelMemory. */
  memory: MemorySystem;
  /** Which back end maps the pages. */
  backend: BackendName;
  /** Pages of the database (the virtual region's size in pages). */
  dataPages: number;
  /** Pages the pool may hold resident at once (the buffer pool's size). */
  poolPages: number;
  /** Pages evicted per batch (vmcache: 64). Default 64; at most poolPages. */
  evictBatch?: number;
  /** The storage device (default: the NVMe figures of NVME_DEFAULT). */
  storage?: StorageOptions;
  /** Core that sets the pool up and pays for it (default 0). */
  core?: number;
  /**
   * kernel-api back end: which cores an eviction shoots down. 'tracked' (default): the cores
   * that accessed one of the batch's pages since it was mapped (a per-page core set the buffer
   * manager keeps); 'all': every other core of the machine (exmap's process-wide shootdown).
   */
  shootdown?: 'tracked' | 'all';
}

/** Event counts of a buffer manager. */
export interface BufferStats {
  /** Pages read from storage into the pool. */
  pageIns: number;
  /** Pages evicted. */
  evictions: number;
  /** Dirty pages written back before eviction. */
  writeBacks: number;
  /** Eviction batches run. */
  evictBatches: number;
  /** Optimistic reads that had to be retried (the version changed or the page was locked). */
  optimisticRetries: number;
  /** Latch attempts that found the page latched by another core and waited. */
  latchWaits: number;
  /** Cycles cores slept waiting for the storage device. */
  ioWaitCycles: number;
  /** Pages resident now. */
  resident: number;
}

/** The event counts a pool keeps as it runs (BufferStats without the resident count). */
export type PoolCounts = Omit<BufferStats, 'resident'>;
