// The bitfields of the lower level: one bit per frame (1 = allocated), 512 bits per child in 16
// 32-bit words (one cache line). A block of order k is 2^k naturally aligned bits.
//
// Orders 0..5 lie inside one word and are claimed or released with one CAS (llfree-rs
// `first_zeros_aligned`, with the has-zero bithacks scaled to 32-bit words); a single frame
// (order 0) with one fetch-or / fetch-and instead, which changes nothing when the bit was
// already as wanted (so a lost race or a bad free leaves the word as it was) and, unlike a
// CAS, does not fail when another frame of the same word changed meanwhile. Orders 6..8 span
// 2, 4 or 8 whole words, claimed word by word 0 -> ~0; if a later word is taken the earlier ones
// are rolled back (the later llfree-c fix "Undo bitfield changes on error"), so a failed claim
// leaves no bit behind. A release checks every word first and only then clears, so a bad free
// changes nothing. Multi-word operations are therefore not atomic as a unit, only as a result.
//
// Every single-word update is the same CAS loop, started from a guess: the value this thread
// last wrote to that word, if it is the same word (bulk and repeat work hit one word 32 times in
// a row), else a fresh load. A stale guess only costs a failed CAS, which returns the current
// value; a decision to give up is only ever taken on a value that was actually read.

import type { AtomicWords } from '@unimem/hw';
import { BITFIELD_WORDS } from './layout.js';

/** Mask keeping the first bit of each naturally aligned run of 2^order bits in a word. */
const RUN_STARTS = new Int32Array([-1, 0x55555555, 0x11111111, 0x01010101, 0x00010001, 1]);

/**
 * Bits of `word` that start a free aligned run of 2^order zero bits (order <= 5): the
 * "has zero nibble/byte/halfword" trick, folding the inverted word onto itself.
 */
function freeRuns(word: number, order: number): number {
  let zeros = ~word;
  if (order >= 1) zeros &= zeros >>> 1;
  if (order >= 2) zeros &= zeros >>> 2;
  if (order >= 3) zeros &= zeros >>> 4;
  if (order >= 4) zeros &= zeros >>> 8;
  if (order >= 5) zeros &= zeros >>> 16;
  return zeros & RUN_STARTS[order];
}

/** Index of the lowest set bit of a non-zero word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** Mask of 2^order bits starting at `bit` (order <= 5). */
function runMask(order: number, bit: number): number {
  return order === 5 ? -1 : (((1 << (1 << order)) - 1) << bit) | 0;
}

