// Per-core data TLBs: a first level (L1, fully associative by default, as Zen's L1 DTLB) and a
// second level (L2, set-associative), both LRU, entries keyed by (virtual page, page size) so a
// 2 MiB or 1 GiB entry covers its whole page (one level of every core: tlb-level.ts).
// Invariant: an entry is valid only when its generation equals its core's, so flushAll (a CR3
// reload) is O(1); per-core counts of valid entries per page size let a lookup skip sizes the
// core holds none of.
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
import { SIZE_CODES, SIZES, TlbLevel } from './tlb-level.js';

/** Returned by `lookup` when neither level holds the address. */
export const TLB_MISS = -1;

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

export class Tlb {
  readonly l1Entries: number;
  readonly l2Entries: number;
  private readonly l1: TlbLevel;
  private readonly l2: TlbLevel;
  /** Per-core generation: entries of older generations are invalid. */
  private readonly gens: Float64Array;
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
      l1.touch(slot);
      counters.add(core, this.cHits);
      return l1.word(slot, va);
    }
    const l2 = this.l2;
    slot = l2.find(core, gen, va);
    if (slot < 0) {
      counters.add(core, this.cMisses);
      return TLB_MISS;
    }
    l2.touch(slot);
    l1.insert(core, gen, va, l2.codes[slot], l2.leaves[slot]);
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
    this.l2.insert(core, gen, va, code, leaf);
    this.l1.insert(core, gen, va, code, leaf);
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
