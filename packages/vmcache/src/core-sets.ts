// Per-page sets of the cores that may hold a page's translation: the buffer manager's own
// replacement for the TLB knowledge no kernel has. A core adds itself (a load, and an atomic OR
// only when its bit is missing) before it first touches a page, so the set is a superset of the
// TLBs that can hold the page's current mapping; an eviction shoots down exactly the union of its
// batch's sets and then clears them. Invariant: between a page's mapping and its eviction, every
// core whose TLB may translate the page is in its set. ceil(cores / 32) words per page; the
// first OR of a page by a second core moves the line, later accesses only read it.

import type { AtomicWords } from '@unimem/hw';

export class CoreSets {
  readonly wordsPerPage: number;

  constructor(
    private readonly words: AtomicWords,
    readonly pages: number,
    readonly cores: number,
  ) {
    this.wordsPerPage = Math.ceil(cores / 32);
    if (words.length < pages * this.wordsPerPage) {
      throw new RangeError(`core sets: ${words.length} words hold fewer than ${pages} pages`);
    }
  }

  /** Adds `core` to page `pid`'s set (an OR only if the bit is missing). */
  add(core: number, pid: number): void {
    const index = pid * this.wordsPerPage + (core >>> 5);
    const bit = 1 << (core & 31);
    if ((this.words.load(index) & bit) === 0) this.words.or(index, bit);
  }

  /** Adds the members of page `pid`'s set to `into` (a 0/1 mark per core), then empties it. */
  takeInto(pid: number, into: Uint8Array): void {
    const first = pid * this.wordsPerPage;
    for (let w = 0; w < this.wordsPerPage; w++) {
      let bits = this.words.load(first + w);
      if (bits === 0) continue;
      this.words.store(first + w, 0);
      while (bits !== 0) {
        const low = bits & -bits;
        into[w * 32 + (31 - Math.clz32(low))] = 1;
        bits ^= low;
      }
    }
  }
}
