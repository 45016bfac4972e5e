// An arena (jemalloc's arena.c): one bin per small class, a page allocator (extents.ts), two
// decay stages with their locks, a base for its metadata and its stats. Small allocations take a
// region under the bin lock and, when the bin has no free region, a fresh slab from the page
// allocator outside it; large ones take an extent of usize + pad directly. Frees go to the arena
// that owns the memory, whichever core frees. Decay (arena_decay_impl) runs when the calling
// core's ticker fires and, for an arena whose dirty decay is 0 (the huge arena), after every
// free that leaves dirty pages (arena_handle_deferred_work). A purge drops the decay lock while
// it evicts and madvises (pac_decay_to_limit). Invariant: every active extent of the arena is a
// slab of one of its bins or a live large allocation.

import { Errno, type Lock, PAGE_SIZE } from '@unimem/core';
import type { PurgeStats } from './api.js';
import { Base, EdataCache } from './base.js';
import { Bin } from './bin.js';
import type { Context } from './context.js';
import { Decay } from './decay.js';
import { ArenaExtents, type ExtentCache } from './extents.js';
import { slabFini } from './slab.js';

/**
 * sizeof(arena_t) and its bins, from the arena's own base [E]: the page allocator's three
 * extent sets (~200 heap bins and summaries each, ~5 KiB), two decay backlogs (1.6 KiB each),
 * large-class stats (~6 KiB), 36 bins (~7 KiB) and the HPA shard, about 40 KiB in all.
 */
export const ARENA_BYTES = 40 * 1024;

export interface ArenaDecayMs {
  dirty: number;
  muzzy: number;
}

export class Arena {
  readonly bins: Bin[];
  readonly extents: ArenaExtents;
  readonly decayDirty: Decay;
  readonly decayMuzzy: Decay;
  /** Stats line (large stats, counters updated with atomics). */
  readonly line: number;
  readonly dirtyPurges: PurgeStats = { purges: 0, madvise: 0, purgedPages: 0 };
  readonly muzzyPurges: PurgeStats = { purges: 0, madvise: 0, purgedPages: 0 };
  largeAllocatedBytes = 0;
  largeNmalloc = 0;
  largeNdalloc = 0;
  private readonly dirtyLock: Lock;
  private readonly muzzyLock: Lock;
  private readonly decayLine: number;

  /** arena_new: maps the arena's base and writes arena_t there. ENOMEM when mmap fails. */
  static create(ctx: Context, index: number, core: number, decayMs: ArenaDecayMs): Arena | Errno {
    const base = new Base(
      `arena ${index} base`,
      ctx.pages,
      ctx.classes,
      ctx.lock(`arena ${index} base`),
      ctx.tracer,
      ctx.tracer.allocLines(1, `jemalloc arena ${index} base`),
    );
    if (base.init(core) < 0 || base.alloc(core, ARENA_BYTES, 64, true) < 0) return Errno.ENOMEM;
    return new Arena(ctx, index, base, core, decayMs);
  }

  private constructor(
    private readonly ctx: Context,
    readonly index: number,
    readonly base: Base,
    core: number,
    decayMs: ArenaDecayMs,
  ) {
    const edata = new EdataCache(ctx.table, base, ctx.lock(`arena ${index} edata_cache`));
    const mayForce = decayMs.dirty !== -1 && decayMs.muzzy !== -1;
    this.extents = new ArenaExtents(ctx, index, edata, mayForce);
    this.bins = [];
    for (let szind = 0; szind < ctx.classes.nbins; szind++) {
      this.bins.push(new Bin(ctx, index, szind));
    }
    const now = ctx.clock(core);
    this.decayDirty = new Decay(decayMs.dirty, now, ctx.random);
    this.decayMuzzy = new Decay(decayMs.muzzy, now, ctx.random);
    this.dirtyLock = ctx.lock(`arena ${index} decay_dirty`);
    this.muzzyLock = ctx.lock(`arena ${index} decay_muzzy`);
    this.line = ctx.tracer.allocLines(1, `jemalloc arena ${index} stats`);
    this.decayLine = ctx.tracer.allocLines(1, `jemalloc arena ${index} decay`);
  }

