// Per-core data TLBs: a first level (L1, fully associative by default, as Zen's L1 DTLB) and a
// second level (L2, set-associative), both LRU, entries keyed by (virtual page, page size) so a
// 2 MiB or 1 GiB entry covers its whole page. Invariant: an entry is valid only when its
// generation equals its core's, so flushAll (a CR3 reload) is O(1); per-core counts of valid
// entries per page size let a lookup skip sizes the core holds none of.
//
// Costs: an L1 hit is free (it overlaps the access the caller charges); an L1 miss that hits L2
// costs l2HitCycles (default: the profile's l2Hit, a proxy for a second-level lookup [E]) and
// refills L1; a miss costs nothing here, the caller walks (PageTable.walk) and inserts. INVLPG
// and full flushes charge the profile's invlpg and tlbFlushFull. No ASIDs/PCIDs: one address
// space, as in a unikernel; a per-process flush is a full flush.

import type { Machine } from './machine.js';
import type { PageTable } from './page-table.js';
import {
  FLAG_MASK,
  FLAG_SPAN,
  frameInPage,
  NO_TRANSLATION,
  type PageSize,
  PteFlag,
} from './pte.js';

/** Returned by `lookup` when neither level holds the address. */
export const TLB_MISS = -1;

/** Page sizes by size code (tag = page number × 4 + size code). */
const SIZES = [4096, 2 ** 21, 2 ** 30];
const SIZE_CODES = 3;
const EMPTY = -1;

export interface TlbOptions {
  /** L1 entries per core (default: the profile's tlbL1Entries). */
  l1Entries?: number;
  /** L2 entries per core (default: the profile's tlbL2Entries). */
  l2Entries?: number;
  /** L1 ways; must divide l1Entries (default: l1Entries, fully associative). */
  l1Ways?: number;
  /** L2 ways; must divide l2Entries (default 16 [E]). */
  l2Ways?: number;
  /** Cycles of an L1 miss that hits L2 (default: the profile's l2Hit [E]). */
  l2HitCycles?: number;
}

function sizeCode(size: number): number {
  const code = SIZES.indexOf(size);
  if (code < 0) throw new RangeError(`TLB page size ${size} is not 4 KiB, 2 MiB or 1 GiB`);
  return code;
}

