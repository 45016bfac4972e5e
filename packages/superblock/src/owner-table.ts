// The superblock owner table (OSv `std::array<std::atomic_uint8_t, 32768> superblocks`): one
// byte per superblock, four to a 32-bit word of an AtomicWords, so a 64-byte line holds 64
// entries as in OSv. Entries change only by compare-and-swap, so cores claim superblocks without
// a lock.
//
// Invariant: an entry is FREE (in the global pool), RESERVED (a claim in progress by exactly one
// caller, which will either set the owner or put FREE back before it returns), or owned by one
// core. A failed claim puts back every marker it set, RESERVED ones included (OSv's
// `release_superblocks` cannot undo its reserved markers, docs/reference/osv.md §2). FREE is 0, so a zeroed
// buffer is an all-free table.

import type { AtomicWords } from '@unimem/hw';

const ENTRY_MASK = 0xff;

/** Owner-table entries as values with named accessors; no masks outside this object. */
export const Entry = {
  FREE: 0,
  RESERVED: 0xff,
  /** The entry naming `core` as owner. */
  owned(core: number): number {
    return core + 1;
  },
  isOwned(entry: number): boolean {
    return entry !== 0 && entry !== 0xff;
  },
  /** The owner core of an owned entry. */
  core(entry: number): number {
    return entry - 1;
  },
} as const;

export class OwnerTable {
  /** Number of superblocks (entries). */
  readonly count: number;
  readonly words: AtomicWords;

  constructor(count: number, makeWords: (buffer: SharedArrayBuffer) => AtomicWords) {
    this.count = count;
    const buffer = new SharedArrayBuffer(OwnerTable.bytesFor(count));
    this.words = makeWords(buffer);
    if (this.words.length * 4 < count) {
      throw new RangeError(
        `words(buffer) has ${this.words.length} words; the owner table of ${count} superblocks needs ${Math.ceil(count / 4)}`,
      );
    }
  }

  /** Buffer bytes for `count` entries, rounded up to whole cache lines. */
  static bytesFor(count: number): number {
    return Math.ceil(count / 64) * 64;
  }

  entry(index: number): number {
    return (this.words.load(index >> 2) >>> ((index & 3) << 3)) & ENTRY_MASK;
  }

  /**
   * Sets entry `index` from `expected` to `value` if it holds `expected`; true on success. A CAS
   * of the whole word that fails only because a neighbouring entry changed is retried.
   */
  cas(index: number, expected: number, value: number): boolean {
    const word = index >> 2;
    const shift = (index & 3) << 3;
    const mask = ENTRY_MASK << shift;
    for (;;) {
      const old = this.words.load(word);
      if (((old >>> shift) & ENTRY_MASK) !== expected) return false;
      const next = (old & ~mask) | (value << shift);
      if (this.words.cas(word, old, next) === old) return true;
    }
  }

  /**
   * Claims `n` contiguous free superblocks for `core` and returns the first index, or -1 when no
   * free run exists. A run may only start at an index i with (i + phase) % stride === 0 (for
   * alignments above 1 GiB). A single superblock is CASed free → owner; a longer run free →
   * reserved entry by entry, then every entry is set to the owner (OSv `allocate_superblocks`).
   * A lost CAS releases what this call set and the scan goes on behind the lost entry.
   */
  claimRun(core: number, n: number, stride: number, phase: number): number {
    const marker = n === 1 ? Entry.owned(core) : Entry.RESERVED;
    let from = 0;
    for (;;) {
      const start = this.findFreeRun(n, from, stride, phase);
      if (start < 0) return -1;
      const taken = this.reserve(start, n, marker);
      if (taken === n) {
        if (n > 1) this.setOwner(start, n, core);
        return start;
      }
      from = start + taken + 1;
    }
  }

  /** Puts entry `index` back into the global pool; false if `core` did not own it. */
  release(index: number, core: number): boolean {
    return this.cas(index, Entry.owned(core), Entry.FREE);
  }

  /** Turns the reserved entries [start, start + n) into entries owned by `core`. */
  setOwner(start: number, n: number, core: number): void {
    const owned = Entry.owned(core);
    for (let k = start; k < start + n; k++) this.cas(k, Entry.RESERVED, owned);
  }

  /** Counts entries: [free, reserved] (a racy snapshot under concurrency). */
  countUnowned(): [number, number] {
    let free = 0;
    let reserved = 0;
    for (let i = 0; i < this.count; i++) {
      const entry = this.entry(i);
      if (entry === Entry.FREE) free++;
      else if (entry === Entry.RESERVED) reserved++;
    }
    return [free, reserved];
  }

  /** First index of `n` free entries at or after `from` (respecting stride), or -1. */
  private findFreeRun(n: number, from: number, stride: number, phase: number): number {
    let word = 0;
    let runStart = -1;
    let runLength = 0;
    for (let i = from; i < this.count; i++) {
      if (i === from || (i & 3) === 0) word = this.words.load(i >> 2);
      if (((word >>> ((i & 3) << 3)) & ENTRY_MASK) !== Entry.FREE) {
        runLength = 0;
        continue;
      }
      if (runLength === 0) {
        if ((i + phase) % stride !== 0) continue;
        runStart = i;
      }
      if (++runLength === n) return runStart;
    }
    return -1;
  }

  /**
   * CASes [start, start + n) from FREE to `marker` in order. Returns n on success; otherwise
   * the offset of the entry that was lost, after putting FREE back into every entry it set.
   */
  private reserve(start: number, n: number, marker: number): number {
    for (let k = 0; k < n; k++) {
      if (this.cas(start + k, Entry.FREE, marker)) continue;
      for (let j = 0; j < k; j++) this.cas(start + j, marker, Entry.FREE);
      return k;
    }
    return n;
  }
}