  /** arena_malloc_small: a region of small class `szind`, or ENOMEM. */
  mallocSmall(core: number, szind: number): number {
    const bin = this.bins[szind];
    bin.lock.lock(core);
    let addr = bin.mallocNoFreshSlab();
    if (addr < 0) {
      bin.lock.unlock(core);
      const slab = this.slabAlloc(core, szind);
      if (slab < 0) return Errno.ENOMEM;
      bin.lock.lock(core);
      addr = bin.mallocWithFreshSlab(slab);
    }
    bin.lock.unlock(core);
    return addr;
  }

  /** arena_cache_bin_fill_small: up to `count` regions under one bin-lock hold, into `out`. */
  fillSmall(core: number, szind: number, out: Float64Array, count: number): number {
    const bin = this.bins[szind];
    let filled = 0;
    bin.lock.lock(core);
    while (filled < count) {
      let addr = bin.mallocNoFreshSlab();
      if (addr < 0) {
        bin.lock.unlock(core);
        const slab = this.slabAlloc(core, szind);
        bin.lock.lock(core);
        if (slab < 0) break;
        addr = bin.mallocWithFreshSlab(slab);
      }
      out[filled++] = addr;
    }
    bin.lock.unlock(core);
    return filled;
  }

  /**
   * Frees a region of `slab`, a slab of `bin` (the caller found the bin to check the region; its
   * lock is taken here); returns an emptied slab's pages.
   */
  freeSmall(core: number, bin: Bin, slab: number, region: number): void {
    bin.lock.lock(core);
    const empty = bin.dalloc(slab, region);
    bin.lock.unlock(core);
    if (empty) this.slabDalloc(core, slab);
  }

  /** large_malloc: an extent of usize (+ the cache-oblivious pad), or ENOMEM. */
  mallocLarge(core: number, usize: number): number {
    const { ctx } = this;
    const { classes, table } = ctx;
    const handle = this.extents.alloc(core, usize + classes.largePad, this.mayHaveMuzzy());
    if (handle < 0) return Errno.ENOMEM;
    table.setSzind(handle, classes.index(usize));
    table.setUsize(handle, usize);
    // arena_cache_oblivious_randomize: a random cache-line offset within the pad page.
    const offset = classes.largePad > 0 ? Math.floor(ctx.random() * 64) * 64 : 0;
    table.setOffset(handle, offset);
    ctx.emap.registerBoundary(core, handle);
    ctx.tracer.write(table.line(handle));
    ctx.tracer.rmw(this.line);
    ctx.steps(ctx.costs.large);
    this.largeAllocatedBytes += usize;
    this.largeNmalloc++;
    return table.addr(handle) + offset;
  }

  /** large_dalloc: the extent goes back to dirty (or is purged at once). */
  freeLarge(core: number, handle: number): void {
    const { ctx } = this;
    ctx.tracer.rmw(this.line);
    ctx.steps(ctx.costs.large);
    this.largeAllocatedBytes -= ctx.table.usize(handle);
    this.largeNdalloc++;
    this.extents.dalloc(core, handle);
    this.deferredWork(core);
  }

  /** Bytes in live small regions and large allocations. */
  get allocatedBytes(): number {
    let bytes = this.largeAllocatedBytes;
    for (const bin of this.bins) bytes += bin.curregs * bin.regionBytes;
    return bytes;
  }

  /**
   * arena_decay: both stages, as when the ticker fires (`all` false: purge down to the decay
   * limit if an epoch advanced), or everything (`all`: arena.<i>.purge).
   */
  decay(core: number, all: boolean): void {
    this.decayStage(core, this.decayDirty, this.dirtyLock, this.extents.dirty, all);
    if (this.extents.muzzy.set.npages === 0 && this.decayMuzzy.ms <= 0) return;
    this.decayStage(core, this.decayMuzzy, this.muzzyLock, this.extents.muzzy, all);
  }

