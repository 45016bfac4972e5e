// The resident set of vmcache (Leis et al., SIGMOD 2023, §3.3 "Page replacement"): an
// open-addressing hash set of the page ids that are resident, sized to a power of two of at
// least 1.5 × the pool, whose slots the clock hand sweeps to find eviction candidates. Entries
// are claimed and released with CAS (empty and tombstone slots can be claimed), and the hand is
// one shared word advanced by fetch-add of a batch, so concurrent evicting cores sweep disjoint
// slot ranges. Invariant: a page id is in at most one slot; an empty slot ends every probe.

import type { AtomicWords } from '@unimem/hw';

const EMPTY = 0;
const TOMBSTONE = -1;

/** Slots needed for `pool` resident pages: a power of two ≥ 1.5 × pool. */
export function residentSlots(pool: number): number {
  let slots = 1;
  while (slots < pool * 1.5) slots *= 2;
  return slots;
}

function hashOf(pid: number): number {
  // murmur3's 32-bit finaliser: neighbouring page ids land far apart.
  let h = pid | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85eb_ca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2_ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class ResidentSet {
  private readonly mask: number;

  /**
   * `slots` words of `entries` (pid + 1, 0 empty, -1 tombstone) and one word of `hand` (the
   * clock position; on its own line).
   */
  constructor(
    private readonly entries: AtomicWords,
    private readonly hand: AtomicWords,
    readonly slots: number,
  ) {
    if (!(slots > 0 && (slots & (slots - 1)) === 0) || entries.length < slots) {
      throw new RangeError(`resident set slots ${slots} must be a power of two within the words`);
    }
    this.mask = slots - 1;
  }

  /** Adds a page id that is not in the set. */
  insert(pid: number): void {
    const entries = this.entries;
    const value = pid + 1;
    for (let i = hashOf(pid), n = 0; n <= this.mask; i++, n++) {
      const slot = i & this.mask;
      const seen = entries.load(slot);
      if (seen === EMPTY || seen === TOMBSTONE) {
        if (entries.cas(slot, seen, value) === seen) return;
        n--; // the slot changed under us: look at it again
        i--;
      }
    }
    throw new Error(`resident set: no free slot for page ${pid} (more resident pages than slots)`);
  }

  /** Removes a page id; false when it was not in the set. */
  remove(pid: number): boolean {
    const entries = this.entries;
    const value = pid + 1;
    for (let i = hashOf(pid), n = 0; n <= this.mask; i++, n++) {
      const slot = i & this.mask;
      const seen = entries.load(slot);
      if (seen === EMPTY) return false;
      if (seen === value) {
        entries.store(slot, TOMBSTONE);
        return true;
      }
    }
    return false;
  }

  /**
   * Advances the shared clock hand by `count` slots and calls `visit(pid)` for each resident
   * page among them (vmcache's iterateClockBatch).
   */
  sweep(count: number, visit: (pid: number) => void): void {
    const start = this.hand.add(0, count) >>> 0;
    for (let k = 0; k < count; k++) {
      const value = this.entries.load((start + k) & this.mask);
      if (value > 0) visit(value - 1);
    }
  }

  /** Page ids in the set, read without charging (checks and tests). */
  members(peek: Int32Array): number[] {
    const out: number[] = [];
    for (let slot = 0; slot < this.slots; slot++) if (peek[slot] > 0) out.push(peek[slot] - 1);
    return out;
  }
}
