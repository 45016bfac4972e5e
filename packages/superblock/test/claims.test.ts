// Lock-free superblock claims under interleaving. Real threads are not needed: the words hook
// runs a second core's whole reserveRange at a chosen CAS of the first, which is the only point
// where a concurrent claim can change the outcome.

import { Errno } from '@unimem/core';
import { SortedVmaIndex } from '@unimem/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AREA_BASE as BASE,
  Entry,
  SUPERBLOCK_BYTES as GiB,
  SuperblockAllocator,
  type SuperblockOptions,
  Unowned,
} from '../src/index.js';
import { type HookedWords, hookedWords, lockFactory } from './helpers.js';

const P = 4096;

function setup(options: Partial<SuperblockOptions> = {}) {
  const w = hookedWords();
  const a = new SuperblockAllocator({
    cores: 4,
    lock: lockFactory().lock,
    index: () => new SortedVmaIndex(),
    words: w.words,
    ...options,
  });
  return { a, words: w.made[0] };
}

/** Runs `interrupt` once, just before the `nth` CAS (1-based) from now. */
function before(words: HookedWords, nth: number, interrupt: () => void): void {
  let count = 0;
  words.beforeCas = () => {
    if (++count !== nth) return;
    words.beforeCas = undefined;
    interrupt();
  };
}

const owners = (a: SuperblockAllocator, count: number) =>
  Array.from({ length: count }, (_, k) => a.ownerOf(BASE + k * GiB));

describe('superblock claims', () => {
  it('a core that loses the CAS for a superblock takes the next one', () => {
    const { a, words } = setup();
    let other = -1;
    before(words, 1, () => {
      other = a.reserveRange(1, P, P);
    });
    const mine = a.reserveRange(0, P, P);
    expect(other).toBe(BASE + GiB - P);
    expect(mine).toBe(BASE + 2 * GiB - P);
    expect(owners(a, 3)).toEqual([1, 0, Unowned.FREE]);
  });

  it('a multi-superblock claim that loses halfway releases its reserved markers', () => {
    const { a, words } = setup();
    let other = -1;
    // Core 0 has reserved superblock 0 and is about to take 1 when core 1 claims two.
    before(words, 2, () => {
      expect(a.ownerOf(BASE)).toBe(Unowned.RESERVED);
      other = a.reserveRange(1, 2 * GiB, P);
    });
    const mine = a.reserveRange(0, 3 * GiB, P);
    expect(other).toBe(BASE + GiB);
    expect(mine).toBe(BASE + 3 * GiB);
    expect(owners(a, 7)).toEqual([Unowned.FREE, 1, 1, 0, 0, 0, Unowned.FREE]);
    expect(a.stats().ownedSuperblocks).toEqual([3, 2, 0, 0]);
  });

  it('a claim that fails halfway (a superblock taken mid-run) puts back every marker', () => {
    const { a, words } = setup();
    before(words, 3, () => {
      // Superblocks 0 and 1 are reserved by core 2's claim; another core takes superblock 2.
      expect(owners(a, 3)).toEqual([Unowned.RESERVED, Unowned.RESERVED, Unowned.FREE]);
      words.store(0, words.load(0) | (Entry.owned(3) << 16));
    });
    const addr = a.reserveRange(2, 4 * GiB, P);
    expect(addr).toBe(BASE + 3 * GiB);
    expect(owners(a, 8)).toEqual([Unowned.FREE, Unowned.FREE, 3, 2, 2, 2, 2, Unowned.FREE]);
  });

  it('reports ENOMEM after a failed claim with no other run, with every marker put back', () => {
    const { a, words } = setup({ areaEnd: BASE + 4 * GiB });
    const start = a.freeBytes();
    before(words, 2, () => {
      words.store(0, words.load(0) | (Entry.owned(1) << 24));
    });
    expect(a.reserveRange(0, 4 * GiB, P)).toBe(Errno.ENOMEM);
    expect(owners(a, 4)).toEqual([Unowned.FREE, Unowned.FREE, Unowned.FREE, 1]);
    expect(a.stats().ownedSuperblocks).toEqual([0, 0, 0, 0]);
    expect(a.freeBytes()).toBe(start - GiB);
  });

  it('never gives two cores the same superblock, whatever claim interrupts whatever CAS', () => {
    const sizes = [P, 3 * P, GiB, GiB + P, 2 * GiB, 3 * GiB - P];
    const claim = fc.record({
      core: fc.nat(3),
      size: fc.constantFrom(...sizes),
      cas: fc.integer({ min: 1, max: 4 }),
      other: fc.nat(3),
      otherSize: fc.constantFrom(...sizes),
    });
    fc.assert(
      fc.property(fc.array(claim, { maxLength: 25 }), (claims) => {
        const { a, words } = setup({ areaEnd: BASE + 48 * GiB });
        const got: Array<[number, number, number]> = [];
        const take = (core: number, size: number) => {
          const addr = a.reserveRange(core, size, P);
          if (addr === Errno.ENOMEM) return;
          expect(addr).toBeGreaterThanOrEqual(0);
          got.push([core, addr, addr + size]);
        };
        for (const { core, size, cas, other, otherSize } of claims) {
          before(words, cas, () => take(other === core ? (other + 1) % 4 : other, otherSize));
          take(core, size);
          words.beforeCas = undefined;
        }
        got.sort((x, y) => x[1] - y[1]);
        for (let i = 1; i < got.length; i++)
          expect(got[i][1]).toBeGreaterThanOrEqual(got[i - 1][2]);
        for (const [core, start, end] of got) {
          for (let addr = start; addr < end; addr += GiB) expect(a.ownerOf(addr)).toBe(core);
          expect(a.ownerOf(end - 1)).toBe(core);
        }
        const table = owners(a, 48);
        expect(table.includes(Unowned.RESERVED)).toBe(false);
        const stats = a.stats();
        for (let core = 0; core < 4; core++) {
          expect(stats.ownedSuperblocks[core]).toBe(table.filter((o) => o === core).length);
        }
      }),
      { numRuns: 150 },
    );
  });
});
