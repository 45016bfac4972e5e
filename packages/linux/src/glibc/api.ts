// Options, statistics and the figures of the glibc malloc (ptmalloc2) model, each with where in
// glibc's malloc/malloc.c and malloc/arena.c (2.35) it comes from. Costs between the charged
// lines and locks are estimates in L1-hit steps [E], as the jemalloc model's.

import type { Lock, MemorySystem } from '@unimem/core';
import type { Machine } from '@unimem/hw';

/** SIZE_SZ on 64-bit: the chunk header's size field. */
export const SIZE_SZ = 8;
/** MALLOC_ALIGNMENT = 2 * SIZE_SZ on x86-64. */
export const MALLOC_ALIGNMENT = 16;
/** MINSIZE: the smallest chunk (header + fd/bk), 32 bytes on 64-bit. */
export const MIN_CHUNK = 32;
/** TCACHE_MAX_BINS: 64 bins of 16-byte steps, chunks 32..1040 (requests up to 1032 B). */
export const TCACHE_BINS = 64;
/** tidx2usize(TCACHE_MAX_BINS - 1): the largest request the tcache holds (MAX_TCACHE_SIZE). */
export const TCACHE_MAX_REQUEST = 1032;
/** TCACHE_FILL_COUNT (glibc.malloc.tcache_count): chunks per tcache bin. */
export const TCACHE_FILL_COUNT = 7;
/** DEFAULT_MXFAST = 64 * SIZE_SZ / 4 requests, i.e. fastbin chunks up to 128 bytes. */
export const MAX_FAST_CHUNK = 128;
/** DEFAULT_MMAP_THRESHOLD (M_MMAP_THRESHOLD), 128 KiB; raised dynamically on free. */
export const DEFAULT_MMAP_THRESHOLD = 128 * 1024;
/** DEFAULT_MMAP_THRESHOLD_MAX on 64-bit: 4 * 1024 * 1024 * sizeof(long) = 32 MiB. */
export const MMAP_THRESHOLD_MAX = 32 * 1024 * 1024;
/** HEAP_MAX_SIZE = 2 * DEFAULT_MMAP_THRESHOLD_MAX: one non-main arena heap's reservation. */
export const HEAP_MAX_BYTES = 2 * MMAP_THRESHOLD_MAX;
/** DEFAULT_TOP_PAD (M_TOP_PAD): extra bytes the main arena asks for when it grows. */
export const DEFAULT_TOP_PAD = 128 * 1024;
/** NARENAS_FROM_NCORES(n) = n * (sizeof(long) == 4 ? 2 : 8): the arena limit on 64-bit. */
export const ARENAS_PER_CORE = 8;

export interface GlibcCosts {
  /** __libc_malloc/__libc_free entry: checks, request2size, tcache pointer, csize2tidx. */
  entry: number;
  /** tcache_get / tcache_put: count update, e->next, e->key. */
  tcache: number;
  /** One _int_malloc/_int_free bin operation under the arena lock (bin scan, unlink, set_head). */
  bin: number;
  /** Carving a chunk from top (set_head of chunk and remainder). */
  top: number;
}

export const DEFAULT_GLIBC_COSTS: Readonly<GlibcCosts> = { entry: 5, tcache: 3, bin: 12, top: 6 };

export interface GlibcMallocOptions {
  memory: MemorySystem;
  /** Charges lines, locks and steps to this machine; without it the model runs natively. */
  machine?: Machine;
  name?: string;
  /** M_ARENA_MAX; default 8 × cores (NARENAS_FROM_NCORES). One arena per thread below it. */
  arenaMax?: number;
  /** glibc.malloc.tcache_count, 0..65535 (0: no tcache); default 7. */
  tcacheCount?: number;
  /** M_MMAP_THRESHOLD start value, default 128 KiB (setting it turns the dynamic rule off). */
  mmapThreshold?: number;
  /** The arena mutex (default: a futex lock without spinning, lll_lock). */
  mutex?: (name: string) => Lock;
}

export interface GlibcStats {
  mallocs: number;
  frees: number;
  tcacheHits: number;
  tcachePuts: number;
  fastbinFrees: number;
  /** Calls that took an arena lock. */
  arenaLocks: number;
  mmapChunks: number;
  munmapChunks: number;
  /** Frees of a chunk of another core's arena (they lock that arena or CAS its fastbin). */
  remoteFrees: number;
  heapsMapped: number;
  heapGrows: number;
  arenas: number;
  mmapThreshold: number;
}
