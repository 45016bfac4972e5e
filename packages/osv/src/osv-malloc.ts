// OSv's malloc (core/mempool.cc std_malloc / free / malloc_usable_size; docs/reference/osv.md §4, §6)
// as a Malloc over a booted unikernel memory system, given its Kernel API (pages, the linear map)
// and a mapper for large blocks. malloc aligns to 16 (to the size's power of two below 16), so
// by size:
// - <= 1 KiB: malloc_pools[ilog2_roundup(max(size, 8))] on the calling CPU (malloc-pools.ts);
//   frees from another CPU go through the garbage sinks (garbage-sinks.ts), which the owner
//   collects at its next malloc after a signal, or when it runs out of memory;
// - <= 4 KiB: one whole page from alloc_page — the frame allocator through the Kernel API, so
//   the L1/L2 page pools when they are there — at its linear-map address; free_page on the
//   freeing CPU;
// - larger: malloc_large (malloc-large.ts): page ranges + header, the LLFree build's
//   power-of-two blocks, or populated anonymous mappings through `mapper`.
// Every address is in the linear map except mapped blocks, as in OSv (one linear map is
// modelled, so the mempool and page areas are the main one). `free` of anything that is not a
// live block — an interior pointer, a freed object, an unknown address — returns EINVAL and
// changes nothing; the model tracks live blocks for that (OSv would corrupt its lists).

import {
  type AddressResult,
  Errno,
  type ErrnoStatus,
  isCoreIndex,
  type Malloc,
  Ok,
  PAGE_SIZE,
} from '@unimem/core';
import type { Machine } from '@unimem/hw';
import type { UnikernelKernelApi } from '@unimem/kernel-api';
import type { OsvMallocOptions } from './api.js';
import { type OsvCosts, resolveOsvCosts } from './costs.js';
import { GarbageSinks, SIGNAL_THRESHOLD } from './garbage-sinks.js';
import { LargeBlocks } from './malloc-large.js';
import { MAX_POOL_CLASS, MallocPools, MIN_POOL_CLASS } from './malloc-pools.js';
import { ilog2Roundup } from './page-ranges.js';
import { PagedInt32 } from './paged-array.js';
import { ObjectState } from './pool-page.js';

/** Event counts of OsvMalloc (also kept per core as machine counters `malloc*`). */
export interface OsvMallocStats {
  /** Pool pages held now, added and freed since construction. */
  poolPages: number;
  poolPagesAdded: number;
  poolPagesFreed: number;
  /** Whole pages (1 KiB, 4 KiB] handed out now. */
  wholePages: number;
  /** malloc_large blocks live now; page-range or LLFree blocks and mapped ones since start. */
  largeBlocks: number;
  largeAllocs: number;
  mappedAllocs: number;
  /** Cross-CPU frees pushed to garbage sinks, objects waiting there, collections run. */
  remoteFrees: number;
  queuedObjects: number;
  collections: number;
  signals: number;
}

export class OsvMalloc implements Malloc {
  readonly name: string;
  readonly cores: number;
  readonly pools: MallocPools;
  readonly sinks: GarbageSinks;
  readonly large: LargeBlocks;
  private readonly machine: Machine;
  private readonly kernel: UnikernelKernelApi;
  private readonly costs: OsvCosts;
  /** Frames handed out as whole pages. */
  private readonly wholePages = new PagedInt32(2 ** 31, 0);
  private wholePageCount = 0;
  private readonly ids: { added: number; freed: number; remote: number; collections: number };

  constructor(options: OsvMallocOptions) {
    const { kernel, mapper, maxOrder } = options;
    if (kernel === null || typeof kernel !== 'object' || typeof kernel.framesAlloc !== 'function') {
      throw new RangeError(`kernel ${String(kernel)} is not a booted memory system's Kernel API`);
    }
    if (mapper === null || typeof mapper !== 'object' || typeof mapper.mmap !== 'function') {
      throw new RangeError(`mapper ${String(mapper)} is not a MemorySystem`);
    }
    if (!Number.isInteger(maxOrder) || maxOrder < 0 || maxOrder > 30) {
      throw new RangeError(`maxOrder ${maxOrder} must be an integer in 0..30`);
    }
    const powerOfTwo = options.powerOfTwo ?? false;
    const pageRanges = options.pageRanges ?? null;
    if (!powerOfTwo && pageRanges === null) {
      throw new RangeError(
        `pageRanges ${String(options.pageRanges)}: malloc_large needs the page-range allocator under the frames; pass it, or powerOfTwo: true (the LLFree build)`,
      );
    }
    const threshold = options.signalThreshold ?? SIGNAL_THRESHOLD;
    if (!Number.isSafeInteger(threshold) || threshold < 0) {
      throw new RangeError(`signalThreshold ${threshold} must be a non-negative integer`);
    }
    this.name = options.name ?? (powerOfTwo ? 'osv-mempool/llfree' : 'osv-mempool');
    this.machine = kernel.machine;
    this.kernel = kernel;
    // The cores of the machine the memory system runs on (UnikernelMemory's `cores`).
    this.cores = kernel.machine.cores;
    this.costs = resolveOsvCosts(options.costs);
    this.pools = new MallocPools(this.machine, this.cores, {
      allocPage: (core) => kernel.framesAlloc(core, 0),
      freePage: (core, addr) => {
        const status = kernel.framesFree(core, addr, 0);
        if (status !== Ok) throw new Error(`osv malloc: free_page(0x${addr.toString(16)}) failed`);
      },
      frameOf: (addr) => kernel.frameOf(addr),
    });
    this.sinks = new GarbageSinks(this.machine, this.cores, threshold);
    this.large = new LargeBlocks({
      machine: this.machine,
      kernel,
      mapper,
      pageRanges: powerOfTwo ? null : pageRanges,
      powerOfTwo,
      maxOrder,
    });
    const counters = this.machine.counters;
    this.ids = {
      added: counters.define('mallocPoolPagesAdded'),
      freed: counters.define('mallocPoolPagesFreed'),
      remote: counters.define('mallocRemoteFrees'),
      collections: counters.define('mallocCollections'),
    };
  }

