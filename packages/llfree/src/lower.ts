// The lower level of LLFree (ATC'23 `lower/cache.rs`): child entries (free counter + huge flag,
// two per word) over the bitfields. It allocates inside one tree the upper level chose.
//
// Invariant: for every child that is neither huge nor splitting, its counter equals the number
// of zero bits in its bitfield once no operation is in flight; a huge child has counter 0 and an
// all-zero bitfield. Allocation lowers the counter before it sets bits; a free clears bits before
// it raises the counter, so the counter never claims a frame free whose bit is set (recover.ts
// relies on this). A counter decrement whose bitfield search then fails is undone ("counter ok,
// bits taken": fragmentation or a race), and the caller moves on to the next child.

import { AllocError, Ok, type Status } from '@unimem/core';
import type { AtomicWords } from '@unimem/hw';
import { CHILD_FRAMES, type LLFreeInit, TREE_CHILDREN } from './api.js';
import { Bitfields } from './bitfield.js';
import { Child, Pair } from './entries.js';
import type { Layout } from './layout.js';

export class Lower {
  readonly bits: Bitfields;
  private readonly children: number;
  /** The child pair word this thread last wrote, and its value: the next CAS's guess. */
  private lastIndex = -1;
  private lastValue = 0;

  constructor(
    private readonly words: AtomicWords,
    private readonly layout: Layout,
  ) {
    this.children = layout.children;
    this.bits = new Bitfields(words, layout.bitfields);
  }

  /**
   * Allocates a block of `order` inside `tree`, starting the search at `start` (a frame of that
   * tree: its child, and for small orders its bitfield row). Returns the frame or Memory.
   */
  get(tree: number, start: number, order: number): number {
    if (order < 9) return this.getSmall(tree, start, order);
    if (order === 9) return this.getHuge(tree, start);
    return this.getPair(tree, start);
  }

  /** Allocates exactly the block at `frame`; Memory if any part of it is taken. */
  getAt(frame: number, order: number): number {
    const child = frame >>> 9;
    if (order === 10) {
      return this.words.cas(this.children + (child >>> 1), Pair.FULL, Pair.HUGE) === Pair.FULL
        ? frame
        : AllocError.Memory;
    }
    if (order === 9) return this.markHuge(child) ? frame : AllocError.Memory;
    const size = 1 << order;
    if (!this.decrement(child, size)) return AllocError.Memory;
    if (this.bits.claimAt(frame, order)) return frame;
    this.increment(child, size);
    return AllocError.Memory;
  }

  /** Frees the block at `frame`; Address (nothing changed) if it was not allocated so. */
  put(frame: number, order: number): Status {
    if (order >= 9) return this.putHuge(frame, order);
    // Fast path first: a huge child has a clear bitfield, so the release fails and changes
    // nothing; only then is the child looked at (and split, for a partial free), and the
    // release tried once more. A bad free fails both times.
    if (!this.bits.release(frame, order)) return this.putSplitting(frame, order);
    this.increment(frame >>> 9, 1 << order);
    return Ok;
  }

  /** put of a small block whose bits were not all set: split a huge child, then retry once. */
  private putSplitting(frame: number, order: number): Status {
    const child = frame >>> 9;
    this.unlockChild(child, this.children + (child >>> 1), Pair.shift(child));
    if (!this.bits.release(frame, order)) return AllocError.Address;
    this.increment(child, 1 << order);
    return Ok;
  }

  /**
   * put of a huge frame (order 9) or a pair of them (order 10): one CAS of the child pair, for
   * order 9 started from a guess: the value this thread last wrote there if it is that pair
   * (bulk frees free both children of a pair in a row), else "both children huge" (allocated
   * 2 MiB frames usually sit next to allocated ones). A wrong guess costs a failed CAS, which
   * returns the current value; Address is only ever decided on a value read from the buffer.
   */
  private putHuge(frame: number, order: number): Status {
    const child = frame >>> 9;
    const index = this.children + (child >>> 1);
    if (order === 10) {
      return this.words.cas(index, Pair.HUGE, Pair.FULL) === Pair.HUGE ? Ok : AllocError.Address;
    }
    const shift = Pair.shift(child);
    let pair = index === this.lastIndex ? this.lastValue : Pair.HUGE;
    let fresh = false;
    for (;;) {
      if (Pair.child(pair, shift) !== Child.HUGE) {
        if (fresh) return AllocError.Address;
        pair = this.words.load(index);
        fresh = true;
        continue;
      }
      const next = Pair.withChild(pair, shift, Child.FULL);
      const found = this.words.cas(index, pair, next);
      if (found === pair) {
        this.wrote(index, next);
        return Ok;
      }
      pair = found;
      fresh = true;
    }
  }

