// The upper level of LLFree (ATC'23 `upper/array.rs`): per-core tree reservations over the
// tree counters, and the lower level underneath. Lock-free: every shared word changes by CAS,
// fetch-add or exchange; the ATC'23 `locked` bit is gone (see local.ts for why).
//
// get: take 2^order from the core's reservation, then allocate in that tree (counter before
//      bits). If the reservation is short, pull frees that other cores made into its tree
//      (sync); else reserve another tree (near partial trees, then free trees, then any); if
//      the whole search fails, take frames from other cores' reservations, then drain every
//      reservation and search again; only then report Memory.
// put: clear the bits (bits before counter), then count the frames into the core's
//      reservation if it holds the tree, else into the tree's counter; three frees in a row to
//      one unreserved, fairly free tree reserve it for this core (reserve-on-free).

import { AllocError, Ok, type Status } from '@unimem/core';
import { KIND_HUGE, KIND_SMALL, TREE_FRAMES, TREE_SHIFT } from './api.js';
import { Local, Tree } from './entries.js';
import type { Layout } from './layout.js';
import type { Locals } from './local.js';
import type { Lower } from './lower.js';
import type { Trees } from './trees.js';

/** Attempts of the fast path while it reports a race (ATC'23 CAS_RETRIES). */
const RETRIES = 4;
/** A tree with fewer free frames counts as almost allocated (ATC'23: 1024). */
const ALMOST_ALLOCATED = TREE_FRAMES / 16;
/** A tree with at least this many free frames counts as free (ATC'23: N - 1024). */
const ALMOST_FREE = TREE_FRAMES - ALMOST_ALLOCATED;
/** Exclusive upper bound of any tree's free count. */
const ANY = TREE_FRAMES + 1;
/** Frees in a row into one tree before reserve-on-free takes it (ATC'23 F = 3). */
const LAST_FREES = 3;
/** takeCount: the frames came from the tree counter (slots are word indices >= 16). */
const TREE_COUNTER = 0;
/** takeCount: no counter had the frames. */
const NOWHERE = -1;
/** Trees per cache line of tree words: the partial search starts at the line's start. */
const TREES_PER_LINE = 16;

export class Upper {
  private readonly treeCount: number;
  private readonly cores: number;
  private readonly kinds: number;
  /** Trees around the start that the first partial search looks at, each side. */
  private readonly vicinity: number;

  constructor(
    private readonly lower: Lower,
    private readonly trees: Trees,
    private readonly locals: Locals,
    layout: Layout,
  ) {
    this.treeCount = layout.trees;
    this.cores = layout.cores;
    this.kinds = layout.kinds;
    this.vicinity = Math.max(1, Math.floor(layout.trees / layout.cores / 4));
  }

  /** Allocates 2^order frames for `core` (arguments already checked); frame or Memory. */
  get(core: number, order: number): number {
    const slot = this.locals.slot(core, this.kindOf(order));
    const result = this.getInner(core, slot, order);
    return result >= 0 ? result : this.retry(core, slot, order, result);
  }

  /**
   * After a first attempt that gave `result` (an error): up to RETRIES attempts in all while
   * they report a race, then stealing.
   */
  private retry(core: number, slot: number, order: number, result: number): number {
    for (let i = 1; i < RETRIES && result === AllocError.Retry; i++) {
      result = this.getInner(core, slot, order);
    }
    return result >= 0 || result === AllocError.Corruption ? result : this.steal(core, slot, order);
  }

  /** Frees a block (arguments already checked); Ok or Address. */
  put(core: number, frame: number, order: number): Status {
    const status = this.lower.put(frame, order);
    if (status !== Ok) return status;
    const kind = this.kindOf(order);
    const slot = this.locals.slot(core, kind);
    if (!this.locals.increment(slot, frame >>> TREE_SHIFT, 1 << order)) {
      return this.putElsewhere(core, frame >>> TREE_SHIFT, order, kind);
    }
    // A huge frame freed into the own reservation is where the next huge search starts: repeat
    // work then reuses one child, whose pair word this thread has just written (no load).
    if (order >= 9) this.locals.setHint(slot, frame);
    return Ok;
  }

  /** The freed frames are not of the core's reservation of their kind: count them elsewhere. */
  private putElsewhere(core: number, tree: number, order: number, kind: number): Status {
    const size = 1 << order;
    if (this.kinds === 2 && this.locals.increment(this.locals.slot(core, 1 - kind), tree, size)) {
      return Ok;
    }
    const entry = this.trees.add(tree, size);
    if (this.locals.recordFree(core, tree) >= LAST_FREES) {
      if (!Tree.reserved(entry) && Tree.free(entry) > ALMOST_ALLOCATED) {
        this.reserveOnFree(core, kind, tree);
      }
    }
    return Ok;
  }

