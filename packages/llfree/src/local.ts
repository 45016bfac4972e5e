// Per-core state of the upper level: one padded region per core (layout.ts) holding, for each
// kind (small / huge), a reservation word; and, private to each view, a search hint per kind and
// the core's "last frees" record used by the reserve-on-free heuristic (ATC'23 `Local`:
// `preferred`, `last_frees`).
//
// The reservation is one 32-bit word {tree + 1: 17 bits, free: 15 bits} (entries.ts `Local`),
// replacing ATC'23's 64-bit {free, locked, start} with its lock bit. Why one word is enough:
// - every change of a reservation (decrement on get, increment on put, sync, take-over, drain)
//   is one CAS or exchange of that word, so a reservation is never half updated;
// - a CAS compares the tree and the count together, so an operation that read an older
//   reservation can never apply its change to a different tree (equal words mean the same tree
//   and the same count, so ABA is harmless);
// - swapping in a new reservation is an `exchange`: whoever swaps a reservation out gets its
//   exact count and returns it to its tree (Trees.unreserve). Two racing swaps (a steal and the
//   owner) each return what they took out, so no frame count is lost or counted twice;
// - the tree's reserved flag stays set from reservation until that unreserve, so no second core
//   can reserve the tree while some local word names it.
// The start row of ATC'23 becomes the hint: a per-core value that only steers the bitfield
// search, so a stale or lost hint costs time, never correctness. The same holds for the
// last-frees record (it only decides when reserve-on-free tries a reservation, and that
// reservation is a CAS on the tree word). Only the core's own thread uses either, so both live
// in the view (one per worker) rather than in the buffer: an Atomics.store is a locked
// exchange on x86, and writing the hint through cost one per order-9 get and the record one per
// put into an unreserved tree. Their words in the buffer's local region stay unused.
//
// Each view also keeps a private copy of the reservation words it last saw: CAS loops start
// from that guess instead of a load (a core's own reservation is normally changed only by
// itself, so the guess is right and a get costs one atomic here instead of two). Decisions to
// give up are only taken on values read from the buffer, except `increment`'s "not this tree",
// which is sound on the guess (see there) and saves a load per free into another tree.

import type { AtomicWords } from '@unimem/hw';
import { Local } from './entries.js';
import { LOCAL_WORDS } from './layout.js';

const SLOT_WORDS = 2;

export class Locals {
  /** This view's last seen value of every reservation word (the CAS guesses) and the hints. */
  private readonly seen: Int32Array;
  /** Per core, this view's last-frees record {tree + 1, count: 4 bits}. */
  private readonly lastFrees: Int32Array;

  constructor(
    private readonly words: AtomicWords,
    /** Word offset of core 0's line. */
    private readonly base: number,
    readonly cores: number,
    readonly kinds: number,
  ) {
    this.seen = new Int32Array(cores * LOCAL_WORDS);
    for (let core = 0; core < cores; core++) {
      for (let kind = 0; kind < kinds; kind++) this.load(this.slot(core, kind));
    }
    this.lastFrees = new Int32Array(cores);
  }

  /** Word index of the reservation of (core, kind); the hint is the next word. */
  slot(core: number, kind: number): number {
    return this.base + core * LOCAL_WORDS + kind * SLOT_WORDS;
  }

  load(slot: number): number {
    return this.see(slot, this.words.load(slot));
  }

  /** Swaps in `local` and returns the reservation it replaced (the caller returns that one). */
  exchange(slot: number, local: number): number {
    this.seen[slot - this.base] = local;
    return this.words.exchange(slot, local);
  }

  /**
   * CAS loop: takes `size` frames from the reservation; returns its tree, or -1 if too few.
   * Starts from the guess; "too few" is only decided on a value read from the buffer.
   */
  decrement(slot: number, size: number): number {
    let guess = true;
    let local = this.seen[slot - this.base];
    for (;;) {
      if (Local.present(local) && Local.free(local) >= size) {
        const next = (local - size) | 0;
        const found = this.words.cas(slot, local, next);
        if (found === local) {
          this.seen[slot - this.base] = next;
          return Local.tree(local);
        }
        local = this.see(slot, found);
      } else if (guess) {
        local = this.load(slot);
      } else {
        return -1;
      }
      guess = false;
    }
  }

  /** CAS loop: takes `size` frames if the reservation is of `tree` and has them. */
  decrementIf(slot: number, tree: number, size: number): boolean {
    let local = this.load(slot);
    for (;;) {
      if (Local.tree(local) !== tree || Local.free(local) < size) return false;
      const found = this.words.cas(slot, local, (local - size) | 0);
      if (found === local) {
        this.see(slot, (local - size) | 0);
        return true;
      }
      local = this.see(slot, found);
    }
  }

  /** CAS loop: drops the reservation if it is of `tree`; returns its free count, or -1. */
  release(slot: number, tree: number): number {
    let local = this.load(slot);
    for (;;) {
      if (Local.tree(local) !== tree) return -1;
      const found = this.words.cas(slot, local, Local.NONE);
      if (found === local) {
        this.see(slot, Local.NONE);
        return Local.free(local);
      }
      local = this.see(slot, found);
    }
  }

  /**
   * CAS loop: adds `size` frames if the reservation is of `tree`; false otherwise. Unlike the
   * other decisions, "not of `tree`" may be taken on the guess, without a load: only this
   * core's own thread ever puts a tree into its slot (others only change its count or empty
   * it), so a guess naming another tree (or none) means the slot does not hold `tree` either,
   * unless the core number is misused by two views; and even then the caller's fallback, the
   * tree's counter, is always a correct place for a free (trees.ts), reserved tree or not.
   */
  increment(slot: number, tree: number, size: number): boolean {
    let local = this.seen[slot - this.base];
    for (;;) {
      if (Local.tree(local) !== tree) return false;
      const next = (local + size) | 0;
      const found = this.words.cas(slot, local, next);
      if (found === local) {
        this.seen[slot - this.base] = next;
        return true;
      }
      local = this.see(slot, found);
    }
  }

  /** The frame where the next search of this slot starts (this view's copy). */
  hint(slot: number): number {
    return this.seen[slot + 1 - this.base];
  }

  setHint(slot: number, frame: number): void {
    this.seen[slot + 1 - this.base] = frame;
  }

  /**
   * Records a free into `tree` that went to the global counter; returns how many such frees in
   * a row hit this tree (capped at 15). Only the core itself writes its record.
   */
  recordFree(core: number, tree: number): number {
    const last = this.lastFrees[core];
    const count = last >>> 4 === tree + 1 ? Math.min((last & 15) + 1, 15) : 1;
    this.lastFrees[core] = ((tree + 1) << 4) | count;
    return count;
  }

  /** Forgets the last-frees record (after the heuristic fired, and on recovery). */
  resetFrees(core: number): void {
    this.lastFrees[core] = 0;
  }

  /** Records a value read from the buffer as this view's guess; returns it. */
  private see(slot: number, local: number): number {
    this.seen[slot - this.base] = local;
    return local;
  }

  /** Sum of the free counts of all reservations (racy). */
  sum(): number {
    let free = 0;
    for (let core = 0; core < this.cores; core++) {
      for (let kind = 0; kind < this.kinds; kind++)
        free += Local.free(this.load(this.slot(core, kind)));
    }
    return free;
  }
}