/** One TLB level of every core: sets × ways slots per core in typed arrays. */
class TlbLevel {
  readonly sets: number;
  /** Page number × 4 + size code; EMPTY when invalidated. */
  readonly tags: Float64Array;
  readonly codes: Uint8Array;
  /** Leaf entry of the page (first frame × 4096 + flags). */
  readonly leaves: Float64Array;
  readonly gens: Float64Array;
  /** Per-core tick of the last use (LRU). */
  readonly stamps: Float64Array;
  /** Valid entries per core and size code. */
  readonly counts: Int32Array;
  /**
   * Way predictor: per core, a slot index by hash of (page, size), checked before scanning the
   * set. Only a hint (verified against the slot's tag), so it never changes a result; it makes
   * hits in a wide (fully associative) level O(1).
   */
  private readonly hints: Int32Array;
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
    this.stamps = new Float64Array(cores * entries);
    this.counts = new Int32Array(cores * SIZE_CODES);
    const hintSize = 2 ** Math.ceil(Math.log2(2 * entries));
    this.hintMask = hintSize - 1;
    // Every hint starts at a slot of its own core, so a guess never reads another core's entry.
    this.hints = new Int32Array(cores * hintSize);
    for (let core = 0; core < cores; core++) {
      this.hints.fill(core * entries, core * hintSize, (core + 1) * hintSize);
    }
  }

  private hint(core: number, page: number, code: number): number {
    return (core * (this.hintMask + 1)) | ((page ^ (code << 7)) & this.hintMask);
  }

  /** First slot of the set of `page` for `core` (division, not `%`: no fmod on large pages). */
  private setStart(core: number, page: number): number {
    const sets = this.sets;
    return (core * sets + (page - Math.floor(page / sets) * sets)) * this.ways;
  }

  /** Slot holding `va` for `core`, or -1. */
  find(core: number, gen: number, va: number): number {
    const counts = this.counts;
    const tags = this.tags;
    const gens = this.gens;
    for (let code = 0; code < SIZE_CODES; code++) {
      if (counts[core * SIZE_CODES + code] === 0) continue;
      const page = Math.floor(va / SIZES[code]);
      const tag = page * 4 + code;
      const hint = this.hint(core, page, code);
      const guess = this.hints[hint];
      if (tags[guess] === tag && gens[guess] === gen) return guess;
      const first = this.setStart(core, page);
      const end = first + this.ways;
      for (let slot = first; slot < end; slot++) {
        if (tags[slot] === tag && gens[slot] === gen) {
          this.hints[hint] = slot;
          return slot;
        }
      }
    }
    return -1;
  }

  /** Inserts or refreshes the entry, evicting the set's least recently used valid entry. */
  insert(core: number, gen: number, stamp: number, va: number, code: number, leaf: number): void {
    const page = Math.floor(va / SIZES[code]);
    const tag = page * 4 + code;
    const first = this.setStart(core, page);
    const end = first + this.ways;
    const tags = this.tags;
    const gens = this.gens;
    const stamps = this.stamps;
    let victim = first;
    let victimStamp = Number.POSITIVE_INFINITY;
    for (let slot = first; slot < end; slot++) {
      const valid = gens[slot] === gen && tags[slot] !== EMPTY;
      if (valid && tags[slot] === tag) {
        this.leaves[slot] = leaf;
        stamps[slot] = stamp;
        return;
      }
      const age = valid ? stamps[slot] : -1;
      if (age < victimStamp) {
        victim = slot;
        victimStamp = age;
      }
    }
    if (victimStamp >= 0) this.counts[core * SIZE_CODES + this.codes[victim]]--;
    tags[victim] = tag;
    this.codes[victim] = code;
    this.leaves[victim] = leaf;
    gens[victim] = gen;
    stamps[victim] = stamp;
    this.counts[core * SIZE_CODES + code]++;
    this.hints[this.hint(core, page, code)] = victim;
  }

  /** Drops every entry of `core` covering `va`; returns how many. */
  remove(core: number, gen: number, va: number): number {
    let removed = 0;
    for (let slot = this.find(core, gen, va); slot >= 0; slot = this.find(core, gen, va)) {
      this.counts[core * SIZE_CODES + this.codes[slot]]--;
      this.tags[slot] = EMPTY;
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
}

export class Tlb {
  readonly l1Entries: number;
  readonly l2Entries: number;
  private readonly l1: TlbLevel;
  private readonly l2: TlbLevel;
  /** Per-core generation: entries of older generations are invalid. */
  private readonly gens: Float64Array;
  /** Per-core use counter for LRU. */
  private readonly ticks: Float64Array;
  private readonly clocks: Float64Array;
  private readonly l2HitCycles: number;
  private readonly cHits: number;
  private readonly cL2Hits: number;
  private readonly cMisses: number;
  private readonly cFlushes: number;
  private readonly cInvlpgs: number;

  constructor(
    private readonly machine: Machine,
    options: TlbOptions = {},
  ) {
    const { profile, cores, counters } = machine;
    this.l1Entries = options.l1Entries ?? profile.tlbL1Entries.value;
    this.l2Entries = options.l2Entries ?? profile.tlbL2Entries.value;
    this.l1 = new TlbLevel(cores, this.l1Entries, options.l1Ways ?? this.l1Entries, 'L1');
    this.l2 = new TlbLevel(cores, this.l2Entries, options.l2Ways ?? 16, 'L2');
    this.l2HitCycles = options.l2HitCycles ?? machine.costs.l2Hit;
    if (!(this.l2HitCycles >= 0)) {
      throw new RangeError(`TLB l2HitCycles ${this.l2HitCycles} must be a non-negative number`);
    }
    this.gens = new Float64Array(cores).fill(1);
    this.ticks = new Float64Array(cores);
    this.clocks = machine.clocks;
    this.cHits = counters.define('tlbHits');
    this.cL2Hits = counters.define('tlbL2Hits');
    this.cMisses = counters.define('tlbMisses');
    this.cFlushes = counters.define('tlbFlushes');
    this.cInvlpgs = counters.define('tlbInvlpgs');
  }

  /** Translation word of `va` (as PageTable.walk returns it) from `core`'s TLB, or TLB_MISS. */
  lookup(core: number, va: number): number {
    const gen = this.gens[core];
    const l1 = this.l1;
    let slot = l1.find(core, gen, va);
    const counters = this.machine.counters;
    if (slot >= 0) {
      l1.stamps[slot] = ++this.ticks[core];
      counters.add(core, this.cHits);
      return l1.word(slot, va);
    }
    const l2 = this.l2;
    slot = l2.find(core, gen, va);
    if (slot < 0) {
      counters.add(core, this.cMisses);
      return TLB_MISS;
    }
    const stamp = ++this.ticks[core];
    l2.stamps[slot] = stamp;
    l1.insert(core, gen, stamp, va, l2.codes[slot], l2.leaves[slot]);
    this.clocks[core] += this.l2HitCycles;
    counters.add(core, this.cHits);
    counters.add(core, this.cL2Hits);
    return l2.word(slot, va);
  }

  /** Fills both levels of `core` with the translation `word` of `va` for a page of `size`. */
  insert(core: number, va: number, size: PageSize, word: number): void {
    const code = sizeCode(size);
    const leaf = word - frameInPage(va, size) * FLAG_SPAN;
    const gen = this.gens[core];
    const stamp = ++this.ticks[core];
    this.l2.insert(core, gen, stamp, va, code, leaf);
    this.l1.insert(core, gen, stamp, va, code, leaf);
  }

  /**
   * Address translation as the MMU does it: TLB lookup, on a miss the page walk of `table` and a
   * fill. A write through an entry whose page is writable but not yet Dirty walks again to set
   * Dirty, as the hardware does. Returns the translation word or NO_TRANSLATION.
   */
  translate(core: number, va: number, table: PageTable, write = false): number {
    let word = this.lookup(core, va);
    if (word !== TLB_MISS) {
      const flags = word & FLAG_MASK;
      if (!write || (flags & (PteFlag.Writable | PteFlag.Dirty)) !== PteFlag.Writable) return word;
    }
    word = table.walk(core, va, write);
    if (word !== NO_TRANSLATION) this.insert(core, va, table.walkSize, word);
    return word;
  }

  /** INVLPG on `core`: drops the entries covering `va` from both levels. */
  invlpg(core: number, va: number): void {
    const gen = this.gens[core];
    this.l1.remove(core, gen, va);
    this.l2.remove(core, gen, va);
    this.clocks[core] += this.machine.costs.invlpg;
    this.machine.counters.add(core, this.cInvlpgs);
  }

  /** Full flush of `core`'s TLB (CR3 reload): O(1) by a new generation. */
  flushAll(core: number): void {
    this.gens[core]++;
    this.l1.clear(core);
    this.l2.clear(core);
    this.clocks[core] += this.machine.costs.tlbFlushFull;
    this.machine.counters.add(core, this.cFlushes);
  }

  /** Whether `core`'s TLB holds `va` (1 = L1, 2 = L2 only, 0 = neither); charges nothing. */
  holds(core: number, va: number): 0 | 1 | 2 {
    const gen = this.gens[core];
    if (this.l1.find(core, gen, va) >= 0) return 1;
    return this.l2.find(core, gen, va) >= 0 ? 2 : 0;
  }

  /** Valid entries of `core` in L1 and L2. */
  occupancy(core: number): { l1: number; l2: number } {
    let l1 = 0;
    let l2 = 0;
    for (let code = 0; code < SIZE_CODES; code++) {
      l1 += this.l1.counts[core * SIZE_CODES + code];
      l2 += this.l2.counts[core * SIZE_CODES + code];
    }
    return { l1, l2 };
  }
}