  /** True when the whole block is free (racy under concurrent use). */
  isFree(frame: number, order: number): boolean {
    const child = frame >>> 9;
    if (order === 10) return this.words.load(this.children + (child >>> 1)) === Pair.FULL;
    const entry = this.child(child);
    if (order === 9) return entry === Child.FULL;
    return !Child.locked(entry) && this.bits.isFree(frame, order);
  }

  /** The 16-bit entry of `child`. */
  child(child: number): number {
    return Pair.child(this.words.load(this.children + (child >>> 1)), Pair.shift(child));
  }

  /** Overwrites the entry of `child` (initialisation and recovery only: not concurrent). */
  setChild(child: number, entry: number): void {
    const index = this.children + (child >>> 1);
    const shift = Pair.shift(child);
    this.words.store(index, Pair.withChild(this.words.load(index), shift, entry));
  }

  /** Frames of `child` that exist (512, fewer for the last child, 0 for padding). */
  capacity(child: number): number {
    return Math.max(0, Math.min(CHILD_FRAMES, this.layout.frames - child * CHILD_FRAMES));
  }

  /** Number of entirely free children (free 2 MiB frames). */
  freeHuge(): number {
    let huge = 0;
    const pairs = this.layout.trees * (TREE_CHILDREN / 2);
    for (let i = 0; i < pairs; i++) {
      const pair = this.words.load(this.children + i);
      if (Pair.child(pair, 0) === Child.FULL) huge++;
      if (Pair.child(pair, 16) === Child.FULL) huge++;
    }
    return huge;
  }

  /**
   * Writes the children and bitfields of a fresh (zeroed) buffer. `free`: all free; `allocated`:
   * full children huge, the partial tail child all bits set. Padding is never free.
   */
  init(init: LLFreeInit): void {
    const children = this.layout.trees * TREE_CHILDREN;
    for (let child = 0; child < children; child += 2) {
      this.words.store(
        this.children + (child >>> 1),
        Pair.of(this.initChild(child, init), this.initChild(child + 1, init)),
      );
    }
  }

  private initChild(child: number, init: LLFreeInit): number {
    const capacity = this.capacity(child);
    if (capacity === CHILD_FRAMES) return init === 'free' ? Child.FULL : Child.HUGE;
    this.bits.fillFrom(child, init === 'free' ? capacity : 0);
    return init === 'free' ? Child.withFree(capacity) : Child.withFree(0);
  }

  private getSmall(tree: number, start: number, order: number): number {
    const size = 1 << order;
    const first = tree * TREE_CHILDREN;
    const offset = (start >>> 9) - first;
    const startRow = (start >>> 5) & 15;
    for (let i = 0; i < TREE_CHILDREN; i++) {
      const child = first + ((offset + i) & (TREE_CHILDREN - 1));
      if (!this.decrement(child, size)) continue;
      const frame = this.bits.claim(child, i === 0 ? startRow : 0, order);
      if (frame >= 0) return frame;
      this.increment(child, size);
    }
    return AllocError.Memory;
  }

  private getHuge(tree: number, start: number): number {
    const first = tree * TREE_CHILDREN;
    const offset = (start >>> 9) - first;
    for (let i = 0; i < TREE_CHILDREN; i++) {
      const child = first + ((offset + i) & (TREE_CHILDREN - 1));
      if (this.markHuge(child)) return child * CHILD_FRAMES;
    }
    return AllocError.Memory;
  }

