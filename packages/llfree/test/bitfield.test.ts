// Unit tests of the bitfield: searches agree with a brute-force scan for every order 0..8, a
// failed multi-word claim or release leaves no trace (the rollback fix), packed entries round-trip.

import { NativeWords } from '@unimem/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bitfields, popcount } from '../src/bitfield.js';
import { Child, Local, Pair, Tree } from '../src/entries.js';

/** NativeWords whose next CAS on `victim` first finds the word changed by "another core". */
class InterferingWords extends NativeWords {
  victim = -1;
  override cas(index: number, expected: number, value: number): number {
    if (index === this.victim) {
      this.victim = -1;
      this.store(index, 1);
    }
    return super.cas(index, expected, value);
  }
}

function bitfield(rows: number[]) {
  const words = new InterferingWords(new SharedArrayBuffer(64));
  for (let i = 0; i < rows.length; i++) words.store(i, rows[i]);
  return { words, bits: new Bitfields(words, 0) };
}

/** First free aligned run of `order` at or after row `start` (wrapping), by brute force. */
function bruteForce(rows: number[], start: number, order: number): number {
  const size = 2 ** order;
  const isSet = (frame: number) => (rows[frame >>> 5] >>> (frame & 31)) & 1;
  const rowsPerBlock = Math.max(1, size / 32);
  const first = order <= 5 ? start : start & ~(rowsPerBlock - 1);
  for (let i = 0; i < 16; i += rowsPerBlock) {
    const row = (first + i) & 15;
    for (let frame = row * 32; frame < row * 32 + Math.max(32, size); frame += size) {
      let free = true;
      for (let f = frame; f < frame + size; f++) if (isSet(f)) free = false;
      if (free) return frame;
    }
  }
  return -1;
}

const row = fc.oneof(
  fc.constant(0),
  fc.constant(-1),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: 0, max: 31 }).map((bit) => ~(1 << bit)),
);

describe('bitfield', () => {
  it('claims the first free aligned run like a brute-force scan (orders 0..8)', () => {
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 8 }),
        (rows, start, order) => {
          const { words, bits } = bitfield(rows);
          const expected = bruteForce(rows, start, order);
          expect(bits.claim(0, start, order)).toBe(expected);
          for (let i = 0; i < 16; i++) {
            const covered =
              expected >= 0 && i * 32 < expected + 2 ** order && i * 32 + 32 > expected;
            if (!covered) expect(words.load(i)).toBe(rows[i]);
          }
          if (expected >= 0) {
            expect(bits.isFree(expected, order)).toBe(false);
            expect(bits.release(expected, order)).toBe(true);
            for (let i = 0; i < 16; i++) expect(words.load(i)).toBe(rows[i]);
          }
        },
      ),
    );
  });

  it('rolls back earlier words when a multi-word claim loses a later word', () => {
    for (const order of [6, 7, 8]) {
      const span = 2 ** (order - 5);
      const { words, bits } = bitfield(new Array(16).fill(0));
      words.victim = span - 1; // the last word of the first block is taken mid-claim
      const frame = bits.claim(0, 0, order);
      expect(frame).toBe(span * 32); // the next aligned block
      for (let i = 0; i < span - 1; i++) expect(words.load(i)).toBe(0);
      expect(words.load(span - 1)).toBe(1);
    }
  });

  it('release checks every word before clearing, so a bad free changes nothing', () => {
    const rows = new Array(16).fill(-1);
    rows[3] = ~1; // frame 96 free
    const { words, bits } = bitfield(rows);
    expect(bits.release(0, 7)).toBe(false);
    expect(bits.release(96, 0)).toBe(false);
    expect(bits.release(96, 2)).toBe(false);
    for (let i = 0; i < 16; i++) expect(words.load(i)).toBe(rows[i]);
    expect(bits.release(128, 7)).toBe(true);
    expect(bits.countFree(0)).toBe(129);
  });

  it('counts bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (word) => {
        let count = 0;
        for (let i = 0; i < 32; i++) count += (word >>> i) & 1;
        expect(popcount(word)).toBe(count);
      }),
    );
  });
});

describe('packed entries', () => {
  it('round-trip children, pairs, trees and reservations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 512 }),
        fc.integer({ min: 0, max: 512 }),
        fc.integer({ min: 0, max: 16_384 }),
        fc.integer({ min: 0, max: (1 << 17) - 2 }),
        (low, high, free, tree) => {
          const pair = Pair.of(Child.withFree(low), Child.HUGE);
          expect(Child.free(Pair.child(pair, 0))).toBe(low);
          expect(Child.huge(Pair.child(pair, 16))).toBe(true);
          const other = Pair.withChild(pair, 16, Child.withFree(high));
          expect(Pair.child(other, 16)).toBe(high);
          expect(Pair.child(other, 0)).toBe(low);
          const entry = Tree.of(free, true);
          expect(Tree.free(entry)).toBe(free);
          expect(Tree.reserved(entry)).toBe(true);
          expect(Tree.reserved(Tree.withFree(entry, 7))).toBe(true);
          const local = Local.of(tree, free);
          expect(Local.present(local)).toBe(true);
          expect(Local.tree(local)).toBe(tree);
          expect(Local.free(local)).toBe(free);
          expect(Local.free(Local.withFree(local, 3))).toBe(3);
          expect(Local.tree(Local.NONE)).toBe(-1);
        },
      ),
    );
  });
});
