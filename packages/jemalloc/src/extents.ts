// One arena's page allocator (jemalloc's pac.c + extent.c with retain:true): three extent caches
// — dirty (freed pages), muzzy (MADV_FREE'd) and retained (purged or never used address space,
// kept mapped) — each an extent set under its own mutex. An allocation recycles the oldest/lowest
// fitting extent from dirty, then muzzy, then retained, splitting off the tail; when nothing fits
// it grows: maps the next page-size class (2 MiB first, then ~1.19× per step, exp_grow.c) under
// the grow mutex and files the remainder as retained. A free goes to dirty; large extents coalesce
// with dirty neighbours at once, small ones only when decay evicts them (delay_coalesce), muzzy
// and retained always coalesce. A dirty extent that reaches oversize_threshold is purged at once
// (extent_maximally_purge). Purging is madvise; nothing is unmapped. Invariant: every inactive
// extent is in exactly one set, registered at both boundary pages, and never adjacent to an
// extent of the same set it could have been coalesced with (except dirty ones below 16 KiB).

import type { Lock } from '@unimem/core';
import { Errno, Ok, PAGE_SIZE } from '@unimem/core';
import type { EdataCache } from './base.js';
import type { Context } from './context.js';
import { ExtentSet } from './eset.js';
import { ExtentState } from './extent.js';
import { LARGE_MINCLASS } from './size-classes.js';

/** opt.lg_extent_max_active_fit: a dirty extent serves requests down to 1/64 of its size. */
export const LG_EXTENT_MAX_ACTIVE_FIT = 6;
const NO_FIT_LIMIT = 64;

export interface ExtentCache {
  readonly set: ExtentSet;
  readonly lock: Lock;
  /** Header line: the set's bitmap, heap roots, npages. */
  readonly line: number;
  /** Dirty only: coalescing waits until decay evicts the extent. */
  readonly delayCoalesce: boolean;
}

export class ArenaExtents {
  readonly dirty: ExtentCache;
  readonly muzzy: ExtentCache;
  readonly retained: ExtentCache;
  /** Pages in active extents (slabs, large allocations). */
  activePages = 0;
  /** Bytes taken out of retained memory and not yet returned (pac_mapped). */
  mappedBytes = 0;
  /** Purges of oversize extents done at free time (counted as dirty purges by the arena). */
  oversizePurges = 0;
  /** Pages purged that way. */
  oversizePurgedPages = 0;
  private readonly growLock: Lock;
  /** Page-size class of the next growth (exp_grow.next): 2 MiB first. */
  private growNext: number;
  private nextSn = 0;

  constructor(
    private readonly ctx: Context,
    readonly arena: number,
    readonly edata: EdataCache,
    /** extent_may_force_decay: neither decay stage of this arena is disabled (-1). */
    private readonly mayForceDecay: boolean,
  ) {
    const cache = (state: number, name: string, delayCoalesce: boolean): ExtentCache => ({
      set: new ExtentSet(state, ctx.table, ctx.classes),
      lock: ctx.lock(`arena ${arena} ecache_${name}`),
      line: ctx.tracer.allocLines(1, `jemalloc arena ${arena} ecache_${name}`),
      delayCoalesce,
    });
    this.dirty = cache(ExtentState.Dirty, 'dirty', true);
    this.muzzy = cache(ExtentState.Muzzy, 'muzzy', false);
    this.retained = cache(ExtentState.Retained, 'retained', false);
    this.growLock = ctx.lock(`arena ${arena} grow`);
    this.growNext = ctx.classes.pszIndex(2 * 1024 * 1024);
  }

  /**
   * An active extent of `size` bytes (a page multiple) for a slab or a large allocation
   * (pac_alloc_real), or Errno.ENOMEM with nothing changed.
   */
  alloc(core: number, size: number, mayHaveMuzzy: boolean): number {
    // Records for the extent and split remainders, taken up front so a failure changes nothing.
    if (this.edata.reserve(core, 2) !== Ok) return Errno.ENOMEM;
    let handle = this.recycle(core, this.dirty, size);
    if (handle === Errno.ENOMEM) return handle;
    if (handle < 0 && mayHaveMuzzy) handle = this.recycle(core, this.muzzy, size);
    if (handle === Errno.ENOMEM) return handle;
    if (handle < 0) {
      this.growLock.lock(core);
      handle = this.recycle(core, this.retained, size);
      if (handle === -1) handle = this.grow(core, size);
      this.growLock.unlock(core);
      if (handle === -1) handle = this.mapExact(core, size);
      if (handle < 0) return Errno.ENOMEM;
      this.mappedBytes += size;
    }
    const { table } = this.ctx;
    table.setState(handle, ExtentState.Active);
    this.activePages += size / PAGE_SIZE;
    return handle;
  }

