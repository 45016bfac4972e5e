// One level of every core's TLB (Tlb's L1 and L2): sets × ways slots per core in typed arrays,
// entries keyed by (virtual page, size code), LRU replacement. Invariants: an entry is valid
// only when its generation equals its core's (so a full flush is O(1)); each set's valid
// entries form one recency list, least recently used first, so choosing a victim needs no scan
// of the set; a presence count per (core, hash bucket) equals the number of valid entries that
// hash there, so a lookup of a page the core does not hold skips the scan of its set.
//
// Why lists and counts rather than per-slot timestamps: a fully associative L1 (72 entries on
// Zen 4) was scanned whole on every miss and on every fill, and TLB shootdowns ask every core
// whether it holds a page (mostly not): the scans were ~10–25 % of the host time of the fault-
// heavy benchmarks. The replacement order is unchanged: the victim is the set's lowest-indexed
// invalid slot if it has one, else its least recently used entry, as the timestamp scan chose.

import { FLAG_SPAN, frameInPage } from './pte.js';

/** Page sizes by size code (tag = page number × 4 + size code). */
export const SIZES = [4096, 2 ** 21, 2 ** 30];
export const SIZE_CODES = 3;
const EMPTY = -1;
const NONE = -1;

export class TlbLevel {
  readonly sets: number;
  /** Page number × 4 + size code; EMPTY when invalidated. */
  readonly tags: Float64Array;
  readonly codes: Uint8Array;
  /** Leaf entry of the page (first frame × 4096 + flags). */
  readonly leaves: Float64Array;
  readonly gens: Float64Array;
  /** Valid entries per core and size code. */
  readonly counts: Int32Array;
  /** Recency list links per slot (slot indices, NONE at the ends). */
  private readonly older: Int32Array;
  private readonly newer: Int32Array;
  /** Per (core, set): least and most recently used valid slot, NONE when the list is empty. */
  private readonly lru: Int32Array;
  private readonly mru: Int32Array;
  /** Per (core, set): valid entries. */
  private readonly valid: Int32Array;
  /** Per (core, set): every slot below first + validBelow is valid. */
  private readonly validBelow: Int32Array;
  /** Per (core, set): the generation the three arrays above describe (reset lazily). */
  private readonly setGens: Float64Array;
  /**
   * Way predictor: per core, a slot index by hash of (page, size), checked before scanning the
   * set. Only a hint (verified against the slot's tag), so it never changes a result; it makes
   * hits in a wide (fully associative) level O(1).
   */
  private readonly hints: Int32Array;
  /** Valid entries per hint bucket, meaningful only when presentGens matches the core's. */
  private readonly present: Int32Array;
  private readonly presentGens: Float64Array;
  private readonly hintMask: number;

  constructor(
    cores: number,
    entries: number,
    readonly ways: number,
    name: string,
  ) {
    if (!Number.isInteger(entries) || entries < 1) {
      throw new RangeError(`TLB ${name} entries ${entries} must be a positive integer`);
    }
    if (!Number.isInteger(ways) || ways < 1 || entries % ways !== 0) {
      throw new RangeError(`TLB ${name} ways ${ways} must be a positive divisor of ${entries}`);
    }
    this.sets = entries / ways;
    this.tags = new Float64Array(cores * entries).fill(EMPTY);
    this.codes = new Uint8Array(cores * entries);
    this.leaves = new Float64Array(cores * entries);
    this.gens = new Float64Array(cores * entries);
    this.counts = new Int32Array(cores * SIZE_CODES);
    this.older = new Int32Array(cores * entries);
    this.newer = new Int32Array(cores * entries);
    const sets = cores * this.sets;
    this.lru = new Int32Array(sets).fill(NONE);
    this.mru = new Int32Array(sets).fill(NONE);
    this.valid = new Int32Array(sets);
    this.validBelow = new Int32Array(sets);
    this.setGens = new Float64Array(sets);
    const hintSize = 2 ** Math.ceil(Math.log2(2 * entries));
    this.hintMask = hintSize - 1;
    // Every hint starts at a slot of its own core, so a guess never reads another core's entry.
    this.hints = new Int32Array(cores * hintSize);
    for (let core = 0; core < cores; core++) {
      this.hints.fill(core * entries, core * hintSize, (core + 1) * hintSize);
    }
    this.present = new Int32Array(cores * hintSize);
    this.presentGens = new Float64Array(cores * hintSize);
  }

  private hint(core: number, page: number, code: number): number {
    return (core * (this.hintMask + 1)) | ((page ^ (code << 7)) & this.hintMask);
  }

  /** First slot of the set of `page` for `core` (division, not `%`: no fmod on large pages). */
  private setStart(core: number, page: number): number {
    const sets = this.sets;
    return (core * sets + (page - Math.floor(page / sets) * sets)) * this.ways;
  }

