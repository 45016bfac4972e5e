// The thread cache (jemalloc's tcache.c / cache_bin.h), off in the thesis' configuration: per
// core, one stack of cached objects per size class up to tcache_max (32 KiB). A hit pops or
// pushes without any lock; a small miss fills half the stack from the arena bin under one bin-lock
// hold; a free into a full stack flushes its older half back to the owning arenas. Capacity per
// small class is 2 × regions per slab clamped to [20, 200] (tcache_nslots_small_min/max,
// lg_tcache_nslots_mul 1); large classes hold 20. Left out: the incremental GC that trims stacks
// by their low-water mark every 64 KiB allocated. Objects in a cache count as allocated to the
// arena; `cached` remembers them so that freeing one again is caught. Invariant: every cached
// pointer is a live arena allocation of the stack's class, in exactly one stack.

import type { Context } from './context.js';

export const TCACHE_NSLOTS_SMALL_MIN = 20;
export const TCACHE_NSLOTS_SMALL_MAX = 200;
export const TCACHE_NSLOTS_LARGE = 20;

export interface TcacheBackend {
  /** Fills `out` with up to `count` regions of small class `szind`; returns how many. */
  fill(core: number, szind: number, out: Float64Array, count: number): number;
  /** Frees `count` cached objects of class `szind` from `ptrs` to their arenas. */
  flush(core: number, szind: number, ptrs: Float64Array, count: number): void;
}

export class Tcache {
  /** Classes cached: 0..nhbins-1. */
  readonly nhbins: number;
  readonly ncachedMax: Int32Array;
  /** Pointers currently held by some cache. */
  readonly cached = new Set<number>();
  hits = 0;
  misses = 0;
  flushes = 0;
  private readonly stacks: Array<Float64Array | undefined>;
  private readonly counts: Int32Array;
  private readonly line: number;

  constructor(
    private readonly ctx: Context,
    private readonly cores: number,
    tcacheMax: number,
    private readonly backend: TcacheBackend,
  ) {
    const { classes } = ctx;
    this.nhbins = classes.index(tcacheMax) + 1;
    this.ncachedMax = new Int32Array(this.nhbins);
    for (let szind = 0; szind < this.nhbins; szind++) {
      this.ncachedMax[szind] = classes.isSmall(szind)
        ? smallSlots(classes.slabRegions[szind])
        : TCACHE_NSLOTS_LARGE;
    }
    this.stacks = new Array(cores * this.nhbins);
    this.counts = new Int32Array(cores * this.nhbins);
    this.line = ctx.tracer.allocLines(cores, 'jemalloc tcache');
  }

  /** True when class `szind` is cached. */
  holds(szind: number): boolean {
    return szind < this.nhbins;
  }

  /** Pops an object of class `szind`, filling small classes on a miss; -1 when none. */
  alloc(core: number, szind: number): number {
    const slot = core * this.nhbins + szind;
    const stack = this.stack(slot, szind);
    this.ctx.tracer.write(this.line + core);
    this.ctx.steps(this.ctx.costs.tcacheHit);
    if (this.counts[slot] === 0) {
      this.misses++;
      if (!this.ctx.classes.isSmall(szind)) return -1;
      this.counts[slot] = this.backend.fill(core, szind, stack, this.ncachedMax[szind] >> 1);
      // The fill hands out regions lowest first; pop order should too.
      stack.subarray(0, this.counts[slot]).reverse();
      if (this.counts[slot] === 0) return -1;
      for (let i = 0; i < this.counts[slot]; i++) this.cached.add(stack[i]);
    } else {
      this.hits++;
    }
    const ptr = stack[--this.counts[slot]];
    this.cached.delete(ptr);
    return ptr;
  }

  /** Pushes a freed object, flushing the older half of a full stack first. */
  free(core: number, ptr: number, szind: number): void {
    const slot = core * this.nhbins + szind;
    const stack = this.stack(slot, szind);
    this.ctx.tracer.write(this.line + core);
    this.ctx.steps(this.ctx.costs.tcacheHit);
    const max = this.ncachedMax[szind];
    if (this.counts[slot] === max) {
      const keep = max >> 1;
      const flush = max - keep;
      for (let i = 0; i < flush; i++) this.cached.delete(stack[i]);
      this.backend.flush(core, szind, stack, flush);
      stack.copyWithin(0, flush, max);
      this.counts[slot] = keep;
      this.flushes++;
    }
    stack[this.counts[slot]++] = ptr;
    this.cached.add(ptr);
  }

  /** Flushes every stack of `core` (thread exit, tcache.flush). */
  flushAll(core: number): void {
    for (let szind = 0; szind < this.nhbins; szind++) {
      const slot = core * this.nhbins + szind;
      const stack = this.stacks[slot];
      const count = this.counts[slot];
      if (stack === undefined || count === 0) continue;
      for (let i = 0; i < count; i++) this.cached.delete(stack[i]);
      this.backend.flush(core, szind, stack, count);
      this.counts[slot] = 0;
    }
  }

  /** Bytes held in all caches. */
  cachedBytes(): number {
    let bytes = 0;
    for (let core = 0; core < this.cores; core++) {
      for (let szind = 0; szind < this.nhbins; szind++) {
        bytes += this.counts[core * this.nhbins + szind] * this.ctx.classes.size(szind);
      }
    }
    return bytes;
  }

  private stack(slot: number, szind: number): Float64Array {
    let stack = this.stacks[slot];
    if (stack === undefined) stack = this.stacks[slot] = new Float64Array(this.ncachedMax[szind]);
    return stack;
  }
}

/** tcache_ncached_max_compute for a small class with `nregs` regions per slab. */
function smallSlots(nregs: number): number {
  let candidate = nregs << 1;
  if (candidate % 2 !== 0) candidate++;
  return Math.min(TCACHE_NSLOTS_SMALL_MAX, Math.max(TCACHE_NSLOTS_SMALL_MIN, candidate));
}
