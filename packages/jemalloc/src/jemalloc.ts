// Jemalloc: the allocator's entry points (jemalloc.c's malloc/free/sallocx) over any
// MemorySystem. It checks arguments, binds the caller's core for the call (@unimem/hw CoreHandle,
// restored in a finally: arenas, bins and extents charge the bound core through their
// LineTracer), picks the arena (the core's own with percpu_arena, core % narenas otherwise, the
// huge arena for sizes of at least oversize_threshold), goes through the thread cache when it is
// on, and ticks the decay ticker of the calling core. Frees find the extent through the extent map and go to the arena
// that owns it. Errors are values and leave the allocator as it was: EINVAL for a bad core, size
// or pointer (unknown, interior, already freed), ENOMEM when the size has no class or the memory
// system cannot map more. Nothing is written into allocated memory (see `writesAllocations`).

import {
  type AddressResult,
  Errno,
  type ErrnoStatus,
  isCoreIndex,
  type Malloc,
  mulberry32,
  Ok,
  PAGE_SIZE,
} from '@unimem/core';
import type { Machine } from '@unimem/hw';
import type { JemallocOptions, JemallocStats, PurgeStats } from './api.js';
import { Arena, type ArenaDecayMs } from './arena.js';
import { Base } from './base.js';
import { type Context, machineHooks, resolveSettings } from './context.js';
import { resolveCosts } from './costs.js';
import { ExtentMap } from './emap.js';
import { ExtentState, ExtentTable } from './extent.js';
import { Pages } from './pages.js';
import { SizeClasses } from './size-classes.js';
import { Tcache } from './tcache.js';

export class Jemalloc implements Malloc {
  readonly name: string;
  readonly cores: number;
  /**
   * jemalloc writes no headers or fill patterns into the memory it hands out (junk and zero
   * filling are off by default; metadata lives in separate base blocks), so the pages of an
   * allocation are faulted in by the application's own first writes, not by malloc.
   */
  readonly writesAllocations = false;
  readonly classes: SizeClasses;
  /** Normal arenas (the huge arena is extra). */
  readonly narenas: number;
  private readonly ctx: Context;
  private readonly machine: Machine | undefined;
  private readonly arenas: Array<Arena | undefined>;
  private readonly hugeIndex: number;
  private readonly decayMs: ArenaDecayMs;
  private readonly ticks: Int32Array;
  private readonly tcache: Tcache | null;
  private readonly locks: ReturnType<typeof machineHooks>['locks'];
  private initialized = false;

  constructor(options: JemallocOptions) {
    const memory = options?.memory;
    if (memory === undefined || memory === null || typeof memory.mmap !== 'function') {
      throw new RangeError(`memory ${memory} is not a MemorySystem`);
    }
    this.name = options.name ?? 'jemalloc';
    this.cores = memory.cores;
    this.machine = options.machine;
    const settings = resolveSettings(options, this.cores);
    const percpu = options.percpuArena ?? true;
    if (percpu && options.narenas !== undefined && options.narenas !== this.cores) {
      throw new RangeError(
        `narenas ${options.narenas} conflicts with percpuArena (one arena per core: ${this.cores})`,
      );
    }
    this.narenas = percpu ? this.cores : (options.narenas ?? 4 * this.cores);
    if (!Number.isInteger(this.narenas) || this.narenas < 1) {
      throw new RangeError(`narenas ${this.narenas} must be a positive integer`);
    }
    this.classes = new SizeClasses({ cacheOblivious: options.cacheOblivious ?? true });
    const hooks = machineHooks(options.machine, options.mutex, options.clock);
    this.locks = hooks.locks;
    const random = mulberry32(options.seed ?? 1);
    const pages = new Pages(memory);
    const table = new ExtentTable(hooks.tracer);
    const base0 = new Base(
      'base 0',
      pages,
      this.classes,
      hooks.lock('base 0'),
      hooks.tracer,
      hooks.tracer.allocLines(1, 'jemalloc base 0'),
    );
    this.ctx = {
      classes: this.classes,
      table,
      emap: new ExtentMap(table, base0, hooks.tracer),
      base0,
      pages,
      tracer: hooks.tracer,
      costs: resolveCosts(options.costs),
      settings,
      steps: hooks.steps,
      lock: hooks.lock,
      clock: hooks.clock,
      random,
    };
    this.decayMs = { dirty: settings.dirtyDecayMs, muzzy: settings.muzzyDecayMs };
    this.hugeIndex = settings.oversizeThreshold > 0 ? this.narenas : -1;
    this.arenas = new Array(this.narenas + 1);
    this.ticks = new Int32Array(this.cores).fill(settings.decayTicks);
    this.tcache = settings.tcache
      ? new Tcache(this.ctx, this.cores, settings.tcacheMax, {
          fill: (core, szind, out, count) => {
            const arena = this.arenaFor(core);
            if (arena === undefined) return 0;
            const filled = arena.fillSmall(core, szind, out, count);
            if (filled > 0) this.tick(core, arena);
            return filled;
          },
          flush: (core, _szind, ptrs, count) => {
            for (let i = 0; i < count; i++) this.release(core, ptrs[i]);
          },
        })
      : null;
  }