  private getPair(tree: number, start: number): number {
    const pairs = TREE_CHILDREN / 2;
    const first = tree * pairs;
    const offset = (start >>> 10) - first;
    for (let i = 0; i < pairs; i++) {
      const pair = first + ((offset + i) & (pairs - 1));
      const index = this.children + pair;
      if (this.words.load(index) !== Pair.FULL) continue;
      if (this.words.cas(index, Pair.FULL, Pair.HUGE) === Pair.FULL) return pair * 2 * CHILD_FRAMES;
    }
    return AllocError.Memory;
  }

  /**
   * CAS loop: an entirely free child becomes huge. Starts from the value this thread last wrote
   * to the pair if it is that pair (bulk gets take both children of a pair in a row), else from
   * a load: the search scans children that may be taken, and a load of a taken child is
   * cheaper than a failed CAS (and leaves the line shared). "Not free" is only decided on a
   * value read from the buffer.
   */
  private markHuge(child: number): boolean {
    const index = this.children + (child >>> 1);
    const shift = Pair.shift(child);
    let fresh = index !== this.lastIndex;
    let pair = fresh ? this.words.load(index) : this.lastValue;
    for (;;) {
      if (Pair.child(pair, shift) !== Child.FULL) {
        if (fresh) return false;
        pair = this.words.load(index);
        fresh = true;
        continue;
      }
      const next = Pair.withChild(pair, shift, Child.HUGE);
      const found = this.words.cas(index, pair, next);
      if (found === pair) return this.wrote(index, next);
      pair = found;
      fresh = true;
    }
  }

  /**
   * CAS loop: takes `size` from the child's counter if it has that many (huge children have 0).
   * Starts from the value this thread last wrote to the pair if it is that pair (bulk and repeat
   * work stay in one child), else from a load; "too few" is only decided on a value read from
   * the buffer. One loop rather than a peeled first iteration: it is less bytecode, so V8 inlines
   * it (and more of the path around it) into the callers.
   */
  private decrement(child: number, size: number): boolean {
    const index = this.children + (child >>> 1);
    const shift = Pair.shift(child);
    let guess = index === this.lastIndex;
    let pair = guess ? this.lastValue : this.words.load(index);
    for (;;) {
      if (Child.free(Pair.child(pair, shift)) >= size) {
        const next = (pair - (size << shift)) | 0;
        const found = this.words.cas(index, pair, next);
        if (found === pair) return this.wrote(index, next);
        pair = found;
      } else if (guess) {
        pair = this.words.load(index);
      } else {
        return false;
      }
      guess = false;
    }
  }

  /**
   * Gives `size` back to a child's counter. A plain fetch-add suffices: the caller owns `size`
   * frames of this child whose bits are clear, so the child is neither huge nor full.
   */
  private increment(child: number, size: number): void {
    const index = this.children + (child >>> 1);
    const delta = size << Pair.shift(child);
    this.wrote(index, (this.words.add(index, delta) + delta) | 0);
  }

  /** Remembers the value this thread wrote to a pair word: the next CAS's guess there. */
  private wrote(index: number, value: number): true {
    this.lastIndex = index;
    this.lastValue = value;
    return true;
  }

  /**
   * Before a small free inside a huge child, turns the huge frame into 512 allocated bits
   * (partial free of a huge frame); returns at once if the child is not huge. The CAS winner
   * moves the child to "splitting", fills the bitfield word by word, then clears the flag. A
   * concurrent free of another part of the same huge frame either finds its word filled and
   * just frees (put tries the bits first), or waits here for the fill (ATC'23 waits too).
   * Natively the winner is running, so the wait is short; in the simulator an operation runs to
   * completion, so nobody ever sees "splitting". recover.ts finishes a split cut short.
   */
  private unlockChild(child: number, index: number, shift: number): void {
    let pair = this.words.load(index);
    for (;;) {
      const entry = Pair.child(pair, shift);
      if (!Child.locked(entry)) return;
      if (entry === Child.HUGE) {
        const found = this.words.cas(index, pair, Pair.withChild(pair, shift, Child.SPLITTING));
        if (found === pair) {
          this.bits.fill(child);
          this.words.sub(index, Child.SPLITTING << shift);
          return;
        }
        pair = found;
      } else {
        pair = this.words.load(index);
      }
    }
  }
}
