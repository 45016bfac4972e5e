// The allocation layer of a trace (format version 2): what DuckDB asked its allocators for, as the
// capture's LD_PRELOAD interposer saw it at the allocators' entry points. Each event is one call
// on one thread, in the thread's program order and on the trace's clock, so lifetimes and
// cross-thread frees follow from pairing `alloc` and `free` by (heap, ptr).
//
// `batch` is the one lossy record (capture/aggregate.ts decides what goes into one): `count`
// allocations of `size` bytes that the thread made and freed itself, each before its next
// recorded event, written as one line at the time of the first of them. A replay runs them as
// `count` malloc/free pairs in sequence on the thread's core; what is lost is their exact times
// and that two of them may have been live at once. Invariant: a batch never stands for an
// allocation freed by another thread, nor for one still live at the thread's next event.

import type { EventBase } from './format.js';

/** Heap numbers: which allocator a call went to. */
export const Heap = {
  /** DuckDB's bundled jemalloc 5.3 (`duckdb_je_*`): buffer-managed memory, hash tables. */
  duckdbJemalloc: 1,
  /** The C library's malloc (glibc here): operator new and everything else. */
  libc: 2,
} as const;

export const HEAP_NAMES: Record<number, string> = { 1: 'duckdb-jemalloc', 2: 'libc' };

/** Fault access kinds (Linux x86 page-fault error code: bit 1 write, bit 4 instruction fetch). */
export const FaultAccess = { unknown: 0, read: 1, write: 2, fetch: 3 } as const;

export interface AllocEvent extends EventBase {
  kind: 'alloc';
  heap: number;
  /** Returned address; 0 when the allocation failed. */
  ptr: number;
  size: number;
  /** Requested alignment in bytes, 0 for the heap's default. */
  align: number;
}

export interface FreeEvent extends EventBase {
  kind: 'free';
  heap: number;
  ptr: number;
  /** Size passed by a sized free (sdallocx), else 0. */
  size: number;
}

export interface ReallocEvent extends EventBase {
  kind: 'realloc';
  heap: number;
  /** Old pointer (0: behaves as malloc). */
  ptr: number;
  size: number;
  /** New pointer (0: failed, or size 0 freed ptr). */
  result: number;
}

export interface AllocBatchEvent extends EventBase {
  kind: 'batch';
  heap: number;
  size: number;
  count: number;
}

export const ALLOC_KINDS: ReadonlySet<string> = new Set(['alloc', 'free', 'realloc', 'batch']);

export const ALLOC_FIELDS = {
  alloc: ['heap', 'ptr', 'size', 'align'],
  free: ['heap', 'ptr', 'size'],
  realloc: ['heap', 'ptr', 'size', 'result'],
  batch: ['heap', 'size', 'count'],
} as const;

/** Range checks of allocation fields (after the integer checks); a problem or undefined. */
export function checkAllocFields(record: Record<string, number>, kind: string): string | undefined {
  if (kind === 'fault') {
    const access = record.access ?? 0;
    return access >= 0 && access <= 3 ? undefined : `fault access ${access} is not 0..3`;
  }
  if (!ALLOC_KINDS.has(kind)) return undefined;
  if (!(record.heap in HEAP_NAMES)) return `${kind} heap ${record.heap} is not 1 or 2`;
  if (record.size < 0) return `${kind} size ${record.size} < 0`;
  if (kind === 'batch' && !(record.count >= 1)) return `batch count ${record.count} < 1`;
  if (kind === 'alloc' && record.align !== 0 && (record.align & (record.align - 1)) !== 0) {
    return `alloc align ${record.align} is not a power of two`;
  }
  return undefined;
}