  malloc(core: number, size: number): AddressResult {
    if (!isCoreIndex(core, this.cores) || !Number.isSafeInteger(size) || size < 0)
      return Errno.EINVAL;
    const handle = this.machine.core(core);
    const outer = handle.bind();
    try {
      const { pagesAdded: added, pagesFreed: freed } = this.pools;
      handle.charge(this.costs.mallocOp);
      if (this.sinks.pending(core)) this.collect(core, true);
      let ptr = this.allocate(core, size);
      if (ptr < 0) {
        // Out of memory: the owner's queued objects may free a page (the collector runs on demand).
        this.collect(core, false);
        ptr = this.allocate(core, size);
      }
      this.countPages(core, added, freed);
      return ptr < 0 ? Errno.ENOMEM : ptr;
    } finally {
      handle.unbind(outer);
    }
  }

  free(core: number, ptr: number): ErrnoStatus {
    if (!isCoreIndex(core, this.cores) || !Number.isSafeInteger(ptr) || ptr < 0)
      return Errno.EINVAL;
    const offset = ptr % PAGE_SIZE;
    const frame = this.kernel.frameOf(ptr - offset);
    const page = frame < 0 ? undefined : this.pools.pageAt(frame);
    if (page !== undefined) {
      const k = page.objectAt(offset);
      if (k < 0 || page.stateOf(k) !== ObjectState.Live) return Errno.EINVAL;
      const handle = this.machine.core(core);
      const outer = handle.bind();
      try {
        const { pagesAdded: added, pagesFreed: freed } = this.pools;
        handle.charge(this.costs.mallocOp);
        if (page.cpu === core) {
          this.pools.freeSameCpu(core, page, k);
        } else {
          page.queue(k);
          this.sinks.push(core, page, k);
          handle.count(this.ids.remote);
        }
        this.countPages(core, added, freed);
        return Ok;
      } finally {
        handle.unbind(outer);
      }
    }
    const whole = frame >= 0 && offset === 0 && this.wholePages.get(frame) === 1;
    if (!whole && this.large.usableSize(ptr) < 0) return Errno.EINVAL;
    const handle = this.machine.core(core);
    const outer = handle.bind();
    try {
      handle.charge(this.costs.mallocOp);
      if (whole) {
        this.wholePages.set(frame, 0);
        this.wholePageCount--;
        const status = this.kernel.framesFree(core, ptr, 0);
        if (status !== Ok) throw new Error(`osv malloc: free_page(0x${ptr.toString(16)}) failed`);
      } else {
        this.large.free(core, ptr);
      }
      return Ok;
    } finally {
      handle.unbind(outer);
    }
  }

  usableSize(ptr: number): number {
    if (!Number.isSafeInteger(ptr) || ptr < 0) return Errno.EINVAL;
    const offset = ptr % PAGE_SIZE;
    const frame = this.kernel.frameOf(ptr - offset);
    const page = frame < 0 ? undefined : this.pools.pageAt(frame);
    if (page !== undefined) {
      const k = page.objectAt(offset);
      return k >= 0 && page.stateOf(k) === ObjectState.Live ? page.size : Errno.EINVAL;
    }
    if (frame >= 0 && offset === 0 && this.wholePages.get(frame) === 1) return PAGE_SIZE;
    return this.large.usableSize(ptr);
  }

  /** Event counts since construction. */
  stats(): OsvMallocStats {
    const { pools, sinks, large } = this;
    return {
      poolPages: pools.pages,
      poolPagesAdded: pools.pagesAdded,
      poolPagesFreed: pools.pagesFreed,
      wholePages: this.wholePageCount,
      largeBlocks: large.count,
      largeAllocs: large.largeAllocs,
      mappedAllocs: large.mappedAllocs,
      remoteFrees: sinks.pushes,
      queuedObjects: sinks.queued,
      collections: sinks.collections,
      signals: sinks.signals,
    };
  }

  /** One attempt at an allocation of `size` bytes; a negative value when memory ran out. */
  private allocate(core: number, size: number): number {
    if (size <= 2 ** MAX_POOL_CLASS) {
      const sizeClass = Math.max(MIN_POOL_CLASS, ilog2Roundup(size));
      return this.pools.alloc(core, sizeClass);
    }
    if (size <= PAGE_SIZE) {
      const addr = this.kernel.framesAlloc(core, 0);
      if (addr >= 0) {
        this.wholePages.set(this.kernel.frameOf(addr), 1);
        this.wholePageCount++;
      }
      return addr;
    }
    return this.large.alloc(core, size);
  }

  /** collect_garbage on `core`: run by its signalled worker (a switch) or for memory. */
  private collect(core: number, signalled: boolean): void {
    if (signalled) this.machine.core(core).charge(this.costs.workerSwitch);
    this.sinks.collect(core, this.pools);
    this.machine.counters.add(core, this.ids.collections);
  }

  private countPages(core: number, added: number, freed: number): void {
    const counters = this.machine.counters;
    if (this.pools.pagesAdded !== added) {
      counters.add(core, this.ids.added, this.pools.pagesAdded - added);
    }
    if (this.pools.pagesFreed !== freed) {
      counters.add(core, this.ids.freed, this.pools.pagesFreed - freed);
    }
  }
}