  /**
   * Slot of the valid entry `tag` (hint bucket `bucket`) in the set starting at `first`, or
   * NONE: the way predictor's guess first, then, only if the bucket counts a valid entry, the set.
   */
  private lookupTag(first: number, tag: number, gen: number, bucket: number): number {
    const tags = this.tags;
    const gens = this.gens;
    const guess = this.hints[bucket];
    if (tags[guess] === tag && gens[guess] === gen) return guess;
    if (this.present[bucket] === 0 || this.presentGens[bucket] !== gen) return NONE;
    const end = first + this.ways;
    for (let slot = first; slot < end; slot++) {
      if (tags[slot] === tag && gens[slot] === gen) {
        this.hints[bucket] = slot;
        return slot;
      }
    }
    return NONE;
  }

  /** Slot holding `va` for `core`, or NONE. */
  find(core: number, gen: number, va: number): number {
    const counts = this.counts;
    for (let code = 0; code < SIZE_CODES; code++) {
      if (counts[core * SIZE_CODES + code] === 0) continue;
      const page = Math.floor(va / SIZES[code]);
      const bucket = this.hint(core, page, code);
      const slot = this.lookupTag(this.setStart(core, page), page * 4 + code, gen, bucket);
      if (slot !== NONE) return slot;
    }
    return NONE;
  }

  /** Marks the valid entry in `slot` most recently used. */
  touch(slot: number): void {
    const set = (slot / this.ways) | 0;
    if (this.mru[set] === slot) return;
    this.unlink(set, slot);
    this.append(set, slot);
  }

  /** Inserts or refreshes the entry, evicting the set's least recently used valid entry. */
  insert(core: number, gen: number, va: number, code: number, leaf: number): void {
    const page = Math.floor(va / SIZES[code]);
    const tag = page * 4 + code;
    const first = this.setStart(core, page);
    const set = (first / this.ways) | 0;
    if (this.setGens[set] !== gen) this.resetSet(set, gen);
    const bucket = this.hint(core, page, code);
    const slot = this.lookupTag(first, tag, gen, bucket);
    if (slot !== NONE) {
      this.leaves[slot] = leaf;
      this.touch(slot);
      return;
    }
    let victim: number;
    if (this.valid[set] < this.ways) {
      victim = first + this.validBelow[set];
      while (this.gens[victim] === gen && this.tags[victim] !== EMPTY) victim++;
      this.validBelow[set] = victim - first + 1;
      this.valid[set]++;
    } else {
      victim = this.lru[set];
      this.unlink(set, victim);
      this.drop(core, victim);
    }
    this.tags[victim] = tag;
    this.codes[victim] = code;
    this.leaves[victim] = leaf;
    this.gens[victim] = gen;
    this.counts[core * SIZE_CODES + code]++;
    if (this.presentGens[bucket] !== gen) {
      this.presentGens[bucket] = gen;
      this.present[bucket] = 0;
    }
    this.present[bucket]++;
    this.hints[bucket] = victim;
    this.append(set, victim);
  }

  /** Drops every entry of `core` covering `va`; returns how many. */
  remove(core: number, gen: number, va: number): number {
    let removed = 0;
    for (let slot = this.find(core, gen, va); slot >= 0; slot = this.find(core, gen, va)) {
      const set = (slot / this.ways) | 0;
      this.unlink(set, slot);
      this.drop(core, slot);
      this.tags[slot] = EMPTY;
      this.valid[set]--;
      const index = slot - set * this.ways;
      if (index < this.validBelow[set]) this.validBelow[set] = index;
      removed++;
    }
    return removed;
  }

  /** Translation word of `va` from the entry in `slot`. */
  word(slot: number, va: number): number {
    return this.leaves[slot] + frameInPage(va, SIZES[this.codes[slot]]) * FLAG_SPAN;
  }

  clear(core: number): void {
    this.counts.fill(0, core * SIZE_CODES, (core + 1) * SIZE_CODES);
  }

  /** Takes the valid entry in `slot` out of its core's counts (before it is overwritten). */
  private drop(core: number, slot: number): void {
    const code = this.codes[slot];
    this.counts[core * SIZE_CODES + code]--;
    this.present[this.hint(core, (this.tags[slot] - code) / 4, code)]--;
  }

  /** Starts the set's bookkeeping afresh for a new generation: no slot of it is valid. */
  private resetSet(set: number, gen: number): void {
    this.setGens[set] = gen;
    this.lru[set] = NONE;
    this.mru[set] = NONE;
    this.valid[set] = 0;
    this.validBelow[set] = 0;
  }

  private unlink(set: number, slot: number): void {
    const older = this.older[slot];
    const newer = this.newer[slot];
    if (older === NONE) this.lru[set] = newer;
    else this.newer[older] = newer;
    if (newer === NONE) this.mru[set] = older;
    else this.older[newer] = older;
  }

  private append(set: number, slot: number): void {
    const last = this.mru[set];
    this.older[slot] = last;
    this.newer[slot] = NONE;
    if (last === NONE) this.lru[set] = slot;
    else this.newer[last] = slot;
    this.mru[set] = slot;
  }
}