  /** Returns an active extent (slab interior already deregistered) to dirty (pac_dalloc). */
  dalloc(core: number, handle: number): void {
    const { table } = this.ctx;
    table.setSzind(handle, -1);
    table.setSlab(handle, 0);
    this.activePages -= table.size(handle) / PAGE_SIZE;
    this.ctx.emap.registerBoundary(core, handle); // emap_update_edata_state
    const cache = this.dirty;
    cache.lock.lock(core);
    this.ctx.tracer.write(cache.line);
    if (table.size(handle) >= LARGE_MINCLASS) handle = this.coalesce(core, cache, handle);
    const threshold = this.ctx.settings.oversizeThreshold;
    if (threshold > 0 && table.size(handle) >= threshold && this.mayForceDecay) {
      cache.lock.unlock(core);
      this.oversizePurges++;
      this.oversizePurgedPages += table.size(handle) / PAGE_SIZE;
      this.purgeToRetained(core, handle);
      return;
    }
    cache.set.insert(handle);
    cache.lock.unlock(core);
  }

  /**
   * ecache_evict: removes the least recently freed extent of `cache`, fully coalesced with its
   * neighbours in the set, unless the set holds `npagesMin` pages or fewer. -1 when nothing.
   */
  evict(core: number, cache: ExtentCache, npagesMin: number): number {
    cache.lock.lock(core);
    this.ctx.tracer.write(cache.line);
    let handle = cache.set.lruFirst();
    if (handle < 0 || cache.set.npages <= npagesMin) {
      cache.lock.unlock(core);
      return -1;
    }
    this.ctx.tracer.read(this.ctx.table.line(handle));
    cache.set.remove(handle);
    if (cache.delayCoalesce) handle = this.coalesce(core, cache, handle);
    this.ctx.table.setState(handle, ExtentState.Active);
    cache.lock.unlock(core);
    return handle;
  }

  /** Lazily purges an evicted dirty extent into muzzy (madvise FREE). */
  purgeToMuzzy(core: number, handle: number): void {
    const { table } = this.ctx;
    this.ctx.pages.purgeLazy(core, table.addr(handle), table.size(handle));
    this.record(core, this.muzzy, handle);
  }

  /** Purges an evicted extent into retained (madvise DONTNEED; extent_dalloc_wrapper). */
  purgeToRetained(core: number, handle: number): void {
    const { table } = this.ctx;
    const size = table.size(handle);
    this.ctx.pages.purgeForced(core, table.addr(handle), size);
    this.mappedBytes -= size;
    this.record(core, this.retained, handle);
  }

  /** Bytes of address space mapped for extents: every set plus the active extents. */
  get extentBytes(): number {
    const pages =
      this.activePages + this.dirty.set.npages + this.muzzy.set.npages + this.retained.set.npages;
    return pages * PAGE_SIZE;
  }

  /** extent_record: files an inactive extent into a set, coalescing unless delayed. */
  private record(core: number, cache: ExtentCache, handle: number): void {
    cache.lock.lock(core);
    this.ctx.tracer.write(cache.line);
    if (!cache.delayCoalesce) handle = this.coalesce(core, cache, handle);
    cache.set.insert(handle);
    cache.lock.unlock(core);
  }

  /**
   * extent_recycle: the oldest/lowest extent of `cache` that fits, split to `size` (the tail goes
   * back into the set). -1 when none fits, ENOMEM when the split cannot get its map leaves.
   */
  private recycle(core: number, cache: ExtentCache, size: number): number {
    const { ctx } = this;
    cache.lock.lock(core);
    ctx.tracer.read(cache.line);
    const lgMaxFit = cache.delayCoalesce ? LG_EXTENT_MAX_ACTIVE_FIT : NO_FIT_LIMIT;
    const handle = cache.set.fit(size, lgMaxFit, this.probe);
    if (handle < 0) {
      cache.lock.unlock(core);
      return -1;
    }
    if (ctx.table.size(handle) > size && !this.canSplit(core, handle, size)) {
      cache.lock.unlock(core);
      return Errno.ENOMEM;
    }
    ctx.tracer.write(cache.line);
    cache.set.remove(handle);
    if (ctx.table.size(handle) > size) cache.set.insert(this.split(core, handle, size));
    cache.lock.unlock(core);
    return handle;
  }

  /** Charges one extent-set bin looked at by a fit: the candidate's edata line. */
  private readonly probe = (candidate: number): void => {
    this.ctx.steps(this.ctx.costs.esetProbe);
    this.ctx.tracer.read(this.ctx.table.line(candidate));
  };