  /** Allocates the block at `frame` if it is free (arguments already checked). */
  getAt(core: number, frame: number, order: number): number {
    // A read-only check first, so that asking for a taken block changes nothing.
    if (!this.lower.isFree(frame, order)) return AllocError.Memory;
    const tree = frame >>> TREE_SHIFT;
    const size = 1 << order;
    const source = this.takeCount(core, tree, size);
    if (source === NOWHERE) return AllocError.Memory;
    const result = this.lower.getAt(frame, order);
    if (result < 0 && (source === TREE_COUNTER || !this.locals.increment(source, tree, size))) {
      this.trees.add(tree, size);
    }
    return result;
  }

  /** Returns the reservations of `core` to their trees. */
  drain(core: number): void {
    for (let kind = 0; kind < this.kinds; kind++) {
      this.install(this.locals.slot(core, kind), Local.NONE);
    }
  }

  private kindOf(order: number): number {
    return this.kinds === 2 && order >= 9 ? KIND_HUGE : KIND_SMALL;
  }

  /**
   * One attempt: the reservation, else sync, else a new reservation. Frame, Retry, Memory or
   * Corruption. Its common case (the reservation has the frames and its tree an aligned run)
   * is a short path and everything else is out of line, so that V8, which inlines by bytecode
   * size, takes in as much of that path as its budget allows.
   */
  private getInner(core: number, slot: number, order: number): number {
    const tree = this.locals.decrement(slot, 1 << order);
    if (tree < 0) return this.refill(core, slot, order);
    // A reservation naming no tree is garbage (a scribbled buffer): check() names it and
    // recover() repairs it; using it would touch words outside the tree region.
    if (tree >= this.treeCount) return AllocError.Corruption;
    const hint = this.locals.hint(slot);
    const frame = this.lower.get(
      tree,
      hint >>> TREE_SHIFT === tree ? hint : tree * TREE_FRAMES,
      order,
    );
    if (frame < 0) return this.fragmented(core, slot, order, tree);
    // Small orders continue in the frame's row; huge ones at the next child (see put).
    this.locals.setHint(slot, order < 9 ? frame : frame + (1 << order));
    return frame;
  }

  /**
   * The reservation's tree had the count but no aligned run: it is too fragmented for this
   * order. Return the count to the tree and reserve another, preferring a free tree.
   */
  private fragmented(core: number, slot: number, order: number, tree: number): number {
    this.trees.add(tree, 1 << order);
    return this.reserveAndGet(core, slot, order, true);
  }

  /** The reservation is short: sync with the tree's counter, else reserve another tree. */
  private refill(core: number, slot: number, order: number): number {
    const size = 1 << order;
    if (this.sync(slot, size, ALMOST_ALLOCATED)) return AllocError.Retry;
    const frame = this.reserveAndGet(core, slot, order, false);
    if (frame !== AllocError.Memory) return frame;
    // Nothing else to reserve: the own tree's remaining frees will do after all.
    return this.sync(slot, size, 0) ? AllocError.Retry : AllocError.Memory;
  }

  /**
   * Pulls frees that landed in the counter of the reserved tree into the reservation, if
   * together they exceed `threshold` and cover `size` (ATC'23 `try_sync_with_global`).
   */
  private sync(slot: number, size: number, threshold: number): boolean {
    const local = this.locals.load(slot);
    if (!this.names(local)) return false;
    const tree = Local.tree(local);
    const global = Tree.free(this.trees.load(tree));
    const total = Local.free(local) + global;
    if (global === 0 || total < size || total <= threshold) return false;
    const taken = this.trees.take(tree);
    if (taken === 0) return false;
    // The reservation may have been drained meanwhile: then the count goes back.
    if (!this.locals.increment(slot, tree, taken)) this.trees.add(tree, taken);
    return true;
  }

  /** Reserves a new tree that can serve `order` and allocates from it; frame or Memory. */
  private reserveAndGet(core: number, slot: number, order: number, fragmented: boolean): number {
    const local = this.locals.load(slot);
    const start = this.names(local) ? Local.tree(local) : this.firstTree(core);
    let frame: number;
    if (fragmented) {
      frame = this.reserveFree(slot, order, start);
      if (frame < 0) frame = this.reservePartial(slot, order, start);
    } else {
      frame = this.reservePartial(slot, order, start);
      if (frame < 0) frame = this.reserveFree(slot, order, start);
    }
    return frame >= 0 ? frame : this.reserveAny(slot, order, start);
  }

  /** Where a core without a reservation starts looking: its share of the tree array. */
  private firstTree(core: number): number {
    return Math.floor((this.treeCount * core) / this.cores);
  }

  /**
   * Partially filled trees, alternating around the start's cache line of tree words: first
   * any with >= ALMOST_ALLOCATED free in the vicinity, then only partial ones everywhere.
   */
  private reservePartial(slot: number, order: number, start: number): number {
    const base = start - (start % TREES_PER_LINE);
    const near = Math.min(this.treeCount, 2 * this.vicinity + 1);
    for (let i = 0; i < near; i++) {
      const frame = this.tryReserve(slot, this.around(base, i), order, ALMOST_ALLOCATED, ANY);
      if (frame >= 0) return frame;
    }
    for (let i = 0; i < this.treeCount; i++) {
      const tree = this.around(base, i);
      const frame = this.tryReserve(slot, tree, order, ALMOST_ALLOCATED, ALMOST_FREE);
      if (frame >= 0) return frame;
    }
    return AllocError.Memory;
  }

