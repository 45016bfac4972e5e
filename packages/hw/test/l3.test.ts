// The L3 model's tag store (l3.ts) against a plain FIFO per set: whatever the sequence of lookups,
// both say hit or miss alike and hold the same lines. l3.ts keeps each set newest first and shifts
// on a miss (no pointer); a wrong shift, a lost tag or a victim other than the oldest line of the
// set makes the two disagree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { L3Caches, LINE_BYTES } from '../src/l3.js';

/** One FIFO queue of line ids per (ccd, set): the textbook form of the model's replacement. */
class PlainFifoL3 {
  private readonly queues = new Map<number, number[]>();
  constructor(
    private readonly sets: number,
    private readonly ways: number,
  ) {}

  lookup(ccd: number, line: number): boolean {
    const key = ccd * this.sets + (line % this.sets);
    let queue = this.queues.get(key);
    if (queue === undefined) {
      queue = [];
      this.queues.set(key, queue);
    }
    if (queue.includes(line)) return true;
    queue.push(line);
    if (queue.length > this.ways) queue.shift();
    return false;
  }

  holds(ccd: number, line: number): boolean {
    return this.queues.get(ccd * this.sets + (line % this.sets))?.includes(line) ?? false;
  }
}

describe('L3Caches against a plain FIFO per set', () => {
  it('gives the same hits and holds the same lines for any sequence of lookups', () => {
    fc.assert(
      fc.property(
        fc.record({
          ccds: fc.integer({ min: 1, max: 3 }),
          ways: fc.integer({ min: 1, max: 6 }),
          // Sets beyond one page of 256 exercise the page index; lines from a small range
          // revisit sets often enough to fill and evict them.
          sets: fc.constantFrom(1, 3, 256, 300),
          accesses: fc.array(fc.tuple(fc.nat(2), fc.nat(4000)), { minLength: 1, maxLength: 600 }),
        }),
        ({ ccds, ways, sets, accesses }) => {
          const l3 = new L3Caches(ccds, sets * ways * LINE_BYTES, { ways });
          expect(l3.sets).toBe(sets);
          const plain = new PlainFifoL3(sets, ways);
          const seen = new Set<number>();
          for (const [rawCcd, raw] of accesses) {
            const ccd = rawCcd % ccds;
            const line = raw % (sets * ways * 3);
            seen.add(line);
            expect(l3.lookup(ccd, line)).toBe(plain.lookup(ccd, line));
          }
          for (let ccd = 0; ccd < ccds; ccd++) {
            for (const line of seen) expect(l3.holds(ccd, line)).toBe(plain.holds(ccd, line));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('evicts the oldest line of a full set, not the most recently hit one', () => {
    const l3 = new L3Caches(1, 4 * LINE_BYTES, { ways: 4 }); // one set of 4 ways
    for (const line of [1, 2, 3, 4]) expect(l3.lookup(0, line)).toBe(false);
    expect(l3.lookup(0, 1)).toBe(true); // a hit does not refresh line 1 (FIFO, not LRU)
    expect(l3.lookup(0, 5)).toBe(false); // evicts 1, the oldest insertion
    expect(l3.holds(0, 1)).toBe(false);
    for (const line of [2, 3, 4, 5]) expect(l3.holds(0, line)).toBe(true);
  });
});
