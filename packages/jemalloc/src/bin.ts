// A bin: one small size class of one arena (jemalloc's bin_t, arena.c's arena_bin_* functions).
// It allocates from `slabcur`, refilling it with the oldest/lowest non-full slab (a heap by serial
// number and address) and, when there is none, with a fresh slab the arena allocates outside the
// bin lock. A free that empties a slab dissociates it (the arena returns it to the page
// allocator after unlocking); a free into a full slab makes it slabcur if it is older/lower, else
// files it as non-full (arena_bin_lower_slab). Full slabs are not tracked (automatic arenas
// don't). Each method runs with the bin lock held by the caller. Invariant: slabcur and the heap
// members are this bin's slabs with at least one free region, except slabcur which may be full.

import type { Lock } from '@unimem/core';
import type { Context } from './context.js';
import { ExtentHeap } from './extent-heap.js';
import { slabInit, slabIsAllocated, slabRelease, slabTake } from './slab.js';

const NONE = -1;

export class Bin {
  /** Bin lock (bin_t.lock). */
  readonly lock: Lock;
  /** Header line: slabcur, heap root, stats. */
  readonly line: number;
  readonly regionBytes: number;
  readonly nregs: number;
  slabcur = NONE;
  readonly nonfull: ExtentHeap;
  /** Allocations and frees served (bin stats). */
  nmalloc = 0;
  ndalloc = 0;
  /** Live regions. */
  curregs = 0;
  /** Slabs currently owned, and slabs ever created. */
  curslabs = 0;
  nslabs = 0;

  constructor(
    private readonly ctx: Context,
    arena: number,
    readonly szind: number,
  ) {
    this.regionBytes = ctx.classes.size(szind);
    this.nregs = ctx.classes.slabRegions[szind];
    this.lock = ctx.lock(`arena ${arena} bin ${this.regionBytes}`);
    this.line = ctx.tracer.allocLines(1, `jemalloc arena ${arena} bin ${this.regionBytes}`);
    this.nonfull = new ExtentHeap(ctx.table);
  }

  /** arena_bin_malloc_no_fresh_slab: a region from slabcur or a non-full slab, else -1. */
  mallocNoFreshSlab(): number {
    const { table, tracer } = this.ctx;
    tracer.write(this.line);
    if (this.slabcur === NONE || table.nfree(this.slabcur) === 0) {
      this.slabcur = this.nonfull.first();
      if (this.slabcur === NONE) return NONE;
      tracer.read(table.line(this.slabcur));
      this.nonfull.remove(this.slabcur);
    }
    return this.take(this.slabcur);
  }

  /** arena_bin_malloc_with_fresh_slab: makes a new slab slabcur and takes its first region. */
  mallocWithFreshSlab(slab: number): number {
    slabInit(this.ctx.table, slab, this.szind, this.nregs);
    this.curslabs++;
    this.nslabs++;
    this.slabcur = slab;
    return this.take(slab);
  }

  /** The region index of `addr` in `slab`, or -1 if it is not the start of a live region. */
  regionOf(slab: number, addr: number): number {
    // An int32 remainder, not fmod: the map registers a slab at its own pages only, so addr lies
    // in the slab and the offset is below its size (7 pages at most).
    const offset = (addr - this.ctx.table.addr(slab)) | 0;
    if (offset % this.regionBytes !== 0) return NONE;
    const region = offset / this.regionBytes;
    return slabIsAllocated(this.ctx.table, slab, region) ? region : NONE;
  }

  /**
   * arena_dalloc_bin_locked_step: frees `region`. Returns true when the slab became empty and
   * was dissociated: the caller must hand it back to the arena after unlocking.
   */
  dalloc(slab: number, region: number): boolean {
    const { ctx } = this;
    const { table, tracer } = ctx;
    tracer.write(table.line(slab));
    tracer.write(table.line(slab) + 1);
    tracer.write(this.line);
    ctx.steps(ctx.costs.regionFree);
    const nfree = slabRelease(table, slab, region);
    this.ndalloc++;
    this.curregs--;
    if (nfree === this.nregs) {
      if (slab === this.slabcur) this.slabcur = NONE;
      else if (this.nregs > 1) this.nonfull.remove(slab);
      this.curslabs--;
      return true;
    }
    if (nfree === 1 && slab !== this.slabcur) this.lower(slab);
    return false;
  }

  /** arena_bin_lower_slab: slabcur stays the oldest/lowest non-full slab where it can. */
  private lower(slab: number): void {
    const { table } = this.ctx;
    const current = this.slabcur;
    if (current !== NONE && table.before(slab, current)) {
      if (table.nfree(current) > 0) this.nonfull.insert(current);
      this.slabcur = slab;
    } else {
      this.nonfull.insert(slab);
    }
  }

  private take(slab: number): number {
    const { ctx } = this;
    const { table, tracer } = ctx;
    tracer.write(table.line(slab));
    tracer.write(table.line(slab) + 1);
    ctx.steps(ctx.costs.regionAlloc);
    const region = slabTake(table, slab);
    this.nmalloc++;
    this.curregs++;
    return table.addr(slab) + region * this.regionBytes;
  }
}