  /** Entirely (or almost entirely) free trees, scanning forward from the start. */
  private reserveFree(slot: number, order: number, start: number): number {
    for (let i = 0; i < this.treeCount; i++) {
      const tree = (start + i) % this.treeCount;
      const frame = this.tryReserve(slot, tree, order, ALMOST_FREE, ANY);
      if (frame >= 0) return frame;
    }
    return AllocError.Memory;
  }

  /** Any tree with enough free frames. */
  private reserveAny(slot: number, order: number, start: number): number {
    for (let i = 0; i < this.treeCount; i++) {
      const tree = (start + i) % this.treeCount;
      const frame = this.tryReserve(slot, tree, order, 0, ANY);
      if (frame >= 0) return frame;
    }
    return AllocError.Memory;
  }

  /** The i-th tree of the sequence base, base-1, base+1, base-2, ... (wrapping). */
  private around(base: number, i: number): number {
    const offset = i & 1 ? -((i + 1) >> 1) : i >> 1;
    const tree = (base + offset) % this.treeCount;
    return tree < 0 ? tree + this.treeCount : tree;
  }

  /**
   * Reserves `tree` if its free count is in [max(min, 2^order), max), allocates there and makes
   * it the slot's reservation; on failure the tree is returned untouched. Frame or Memory.
   */
  private tryReserve(slot: number, tree: number, order: number, min: number, max: number): number {
    const size = 1 << order;
    const free = this.trees.reserve(tree, Math.max(min, size), max);
    if (free < 0) return AllocError.Memory;
    const frame = this.lower.get(tree, tree * TREE_FRAMES, order);
    if (frame < 0) {
      this.trees.unreserve(tree, free);
      return AllocError.Memory;
    }
    this.install(slot, Local.of(tree, free - size));
    this.locals.setHint(slot, frame);
    return frame;
  }

  /** Makes `local` the slot's reservation and returns the one it replaces to its tree. */
  private install(slot: number, local: number): void {
    const old = this.locals.exchange(slot, local);
    if (this.names(old)) this.trees.unreserve(Local.tree(old), Local.free(old));
  }

  /** True when `local` is a reservation of an existing tree (not NONE, not garbage). */
  private names(local: number): boolean {
    return Local.present(local) && Local.tree(local) < this.treeCount;
  }

  /** Reserve-on-free: a tree this core keeps freeing into becomes its reservation. */
  private reserveOnFree(core: number, kind: number, tree: number): void {
    const free = this.trees.reserve(tree, ALMOST_ALLOCATED, ANY);
    if (free < 0) return;
    const slot = this.locals.slot(core, kind);
    this.install(slot, Local.of(tree, free));
    this.locals.setHint(slot, tree * TREE_FRAMES);
    this.locals.resetFrees(core);
  }

  /**
   * Out of reservations and trees: allocate from other cores' reservations, then drain every
   * reservation into the tree counters and search all trees. Two rounds against racing cores.
   */
  private steal(core: number, slot: number, order: number): number {
    const size = 1 << order;
    for (let round = 0; round < 2; round++) {
      for (let i = 1; i <= this.cores; i++) {
        const other = (core + i) % this.cores;
        for (let kind = 0; kind < this.kinds; kind++) {
          const victim = this.locals.slot(other, kind);
          if (victim === slot) continue;
          const tree = this.locals.decrement(victim, size);
          if (tree < 0 || tree >= this.treeCount) continue;
          const frame = this.lower.get(tree, tree * TREE_FRAMES, order);
          if (frame >= 0) return frame;
          this.trees.add(tree, size);
        }
      }
      for (let other = 0; other < this.cores; other++) this.drain(other);
      const frame = this.reserveAny(slot, order, this.firstTree(core));
      if (frame >= 0) return frame;
    }
    return AllocError.Memory;
  }

  /**
   * Takes `size` frames of `tree` from whichever counter has them (for getAt): returns the
   * reservation slot they came from, TREE_COUNTER or NOWHERE.
   */
  private takeCount(core: number, tree: number, size: number): number {
    for (let kind = 0; kind < this.kinds; kind++) {
      const slot = this.locals.slot(core, kind);
      if (this.locals.decrementIf(slot, tree, size)) return slot;
    }
    if (this.trees.decrement(tree, size)) return TREE_COUNTER;
    for (let other = 0; other < this.cores; other++) {
      for (let kind = 0; kind < this.kinds; kind++) {
        const slot = this.locals.slot(other, kind);
        if (this.locals.decrementIf(slot, tree, size)) return slot;
      }
    }
    // The count may be split between the counter and a reservation: return the reservation.
    for (let other = 0; other < this.cores; other++) {
      for (let kind = 0; kind < this.kinds; kind++) {
        const free = this.locals.release(this.locals.slot(other, kind), tree);
        if (free >= 0) this.trees.unreserve(tree, free);
      }
    }
    return this.trees.decrement(tree, size) ? TREE_COUNTER : NOWHERE;
  }
}
