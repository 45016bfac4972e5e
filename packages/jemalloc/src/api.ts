// Options, stats and presets of @unimem/jemalloc. Only types and constants live here; the
// mechanisms are one per file (size-classes, slab, bin, extents, decay, arena, base, emap, tcache,
// jemalloc).

import type { Lock, MemorySystem } from '@unimem/core';
import type { Machine } from '@unimem/hw';
import type { JemallocCosts } from './costs.js';

export interface JemallocOptions {
  /** The memory system jemalloc maps, purges and touches (its cores are jemalloc's CPUs). */
  memory: MemorySystem;
  /** The simulated machine to charge (locks, cache lines, per-operation costs). Absent: none. */
  machine?: Machine;
  /** Name in results (default 'jemalloc'). */
  name?: string;
  /**
   * percpu_arena:percpu (default true, the thesis' configuration): one arena per core, the
   * arena of the core making the call. false: `narenas` arenas, core c using arena c % narenas
   * (jemalloc assigns threads to the least-loaded arena, which with one thread per core is the
   * same round robin).
   */
  percpuArena?: boolean;
  /** Arenas when percpuArena is false (default 4 × cores, jemalloc's opt_narenas_ratio). */
  narenas?: number;
  /** dirty_decay_ms (default 10,000). 0: purge on every free; -1: never purge. */
  dirtyDecayMs?: number;
  /** muzzy_decay_ms (default 0: disabled, dirty pages go straight to MADV_DONTNEED). */
  muzzyDecayMs?: number;
  /**
   * oversize_threshold in bytes (default 8 MiB): allocations of at least this size go to the
   * dedicated huge arena, whose decay is 0 (every free is an immediate DONTNEED). 0 disables the
   * huge arena.
   */
  oversizeThreshold?: number;
  /** Thread cache (default false, as in the thesis' `tcache:false`). */
  tcache?: boolean;
  /** tcache_max: largest size class the thread cache holds (default 32 KiB). */
  tcacheMax?: number;
  /**
   * Cache-oblivious large allocations (jemalloc's default, opt.cache_oblivious): every large
   * extent gets one extra page and the pointer a random cache-line offset inside the first page.
   * false: large allocations are page-aligned and take exactly their size class.
   */
  cacheOblivious?: boolean;
  /** Allocator operations between decay checks (ARENA_DECAY_NTICKS_PER_UPDATE, default 1000). */
  decayTicks?: number;
  /**
   * Seconds on the clock of `core`, the time decay uses. Default: the machine's clock of that
   * core (machine.seconds(machine.now(core))); without a machine, 0 (time stands still, so only
   * decay_ms 0 ever purges). Tests pass their own.
   */
  clock?: (core: number) => number;
  /**
   * Makes jemalloc's mutexes (bin locks, extent-cache locks, decay, grow, base, edata cache).
   * Default with a machine: MallocMutex (@unimem/hw: 250 spins, then glibc's adaptive pthread
   * mutex on a futex); inside OSv pass MallocMutex with `blocking: 'osv'`. Without one,
   * no-op locks.
   */
  mutex?: (name: string) => Lock;
  /** Overrides of the per-operation cost table (costs.ts). */
  costs?: Partial<JemallocCosts>;
  /** Seed of the cache-oblivious offsets and decay jitter (default 1). */
  seed?: number;
}

/** The thesis' je_malloc_conf: percpu_arena:percpu, background_thread:false, tcache:false. */
export const THESIS_CONFIG = {
  percpuArena: true,
  tcache: false,
} as const satisfies Partial<JemallocOptions>;

/** DuckDB's bundled jemalloc (docs/reference/duckdb.md): narenas 2, decay 1 s, oversize 256 MiB. */
export const DUCKDB_CONFIG = {
  percpuArena: false,
  narenas: 2,
  dirtyDecayMs: 1000,
  muzzyDecayMs: 1000,
  oversizeThreshold: 256 * 1024 * 1024,
  tcache: true,
} as const satisfies Partial<JemallocOptions>;

/** Purge counters of one decay stage (stats.arenas.<i>.dirty_* / muzzy_*). */
export interface PurgeStats {
  /** Purge passes that purged something (npurge). */
  purges: number;
  /** madvise calls (nmadvise). */
  madvise: number;
  /** Pages purged. */
  purgedPages: number;
}

export interface JemallocStats {
  /** Bytes in live allocations, by usable size (stats.allocated); tcache-held objects count. */
  allocated: number;
  /** Bytes in active pages: slabs and large extents, pads included (stats.active). */
  active: number;
  /**
   * Bytes mapped and not retained: active + dirty + muzzy extents plus base blocks
   * (stats.mapped as jemalloc counts it: pac_mapped + base mapped).
   */
  mapped: number;
  /** Bytes of retained address space: purged or never used, kept mapped (stats.retained). */
  retained: number;
  /** Bytes in dirty extents (freed, not yet purged). */
  dirty: number;
  /** Bytes in muzzy extents (lazily purged with MADV_FREE). */
  muzzy: number;
  /** Bytes of metadata allocated from the bases (stats.metadata). */
  metadata: number;
  /** Bytes of base blocks mapped. */
  metadataMapped: number;
  /** Bytes of base blocks written (faulted in). */
  metadataResident: number;
  /** Dirty-stage purges (dirty → muzzy or retained). */
  dirtyPurges: PurgeStats;
  /** Muzzy-stage purges (muzzy → retained). */
  muzzyPurges: PurgeStats;
  /** All madvise calls jemalloc made (both stages). */
  madvise: number;
  /** Bytes passed to madvise(DONTNEED) and to madvise(FREE). */
  dontneedBytes: number;
  freeBytes: number;
  /** mmap calls and the address space they mapped, munmap calls (alignment trims only). */
  mmaps: number;
  mmapBytes: number;
  munmaps: number;
  /** Arenas initialised so far (the huge arena included). */
  arenas: number;
  /** Leaves of the extent map (each 2 MiB of base-0 metadata, 1 GiB of address space). */
  rtreeLeaves: number;
  /** Lock acquisitions that had to wait, over jemalloc's locks (0 without a machine). */
  lockContended: number;
  /** Cycles spent waiting for jemalloc's locks (0 without a machine). */
  lockWaitCycles: number;
}