  /**
   * extent_grow_retained: maps the next page-size class that holds `size`, keeps `size` and
   * records the rest as retained. -1 when the mapping fails or the classes run out.
   */
  private grow(core: number, size: number): number {
    const { classes, table, emap } = this.ctx;
    let index = this.growNext;
    while (classes.pszSize(index) < size) {
      if (++index >= classes.pszCount) return -1;
    }
    const mapSize = classes.pszSize(index);
    const addr = this.ctx.pages.map(core, mapSize);
    if (addr < 0) return -1;
    const first = addr / PAGE_SIZE;
    const cut = first + size / PAGE_SIZE;
    const boundaries = [first, first + mapSize / PAGE_SIZE - 1];
    if (mapSize > size) boundaries.push(cut - 1, cut);
    for (const page of boundaries) {
      if (emap.ensure(core, page) !== Ok) {
        this.ctx.pages.unmapRange(core, addr, mapSize);
        return -1;
      }
    }
    this.growNext = Math.min(index + 1, classes.pszCount - 1);
    const handle = this.edata.take(core);
    table.init(handle, this.arena, addr, mapSize, this.nextSn++, ExtentState.Active);
    emap.registerBoundary(core, handle);
    this.ctx.tracer.write(table.line(handle));
    if (mapSize > size) {
      const trail = this.split(core, handle, size);
      this.record(core, this.retained, trail);
    }
    return handle;
  }

  /** The fallback when growth fails (extent_alloc_wrapper): a mapping of exactly `size`. */
  private mapExact(core: number, size: number): number {
    const { table, emap } = this.ctx;
    const addr = this.ctx.pages.map(core, size);
    if (addr < 0) return -1;
    const first = addr / PAGE_SIZE;
    if (emap.ensure(core, first) !== Ok || emap.ensure(core, first + size / PAGE_SIZE - 1) !== Ok) {
      this.ctx.pages.unmapRange(core, addr, size);
      return -1;
    }
    const handle = this.edata.take(core);
    table.init(handle, this.arena, addr, size, this.nextSn++, ExtentState.Active);
    emap.registerBoundary(core, handle);
    this.ctx.tracer.write(table.line(handle));
    return handle;
  }

  /** Whether `handle` can be split at `size`: the map leaves of the new boundaries exist. */
  private canSplit(core: number, handle: number, size: number): boolean {
    const page = (this.ctx.table.addr(handle) + size) / PAGE_SIZE;
    return this.ctx.emap.ensure(core, page - 1) === Ok && this.ctx.emap.ensure(core, page) === Ok;
  }

  /** extent_split_impl: cuts `handle` to `size`; returns the tail (same state, serial number). */
  private split(core: number, handle: number, size: number): number {
    const { ctx } = this;
    const { table, emap } = ctx;
    const trail = this.edata.take(core);
    const addr = table.addr(handle);
    const total = table.size(handle);
    table.init(trail, this.arena, addr + size, total - size, table.sn(handle), table.state(handle));
    table.setSize(handle, size);
    const page = (addr + size) / PAGE_SIZE;
    emap.write(core, page - 1, handle);
    emap.registerBoundary(core, trail);
    ctx.tracer.write(table.line(handle));
    ctx.tracer.write(table.line(trail));
    ctx.steps(ctx.costs.extent);
    return trail;
  }

  /**
   * Merges `handle` with its neighbours in `cache` until none is left (extent_try_coalesce):
   * neighbours found through the map, same arena, same set. Returns the merged extent's handle.
   */
  private coalesce(core: number, cache: ExtentCache, handle: number): number {
    const { table, emap } = this.ctx;
    for (let merged = true; merged; ) {
      merged = false;
      const addr = table.addr(handle);
      const prev = emap.lookup(addr / PAGE_SIZE - 1);
      if (prev >= 0 && this.mergeable(cache, prev) && table.end(prev) === addr) {
        cache.set.remove(prev);
        this.merge(core, prev, handle);
        handle = prev;
        merged = true;
      }
      const end = table.end(handle);
      const next = emap.lookup(end / PAGE_SIZE);
      if (next >= 0 && this.mergeable(cache, next) && table.addr(next) === end) {
        cache.set.remove(next);
        this.merge(core, handle, next);
        merged = true;
      }
    }
    return handle;
  }

  private mergeable(cache: ExtentCache, neighbour: number): boolean {
    const { table } = this.ctx;
    return (
      table.state(neighbour) === cache.set.state &&
      table.arena(neighbour) === this.arena &&
      table.heapIndex(neighbour) >= 0
    );
  }

  /** extent_merge_impl: `low` absorbs the adjacent `high`, whose record goes back to the cache. */
  private merge(core: number, low: number, high: number): void {
    const { ctx } = this;
    const { table, emap } = ctx;
    const lowFirst = table.addr(low) / PAGE_SIZE;
    const lowLast = lowFirst + table.size(low) / PAGE_SIZE - 1;
    const highFirst = lowLast + 1;
    const highLast = highFirst + table.size(high) / PAGE_SIZE - 1;
    if (lowLast !== lowFirst) emap.write(core, lowLast, -1);
    if (highFirst !== highLast) emap.write(core, highFirst, -1);
    emap.write(core, highLast, low);
    table.setSize(low, table.size(low) + table.size(high));
    table.setSn(low, Math.min(table.sn(low), table.sn(high)));
    ctx.tracer.write(table.line(low));
    ctx.tracer.write(table.line(high));
    ctx.steps(ctx.costs.extent);
    this.edata.put(core, high);
  }
}
