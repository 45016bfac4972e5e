// The tree counters of the upper level (ATC'23 `upper/array.rs`, `Trees`): one word per tree of
// 32 children, holding its free frames and a reserved flag.
//
// Invariant (quiescent): for every tree, counter + (the free count of the one local reservation
// naming it, if reserved) = sum of its children's counters. Reserving moves the whole counter
// into a core's local entry in one CAS (counter -> 0, reserved set); unreserving adds a local's
// count back and clears the flag in one CAS. While reserved, the counter collects frees by other
// cores, which the owner pulls over with `take` (sync with global).

import type { AtomicWords } from '@unimem/hw';
import { TREE_FRAMES } from './api.js';
import { Tree } from './entries.js';

export class Trees {
  constructor(
    private readonly words: AtomicWords,
    /** Word offset of tree 0. */
    private readonly base: number,
    readonly count: number,
    private readonly frames: number,
  ) {}

  load(tree: number): number {
    return this.words.load(this.base + tree);
  }

  store(tree: number, entry: number): void {
    this.words.store(this.base + tree, entry);
  }

  /** Frames of `tree` that exist (16384, fewer for the last tree). */
  capacity(tree: number): number {
    return Math.min(TREE_FRAMES, this.frames - tree * TREE_FRAMES);
  }

  /**
   * Reserves `tree` if it is unreserved with min <= free < max; returns the free count now owned
   * by the caller (the counter becomes 0), or -1.
   */
  reserve(tree: number, min: number, max: number): number {
    const index = this.base + tree;
    let entry = this.words.load(index);
    for (;;) {
      const free = Tree.free(entry);
      if (Tree.reserved(entry) || free < min || free >= max) return -1;
      const found = this.words.cas(index, entry, Tree.of(0, true));
      if (found === entry) return free;
      entry = found;
    }
  }

  /** Returns a reservation: adds its free count back and clears the flag. */
  unreserve(tree: number, free: number): void {
    const index = this.base + tree;
    let entry = this.words.load(index);
    for (;;) {
      const found = this.words.cas(index, entry, Tree.of(Tree.free(entry) + free, false));
      if (found === entry) return;
      entry = found;
    }
  }

  /** Adds frees; returns the new entry (the caller checks it for the reserve-on-free heuristic). */
  add(tree: number, size: number): number {
    return this.words.add(this.base + tree, size) + size;
  }

  /** CAS loop: takes `size` from the counter if it has that many, reserved or not. */
  decrement(tree: number, size: number): boolean {
    const index = this.base + tree;
    let entry = this.words.load(index);
    for (;;) {
      const free = Tree.free(entry);
      if (free < size) return false;
      const found = this.words.cas(index, entry, Tree.withFree(entry, free - size));
      if (found === entry) return true;
      entry = found;
    }
  }

  /** Takes the whole counter, leaving the flag (sync of a reserved tree with its local entry). */
  take(tree: number): number {
    const index = this.base + tree;
    let entry = this.words.load(index);
    for (;;) {
      const free = Tree.free(entry);
      if (free === 0) return 0;
      const found = this.words.cas(index, entry, Tree.withFree(entry, 0));
      if (found === entry) return free;
      entry = found;
    }
  }

  /** Sum of all counters (racy). */
  sum(): number {
    let free = 0;
    for (let tree = 0; tree < this.count; tree++) free += Tree.free(this.load(tree));
    return free;
  }
}