  /** Dirty-stage counters including purges of oversize extents at free time. */
  dirtyPurgeStats(): PurgeStats {
    const { oversizePurges, oversizePurgedPages } = this.extents;
    return {
      purges: this.dirtyPurges.purges + oversizePurges,
      madvise: this.dirtyPurges.madvise + oversizePurges,
      purgedPages: this.dirtyPurges.purgedPages + oversizePurgedPages,
    };
  }

  private mayHaveMuzzy(): boolean {
    return this.decayMuzzy.ms !== 0;
  }

  private slabAlloc(core: number, szind: number): number {
    const { ctx } = this;
    const handle = this.extents.alloc(core, ctx.classes.slabBytes(szind), this.mayHaveMuzzy());
    if (handle < 0) return Errno.ENOMEM;
    ctx.emap.registerBoundary(core, handle);
    ctx.emap.interior(core, handle, handle);
    return handle;
  }

  private slabDalloc(core: number, slab: number): void {
    this.ctx.emap.interior(core, slab, -1);
    slabFini(this.ctx.table, slab);
    this.extents.dalloc(core, slab);
    this.deferredWork(core);
  }

  /** arena_handle_deferred_work: decay 0 purges every dirty page at once. */
  private deferredWork(core: number): void {
    if (this.decayDirty.immediate) {
      this.decayStage(core, this.decayDirty, this.dirtyLock, this.extents.dirty, true);
    }
  }

  private decayStage(
    core: number,
    decay: Decay,
    lock: Lock,
    cache: ExtentCache,
    all: boolean,
  ): void {
    const { ctx } = this;
    lock.lock(core);
    ctx.tracer.write(this.decayLine);
    const npages = cache.set.npages;
    if (all) {
      this.decayToLimit(core, decay, lock, cache, true, 0, npages);
    } else if (decay.ms === 0) {
      this.decayToLimit(core, decay, lock, cache, false, 0, npages);
    } else if (decay.ms > 0 && decay.maybeAdvance(ctx.clock(core), npages)) {
      ctx.steps(ctx.costs.decayEpoch);
      const limit = decay.npagesLimit;
      if (npages > limit) this.decayToLimit(core, decay, lock, cache, false, limit, npages - limit);
    }
    lock.unlock(core);
  }

  /**
   * pac_decay_to_limit: evicts extents (LRU first, coalesced) until `max` pages are stashed or
   * the set is down to `limit`, then purges them with the decay lock dropped: dirty ones lazily
   * into muzzy when the muzzy stage is on (and this is not a full purge), the rest forcibly into
   * retained.
   */
  private decayToLimit(
    core: number,
    decay: Decay,
    lock: Lock,
    cache: ExtentCache,
    fully: boolean,
    limit: number,
    max: number,
  ): void {
    if (decay.purging || max === 0) return;
    decay.purging = true;
    lock.unlock(core);
    const { extents } = this;
    const { table } = this.ctx;
    const stashed: number[] = [];
    for (let pages = 0; pages < max; ) {
      const handle = extents.evict(core, cache, limit);
      if (handle < 0) break;
      stashed.push(handle);
      pages += table.size(handle) / PAGE_SIZE;
    }
    const toMuzzy = cache === extents.dirty && !fully && this.decayMuzzy.ms !== 0;
    const stats = cache === extents.dirty ? this.dirtyPurges : this.muzzyPurges;
    if (stashed.length > 0) stats.purges++;
    for (const handle of stashed) {
      stats.madvise++;
      stats.purgedPages += table.size(handle) / PAGE_SIZE;
      if (toMuzzy) extents.purgeToMuzzy(core, handle);
      else extents.purgeToRetained(core, handle);
    }
    lock.lock(core);
    decay.purging = false;
  }
}