  malloc(core: number, size: number): AddressResult {
    if (!isCoreIndex(core, this.cores) || !Number.isSafeInteger(size) || size < 0)
      return Errno.EINVAL;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      return this.allocate(core, size);
    } finally {
      handle?.unbind(outer);
    }
  }

  free(core: number, ptr: number): ErrnoStatus {
    if (!isCoreIndex(core, this.cores) || !Number.isSafeInteger(ptr) || ptr < 0)
      return Errno.EINVAL;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      return this.deallocate(core, ptr);
    } finally {
      handle?.unbind(outer);
    }
  }

  usableSize(ptr: number): number {
    if (!Number.isSafeInteger(ptr) || ptr < 0 || this.tcache?.cached.has(ptr)) return Errno.EINVAL;
    const { table } = this.ctx;
    const handle = this.ctx.emap.peek(Math.floor(ptr / PAGE_SIZE));
    if (handle < 0 || table.state(handle) !== ExtentState.Active) return Errno.EINVAL;
    if (table.slab(handle) === 1) {
      const bin = this.arenas[table.arena(handle)]!.bins[table.szind(handle)];
      return bin.regionOf(handle, ptr) < 0 ? Errno.EINVAL : bin.regionBytes;
    }
    return ptr === table.addr(handle) + table.offset(handle) ? table.usize(handle) : Errno.EINVAL;
  }

  /**
   * Runs decay on every arena as the ticker would (`all` false), or purges every dirty and
   * muzzy page at once (`all` true: mallctl arena.<i>.purge), charged to `core`.
   */
  decay(core: number, all = false): void {
    if (!isCoreIndex(core, this.cores))
      throw new RangeError(`core ${core} is not a core (0..${this.cores - 1})`);
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      for (const arena of this.arenas) arena?.decay(core, all);
    } finally {
      handle?.unbind(outer);
    }
  }

  /** Returns everything `core`'s thread cache holds to the arenas (tcache.flush). */
  flushTcache(core: number): void {
    if (!isCoreIndex(core, this.cores))
      throw new RangeError(`core ${core} is not a core (0..${this.cores - 1})`);
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      this.tcache?.flushAll(core);
    } finally {
      handle?.unbind(outer);
    }
  }

  /** The arena index a core allocates from (the huge arena is `narenas`). */
  arenaIndexOf(core: number): number {
    return core % this.narenas;
  }

  stats(): JemallocStats {
    const { pages, base0, emap } = this.ctx;
    const totals = { allocated: 0, active: 0, dirty: 0, muzzy: 0, retained: 0, pacMapped: 0 };
    let metadata = base0.allocatedBytes;
    let metadataMapped = base0.mappedBytes;
    let residentPages = base0.residentPages;
    const dirtyPurges: PurgeStats = { purges: 0, madvise: 0, purgedPages: 0 };
    const muzzyPurges: PurgeStats = { purges: 0, madvise: 0, purgedPages: 0 };
    let count = 0;
    for (const arena of this.arenas) {
      if (arena === undefined) continue;
      count++;
      const { extents, base } = arena;
      totals.allocated += arena.allocatedBytes;
      totals.active += extents.activePages * PAGE_SIZE;
      totals.dirty += extents.dirty.set.npages * PAGE_SIZE;
      totals.muzzy += extents.muzzy.set.npages * PAGE_SIZE;
      totals.retained += extents.retained.set.npages * PAGE_SIZE;
      totals.pacMapped += extents.mappedBytes;
      metadata += base.allocatedBytes;
      metadataMapped += base.mappedBytes;
      residentPages += base.residentPages;
      addPurges(dirtyPurges, arena.dirtyPurgeStats());
      addPurges(muzzyPurges, arena.muzzyPurges);
    }
    let lockContended = 0;
    let lockWaitCycles = 0;
    for (const lock of this.locks) {
      const stats = (lock as { stats?: { contended: number; waitCycles: number } }).stats;
      if (stats === undefined) continue;
      lockContended += stats.contended;
      lockWaitCycles += stats.waitCycles;
    }
    return {
      allocated: totals.allocated,
      active: totals.active,
      mapped: totals.pacMapped + metadataMapped,
      retained: totals.retained,
      dirty: totals.dirty,
      muzzy: totals.muzzy,
      metadata,
      metadataMapped,
      metadataResident: residentPages * PAGE_SIZE,
      dirtyPurges,
      muzzyPurges,
      madvise: pages.madviseCalls,
      dontneedBytes: pages.dontneedBytes,
      freeBytes: pages.freeBytes,
      mmaps: pages.mmapCalls,
      mmapBytes: pages.mmapBytes,
      munmaps: pages.munmapCalls,
      arenas: count,
      rtreeLeaves: emap.leafCount,
      lockContended,
      lockWaitCycles,
    };
  }

  private allocate(core: number, size: number): AddressResult {
    const { ctx, classes } = this;
    const szind = classes.index(size);
    if (szind < 0) return Errno.ENOMEM;
    ctx.steps(ctx.costs.entry);
    if (!this.initialized && !this.init(core)) return Errno.ENOMEM;
    if (this.tcache?.holds(szind)) {
      const ptr = this.tcache.alloc(core, szind);
      if (ptr >= 0) return ptr;
      if (classes.isSmall(szind)) return Errno.ENOMEM;
    }
    const usize = classes.size(szind);
    const huge = this.hugeIndex >= 0 && usize >= ctx.settings.oversizeThreshold;
    const arena = huge ? this.arenaAt(this.hugeIndex, core) : this.arenaFor(core);
    if (arena === undefined) return Errno.ENOMEM;
    const ptr = classes.isSmall(szind)
      ? arena.mallocSmall(core, szind)
      : arena.mallocLarge(core, usize);
    if (ptr >= 0) this.tick(core, arena);
    return ptr;
  }

  private deallocate(core: number, ptr: number): ErrnoStatus {
    const { ctx } = this;
    const { table } = ctx;
    const handle = ctx.emap.lookup(Math.floor(ptr / PAGE_SIZE));
    if (handle < 0 || table.state(handle) !== ExtentState.Active) return Errno.EINVAL;
    ctx.tracer.read(table.line(handle));
    const arena = this.arenas[table.arena(handle)]!;
    const slab = table.slab(handle) === 1;
    const bin = slab ? arena.bins[table.szind(handle)] : undefined;
    const region = bin !== undefined ? bin.regionOf(handle, ptr) : 0;
    if (region < 0) return Errno.EINVAL;
    if (!slab && ptr !== table.addr(handle) + table.offset(handle)) return Errno.EINVAL;
    if (this.tcache?.cached.has(ptr)) return Errno.EINVAL;
    ctx.steps(ctx.costs.entry);
    const szind = table.szind(handle);
    if (this.tcache?.holds(szind)) {
      this.tcache.free(core, ptr, szind);
      return Ok;
    }
    if (bin !== undefined) arena.freeSmall(core, bin, handle, region);
    else arena.freeLarge(core, handle);
    this.tick(core, arena);
    return Ok;
  }

  /** Frees a pointer known to be a live allocation (tcache flush). */
  private release(core: number, ptr: number): void {
    const { table, emap } = this.ctx;
    const handle = emap.lookup(Math.floor(ptr / PAGE_SIZE));
    const arena = this.arenas[table.arena(handle)]!;
    if (table.slab(handle) === 1) {
      const bin = arena.bins[table.szind(handle)];
      arena.freeSmall(core, bin, handle, bin.regionOf(handle, ptr));
    } else {
      arena.freeLarge(core, handle);
    }
    this.tick(core, arena);
  }

  /** arena_decay_tick: every `decayTicks` operations of a core, the arena decays. */
  private tick(core: number, arena: Arena): void {
    if (--this.ticks[core] > 0) return;
    this.ticks[core] = this.ctx.settings.decayTicks;
    arena.decay(core, false);
  }

  /** malloc_init: base 0 and arena 0. */
  private init(core: number): boolean {
    const { base0 } = this.ctx;
    if (base0.mappedBytes === 0 && base0.init(core) < 0) return false;
    if (this.arenaAt(0, core) === undefined) return false;
    this.initialized = true;
    return true;
  }

  private arenaFor(core: number): Arena | undefined {
    return this.arenaAt(core % this.narenas, core);
  }

  private arenaAt(index: number, core: number): Arena | undefined {
    const existing = this.arenas[index];
    if (existing !== undefined) return existing;
    const decayMs = index === this.hugeIndex ? { dirty: 0, muzzy: 0 } : this.decayMs;
    const made = Arena.create(this.ctx, index, core, decayMs);
    if (typeof made === 'number') return undefined;
    this.arenas[index] = made;
    return made;
  }
}

function addPurges(into: PurgeStats, from: PurgeStats): void {
  into.purges += from.purges;
  into.madvise += from.madvise;
  into.purgedPages += from.purgedPages;
}
