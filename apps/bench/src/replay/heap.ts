// The traced process' allocations, replayed through the preset's malloc: every traced alloc,
// free, realloc and batch (format version 2, heap 1 = DuckDB's bundled jemalloc, heap 2 = glibc
// malloc) becomes the same call on the simulated system's Malloc, on the core running the traced
// thread — so a free by another thread than the allocating one is a cross-core free here too. On
// the thesis' OSv systems DuckDB has no bundled jemalloc (the OSv build links none), so both
// heaps go to the one malloc of the preset: OSv's mempool, or the jemalloc model.
//
// Faults: a traced fault inside a live traced allocation touches the same offset of its simulated
// allocation (the simulated system decides whether that faults: fresh pages do, pages its malloc
// recycled or pre-mapped do not); the first page of every allocation is touched when it is made
// (DuckDB writes what it allocates; pages beyond the first are touched only where the trace
// faulted). Faults outside live allocations are the caller's (SimulatedProcess).
//
// Invariant: `live` holds exactly the traced pointers allocated and not yet freed, each with its
// simulated address; after teardown() every simulated allocation made here is freed.

import { type Malloc, type MemorySystem, PAGE_SIZE } from '@unimem/core';
import type {
  AllocBatchEvent,
  AllocEvent,
  FreeEvent,
  ReallocEvent,
} from '@unimem/duckdb-driver/trace';

/** Allocations at least this large are found by address range for fault translation. */
const RANGE_LOOKUP_BYTES = PAGE_SIZE;

export interface HeapCounts {
  mallocCalls: number;
  freeCalls: number;
  reallocCalls: number;
  batchedCalls: number;
  crossThreadFrees: number;
  /** Frees on another simulated core than the one that made the allocation. */
  crossCoreFrees: number;
  unknownFrees: number;
  failedMallocs: number;
  alignedRequests: number;
  allocationFaults: number;
}

interface Live {
  sim: number;
  size: number;
  thread: number;
  core: number;
}

export class SimulatedHeap {
  readonly counts: HeapCounts = {
    mallocCalls: 0,
    freeCalls: 0,
    reallocCalls: 0,
    batchedCalls: 0,
    crossThreadFrees: 0,
    crossCoreFrees: 0,
    unknownFrees: 0,
    failedMallocs: 0,
    alignedRequests: 0,
    allocationFaults: 0,
  };
  /** (ptr * 4 + heap) → live allocation. */
  private readonly live = new Map<number, Live>();
  /** Traced start addresses of live allocations >= RANGE_LOOKUP_BYTES, sorted, and their keys. */
  private readonly starts: number[] = [];
  private readonly startKeys: number[] = [];
  /** Page number → key of the last live small allocation on it. */
  private readonly smallPages = new Map<number, number>();

  constructor(
    private readonly malloc: Malloc,
    private readonly memory: MemorySystem,
  ) {}

  get liveAllocations(): number {
    return this.live.size;
  }

  alloc(core: number, event: AllocEvent): void {
    if (event.ptr === 0) return;
    const extra = event.align > 16 ? event.align : 0;
    if (extra > 0) this.counts.alignedRequests++;
    this.counts.mallocCalls++;
    const sim = this.malloc.malloc(core, Math.max(1, event.size + extra));
    if (sim < 0) {
      this.counts.failedMallocs++;
      return;
    }
    this.memory.touch(core, sim, true);
    this.insert(key(event.heap, event.ptr), event.ptr, {
      sim,
      size: event.size,
      thread: event.thread,
      core,
    });
  }

  free(core: number, event: FreeEvent): void {
    const k = key(event.heap, event.ptr);
    const entry = this.live.get(k);
    this.counts.freeCalls++;
    if (!entry) {
      this.counts.unknownFrees++;
      return;
    }
    if (entry.thread !== event.thread) this.counts.crossThreadFrees++;
    if (entry.core !== core) this.counts.crossCoreFrees++;
    this.remove(k, event.ptr, entry);
    this.malloc.free(core, entry.sim);
  }

  realloc(core: number, event: ReallocEvent): void {
    this.counts.reallocCalls++;
    const oldKey = key(event.heap, event.ptr);
    const old = event.ptr === 0 ? undefined : this.live.get(oldKey);
    if (event.result === 0 && event.size !== 0) return; // failed: the old block stays
    let sim = -1;
    if (event.result !== 0) {
      sim = this.malloc.malloc(core, Math.max(1, event.size));
      if (sim < 0) this.counts.failedMallocs++;
      else this.memory.touch(core, sim, true);
    }
    if (old) {
      this.remove(oldKey, event.ptr, old);
      this.malloc.free(core, old.sim);
    }
    if (sim >= 0) {
      this.insert(key(event.heap, event.result), event.result, {
        sim,
        size: event.size,
        thread: event.thread,
        core,
      });
    }
  }

  batch(core: number, event: AllocBatchEvent): void {
    const size = Math.max(1, event.size);
    for (let i = 0; i < event.count; i++) {
      const sim = this.malloc.malloc(core, size);
      if (sim < 0) {
        this.counts.failedMallocs++;
        continue;
      }
      this.memory.touch(core, sim, true);
      this.malloc.free(core, sim);
    }
    this.counts.batchedCalls += event.count;
  }

  /** The simulated address of traced `addr` if it lies in a live allocation, else -1. */
  translate(addr: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid] <= addr) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) {
      const start = this.starts[lo - 1];
      const entry = this.live.get(this.startKeys[lo - 1]);
      if (entry && addr < start + entry.size) return entry.sim + (addr - start);
    }
    const small = this.smallPages.get(Math.floor(addr / PAGE_SIZE));
    if (small !== undefined) {
      const entry = this.live.get(small);
      if (entry) return entry.sim;
    }
    return -1;
  }

  /** Touches the simulated page of a traced fault in a live allocation; false when none. */
  fault(core: number, addr: number, write: boolean): boolean {
    const sim = this.translate(addr);
    if (sim < 0) return false;
    this.counts.allocationFaults++;
    this.memory.touch(core, sim, write);
    return true;
  }

  /** Frees every live simulated allocation on `core`. */
  teardown(core: number): void {
    for (const entry of this.live.values()) this.malloc.free(core, entry.sim);
    this.live.clear();
    this.starts.length = 0;
    this.startKeys.length = 0;
    this.smallPages.clear();
  }

  private insert(k: number, ptr: number, entry: Live): void {
    const stale = this.live.get(k);
    if (stale) this.remove(k, ptr, stale); // a free the capture did not see (e.g. reallocarray)
    this.live.set(k, entry);
    if (entry.size >= RANGE_LOOKUP_BYTES) {
      const i = this.indexOf(ptr);
      this.starts.splice(i, 0, ptr);
      this.startKeys.splice(i, 0, k);
    } else {
      this.smallPages.set(Math.floor(ptr / PAGE_SIZE), k);
    }
  }

  private remove(k: number, ptr: number, entry: Live): void {
    this.live.delete(k);
    if (entry.size >= RANGE_LOOKUP_BYTES) {
      let i = this.indexOf(ptr);
      while (i < this.starts.length && this.starts[i] === ptr && this.startKeys[i] !== k) i++;
      if (this.startKeys[i] === k) {
        this.starts.splice(i, 1);
        this.startKeys.splice(i, 1);
      }
    } else {
      const page = Math.floor(ptr / PAGE_SIZE);
      if (this.smallPages.get(page) === k) this.smallPages.delete(page);
    }
  }

  /** First index whose start is >= ptr. */
  private indexOf(ptr: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid] < ptr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function key(heap: number, ptr: number): number {
  return ptr * 4 + heap;
}