/** Number of set bits in a 32-bit word. */
export function popcount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export class Bitfields {
  /** The word this thread last wrote, and what it wrote there (the next CAS's guess). */
  private lastIndex = -1;
  private lastValue = 0;

  constructor(
    private readonly words: AtomicWords,
    /** Word offset of child 0's bitfield. */
    private readonly base: number,
  ) {}

  /**
   * Claims a free aligned block of `order` (< 9) inside `child`, scanning rows from `startRow`
   * (wrapping). Returns the frame, or -1 when no run is free.
   */
  claim(child: number, startRow: number, order: number): number {
    if (order > 5) return this.claimWords(child, startRow, order);
    const first = this.base + child * BITFIELD_WORDS;
    for (let i = 0; i < BITFIELD_WORDS; i++) {
      const row = (startRow + i) & (BITFIELD_WORDS - 1);
      const bit = order === 0 ? this.claimBit(first + row) : this.claimInWord(first + row, order);
      if (bit >= 0) return child * 512 + row * 32 + bit;
    }
    return -1;
  }

  /** claim for orders 6..8: whole words from `startRow` rounded down to the block's span. */
  private claimWords(child: number, startRow: number, order: number): number {
    const first = this.base + child * BITFIELD_WORDS;
    const span = 1 << (order - 5);
    const start = startRow & ~(span - 1);
    for (let i = 0; i < BITFIELD_WORDS; i += span) {
      const row = (start + i) & (BITFIELD_WORDS - 1);
      if (this.claimSpan(first + row, span)) return child * 512 + row * 32;
    }
    return -1;
  }

  /** Claims exactly the block at `frame`; false (nothing changed) if any bit is taken. */
  claimAt(frame: number, order: number): boolean {
    const index = this.base + (frame >>> 5);
    if (order > 5) return this.claimSpan(index, 1 << (order - 5));
    const mask = runMask(order, frame & 31);
    let fresh = index !== this.lastIndex;
    let word = fresh ? this.words.load(index) : this.lastValue;
    for (;;) {
      if ((word & mask) !== 0) {
        if (fresh) return false;
        word = this.words.load(index);
        fresh = true;
        continue;
      }
      const found = this.words.cas(index, word, word | mask);
      if (found === word) return this.wrote(index, word | mask);
      word = found;
      fresh = true;
    }
  }

  /** Releases the block at `frame`; false (nothing changed) unless every bit was allocated. */
  release(frame: number, order: number): boolean {
    const index = this.base + (frame >>> 5);
    if (order === 0) {
      // One frame: a fetch-and clears its bit and tells whether it was set; if it was not, the
      // word is unchanged (and-ing a clear bit), so a bad free changes nothing. Unlike a CAS it
      // cannot fail because another frame of the word changed meanwhile.
      const bit = 1 << (frame & 31);
      const old = this.words.and(index, ~bit);
      this.wrote(index, old & ~bit);
      return (old & bit) !== 0;
    }
    if (order > 5) return this.releaseWords(index, 1 << (order - 5));
    return this.releaseRun(index, runMask(order, frame & 31));
  }

  /** CAS loop: clears the bits of `mask` in one word if all of them are set. */
  private releaseRun(index: number, mask: number): boolean {
    let fresh = index !== this.lastIndex;
    let word = fresh ? this.words.load(index) : this.lastValue;
    for (;;) {
      if ((word & mask) !== mask) {
        if (fresh) return false;
        word = this.words.load(index);
        fresh = true;
        continue;
      }
      const found = this.words.cas(index, word, word & ~mask);
      if (found === word) return this.wrote(index, word & ~mask);
      word = found;
      fresh = true;
    }
  }

  /** True when every bit of the block is free (racy under concurrent use). */
  isFree(frame: number, order: number): boolean {
    const index = this.base + (frame >>> 5);
    if (order > 5) {
      for (let i = 0; i < 1 << (order - 5); i++) if (this.words.load(index + i) !== 0) return false;
      return true;
    }
    const mask = runMask(order, frame & 31);
    return (this.words.load(index) & mask) === 0;
  }

  /** Sets every bit of `child` (the owner of a splitting huge frame does this alone). */
  fill(child: number): void {
    const first = this.base + child * BITFIELD_WORDS;
    for (let i = 0; i < BITFIELD_WORDS; i++) this.words.store(first + i, -1);
  }

  /** Clears every bit of `child` (recovery, initialisation). */
  clear(child: number): void {
    const first = this.base + child * BITFIELD_WORDS;
    for (let i = 0; i < BITFIELD_WORDS; i++) this.words.store(first + i, 0);
  }

  /**
   * Sets the bits of `child` from `fromBit` to its end (tail beyond the last frame), keeping the
   * bits below it (recovery runs this over a bitfield in use).
   */
  fillFrom(child: number, fromBit: number): void {
    const first = this.base + child * BITFIELD_WORDS;
    for (let i = 0; i < BITFIELD_WORDS; i++) {
      const lo = i * 32;
      if (fromBit <= lo) this.words.store(first + i, -1);
      else if (fromBit < lo + 32) this.words.or(first + i, (-1 << (fromBit - lo)) | 0);
    }
  }

  /** Sets the all-zero words at the end of `child`'s bitfield to ones (recovery of a split). */
  fillTrailingZeroWords(child: number): void {
    const first = this.base + child * BITFIELD_WORDS;
    for (let i = BITFIELD_WORDS - 1; i >= 0 && this.words.load(first + i) === 0; i--) {
      this.words.store(first + i, -1);
    }
  }

  /** Number of free (zero) bits of `child`. */
  countFree(child: number): number {
    const first = this.base + child * BITFIELD_WORDS;
    let free = 0;
    for (let i = 0; i < BITFIELD_WORDS; i++) free += 32 - popcount(this.words.load(first + i));
    return free;
  }

  /** True when no bit of `child` is set. */
  isClear(child: number): boolean {
    const first = this.base + child * BITFIELD_WORDS;
    for (let i = 0; i < BITFIELD_WORDS; i++) if (this.words.load(first + i) !== 0) return false;
    return true;
  }

  /** CAS loop claiming the lowest free aligned run of `order` (1..5) in a word: its bit or -1. */
  private claimInWord(index: number, order: number): number {
    let fresh = index !== this.lastIndex;
    let word = fresh ? this.words.load(index) : this.lastValue;
    for (;;) {
      const runs = freeRuns(word, order);
      if (runs === 0) {
        if (fresh) return -1;
        word = this.words.load(index);
        fresh = true;
        continue;
      }
      const bit = lowestBit(runs);
      const next = word | runMask(order, bit);
      const found = this.words.cas(index, word, next);
      if (found === word) {
        this.wrote(index, next);
        return bit;
      }
      word = found;
      fresh = true;
    }
  }

  /**
   * Claims one free bit of a word with a fetch-or: if the bit was already set (another thread
   * took it since the value this choice came from), or-ing it changed nothing and the returned
   * word is the fresh value to choose again from. Returns the bit, or -1 when a value read from
   * the buffer has no free bit.
   */
  private claimBit(index: number): number {
    let guess = index === this.lastIndex;
    let word = guess ? this.lastValue : this.words.load(index);
    for (;;) {
      if (word !== -1) {
        const bit = lowestBit(~word);
        const old = this.words.or(index, 1 << bit);
        this.wrote(index, old | (1 << bit));
        if ((old & (1 << bit)) === 0) return bit;
        word = old | (1 << bit);
      } else if (guess) {
        word = this.words.load(index);
      } else {
        return -1;
      }
      guess = false;
    }
  }

  /** Remembers a successful single-word write as the next guess. */
  private wrote(index: number, value: number): true {
    this.lastIndex = index;
    this.lastValue = value;
    return true;
  }

  /** Claims `span` whole words 0 -> ~0, rolling back the earlier ones if one is taken. */
  private claimSpan(index: number, span: number): boolean {
    for (let i = 0; i < span; i++) if (this.words.load(index + i) !== 0) return false;
    for (let i = 0; i < span; i++) {
      if (this.words.cas(index + i, 0, -1) !== 0) {
        // Words before i are ours alone (all bits set by us): nobody else can change them.
        for (let j = 0; j < i; j++) this.words.store(index + j, 0);
        return false;
      }
    }
    return true;
  }

  /** Releases `span` whole words ~0 -> 0 after checking that all of them are allocated. */
  private releaseWords(index: number, span: number): boolean {
    for (let i = 0; i < span; i++) if (this.words.load(index + i) !== -1) return false;
    for (let i = 0; i < span; i++) {
      if (this.words.cas(index + i, -1, 0) !== -1) {
        // Only a concurrent double free gets here: restore what we cleared, where still clear.
        for (let j = 0; j < i; j++) this.words.cas(index + j, 0, -1);
        return false;
      }
    }
    return true;
  }
}
