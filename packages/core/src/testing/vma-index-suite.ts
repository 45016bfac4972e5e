// The VmaIndex conformance suite. Every implementation runs it from its own tests:
//
//   vmaIndexSuite('btree', () => new VmaTree());
//
// It checks the contract of VmaIndex in @unimem/core against a sorted-array model: find returns
// the VMA containing an address, findIntersecting every VMA meeting [addr, addr + size) in
// address order, erase removes exactly the object it is given, size and iteration follow. With
// `rejectsBadInput` (default) it also requires a RangeError for overlapping or malformed VMAs,
// leaving the index unchanged.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Vma, VmaIndex } from '../api.js';

export interface VmaIndexSuiteOptions {
  /** The index throws a RangeError on overlapping or malformed VMAs (default true). */
  rejectsBadInput?: boolean;
  /** Runs of each property (default 200). */
  numRuns?: number;
}

const PAGE = 4096;
const TOP = 2 ** 47;

/** The reference: VMAs in an array sorted by start, searched linearly. */
class SortedModel {
  readonly vmas: Vma[] = [];
  overlapping(vma: Vma): boolean {
    return this.vmas.some((v) => v.start < vma.end && vma.start < v.end);
  }
  insert(vma: Vma): void {
    const i = this.vmas.findIndex((v) => v.start > vma.start);
    this.vmas.splice(i < 0 ? this.vmas.length : i, 0, vma);
  }
  erase(vma: Vma): boolean {
    const i = this.vmas.indexOf(vma);
    if (i >= 0) this.vmas.splice(i, 1);
    return i >= 0;
  }
  find(addr: number): Vma | undefined {
    return this.vmas.find((v) => v.start <= addr && addr < v.end);
  }
  findIntersecting(addr: number, size: number): Vma[] {
    if (size === 0) return [];
    return this.vmas.filter((v) => v.start < addr + size && addr < v.end);
  }
}

const vma = (start: number, end: number, prot = 3): Vma => ({ start, end, prot, flags: 0x22 });

/** Same objects in the same order. */
function expectSame(got: Vma[], want: Vma[], what: string): void {
  const show = (list: Vma[]) => list.map((v) => `[${v.start}, ${v.end})`).join(' ');
  expect(show(got), what).toBe(show(want));
  got.forEach((v, i) => {
    expect(v, `${what} #${i} is the inserted object`).toBe(want[i]);
  });
}

function expectMatches(index: VmaIndex, model: SortedModel, what: string): void {
  expect(index.size, `${what}: size`).toBe(model.vmas.length);
  expectSame([...index], model.vmas, `${what}: iteration`);
}

type Op =
  | { kind: 'insert'; slot: number; pages: number }
  | { kind: 'erase'; pick: number; foreign: boolean }
  | { kind: 'find'; slot: number; offset: number }
  | { kind: 'range'; slot: number; offset: number; pages: number };

const SLOTS = 64;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      slot: fc.nat(SLOTS - 1),
      pages: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('erase' as const),
      pick: fc.nat(),
      foreign: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('find' as const),
      slot: fc.nat(SLOTS + 1),
      offset: fc.nat(PAGE - 1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('range' as const),
      slot: fc.nat(SLOTS),
      offset: fc.nat(PAGE - 1),
      pages: fc.nat(12),
    }),
  },
);

export function vmaIndexSuite(
  name: string,
  create: () => VmaIndex,
  options: VmaIndexSuiteOptions = {},
): void {
  const rejects = options.rejectsBadInput ?? true;
  const numRuns = options.numRuns ?? 200;

  /** Runs `ops` on a fresh index and the model with VMAs based at `base`, in `unit` steps. */
  const replay = (ops: Op[], base: number, unit: number): void => {
    const index = create();
    const model = new SortedModel();
    const at = (slot: number, offset = 0) => base + slot * unit * 4 + (offset % (unit * 4));
    ops.forEach((op, step) => {
      const what = `step ${step} ${JSON.stringify(op)}`;
      if (op.kind === 'insert') {
        const v = vma(at(op.slot), at(op.slot) + op.pages * unit);
        if (!model.overlapping(v)) {
          index.insert(v);
          model.insert(v);
        } else if (rejects) {
          expect(() => index.insert(v), what).toThrow(RangeError);
        }
      } else if (op.kind === 'erase') {
        // An indexed VMA, or (foreign, or nothing indexed) an object the index never saw.
        const target = model.vmas[op.pick % Math.max(1, model.vmas.length)];
        const stranger = target
          ? { ...target }
          : vma(at(op.pick % SLOTS), at(op.pick % SLOTS) + unit);
        const v = target && !op.foreign ? target : stranger;
        expect(index.erase(v), what).toBe(model.erase(v));
      } else if (op.kind === 'find') {
        const addr = at(op.slot, op.offset);
        expect(index.find(addr), what).toBe(model.find(addr));
      } else {
        const addr = at(op.slot, op.offset);
        const size = op.pages * unit;
        expectSame(index.findIntersecting(addr, size), model.findIntersecting(addr, size), what);
      }
      expect(index.size, `${what}: size`).toBe(model.vmas.length);
    });
    expectMatches(index, model, 'after all steps');
  };

  describe(`VmaIndex conformance: ${name}`, () => {
    it('is empty at first: no VMA found, erase returns false', () => {
      const index = create();
      expect(index.size).toBe(0);
      expect(index.find(0)).toBeUndefined();
      expect(index.find(TOP)).toBeUndefined();
      expect(index.findIntersecting(0, TOP)).toEqual([]);
      expect([...index]).toEqual([]);
      expect(index.erase(vma(0, PAGE))).toBe(false);
    });

    it('finds a VMA at its first and last byte, not at its end', () => {
      const index = create();
      const v = vma(0x10000, 0x13000);
      index.insert(v);
      expect(index.find(0x10000)).toBe(v);
      expect(index.find(0x12fff)).toBe(v);
      expect(index.find(0x13000)).toBeUndefined();
      expect(index.find(0xffff)).toBeUndefined();
      expect(index.find(0)).toBeUndefined();
    });

    it('keeps adjacent VMAs apart at their shared boundary', () => {
      const index = create();
      const [a, b, c] = [vma(0x1000, 0x2000), vma(0x2000, 0x5000), vma(0x5000, 0x6000)];
      index.insert(b);
      index.insert(c);
      index.insert(a);
      expect(index.find(0x1fff)).toBe(a);
      expect(index.find(0x2000)).toBe(b);
      expect(index.find(0x5000)).toBe(c);
      expectSame(index.findIntersecting(0x2000, 1), [b], 'first byte of b');
      expectSame(index.findIntersecting(0x1fff, 2), [a, b], 'across a|b');
      expectSame(index.findIntersecting(0x1000, 0x3000), [a, b], 'a and b, ending at c');
      expectSame([...index], [a, b, c], 'iteration');
    });

    it('returns nothing for a zero-size query, even inside a VMA', () => {
      const index = create();
      index.insert(vma(0x1000, 0x4000));
      expect(index.findIntersecting(0x2000, 0)).toEqual([]);
      expect(index.findIntersecting(0x1000, 0)).toEqual([]);
    });

    it('returns every VMA of a query spanning many, in order', () => {
      const index = create();
      const model = new SortedModel();
      const order = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 2000);
      for (const i of order) {
        const v = vma(i * 3 * PAGE, i * 3 * PAGE + 2 * PAGE);
        index.insert(v);
        model.insert(v);
      }
      expectSame(index.findIntersecting(0, 6000 * PAGE), model.vmas, 'all');
      // From a gap to the middle of a VMA, and from the middle of one into a gap.
      for (const [addr, size] of [
        [2 * PAGE, 301 * PAGE],
        [PAGE + 5, 3000 * PAGE],
        [5999 * PAGE, PAGE],
      ]) {
        expectSame(
          index.findIntersecting(addr, size),
          model.findIntersecting(addr, size),
          `${addr}+${size}`,
        );
      }
      expectMatches(index, model, 'after inserts');
    });

    it('handles addresses near 2^47', () => {
      const index = create();
      const low = vma(TOP - 3 * PAGE, TOP - PAGE);
      const edge = vma(TOP - PAGE, TOP);
      const high = vma(TOP, TOP + 2 ** 30);
      for (const v of [high, low, edge]) index.insert(v);
      expect(index.find(TOP - 1)).toBe(edge);
      expect(index.find(TOP)).toBe(high);
      expect(index.find(TOP + 2 ** 30 - 1)).toBe(high);
      expect(index.find(TOP + 2 ** 30)).toBeUndefined();
      expect(index.find(TOP - 3 * PAGE - 1)).toBeUndefined();
      expectSame(
        index.findIntersecting(TOP - 2 * PAGE, 3 * PAGE),
        [low, edge, high],
        'around 2^47',
      );
      expect(index.erase(edge)).toBe(true);
      expect(index.find(TOP - 1)).toBeUndefined();
    });

    it('finds a VMA that starts below an erased VMA and reaches past its start', () => {
      // In a B+ tree the erased start may live on as a separator: the new VMA sits left of it.
      const index = create();
      const erased = Array.from({ length: 400 }, (_, i) => vma(4 * i * PAGE, (4 * i + 2) * PAGE));
      for (const v of erased) index.insert(v);
      for (let i = 1; i < 400; i++) {
        index.erase(erased[i]);
        const v = vma((4 * i - 1) * PAGE, (4 * i + 1) * PAGE);
        index.insert(v);
        const s = 4 * i * PAGE;
        expect(index.find(s), `find(${s})`).toBe(v);
        expect(index.find(s + PAGE - 1)).toBe(v);
        expectSame(index.findIntersecting(s, 1), [v], `findIntersecting(${s}, 1)`);
        if (rejects) expect(() => index.insert(vma(s, s + PAGE))).toThrow(RangeError);
        index.insert(vma(s + PAGE, s + 2 * PAGE));
      }
      expect(index.size).toBe(800 - 1);
    });

    it('erases only the very object, once', () => {
      const index = create();
      const v = vma(0x1000, 0x2000);
      index.insert(v);
      expect(index.erase({ ...v })).toBe(false);
      expect(index.find(0x1000)).toBe(v);
      expect(index.erase(v)).toBe(true);
      expect(index.erase(v)).toBe(false);
      expect(index.size).toBe(0);
      expect(index.find(0x1000)).toBeUndefined();
    });

    it('matches the model over many inserts and erases in random order', () => {
      const index = create();
      const model = new SortedModel();
      let seed = 12345;
      const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
      const all = Array.from({ length: 6000 }, (_, i) =>
        vma(i * 2 * PAGE, (i * 2 + 1 + (i % 2)) * PAGE),
      );
      for (let i = all.length - 1; i > 0; i--) {
        const j = next() % (i + 1);
        [all[i], all[j]] = [all[j], all[i]];
      }
      for (const v of all) {
        index.insert(v);
        model.insert(v);
      }
      for (const v of all.slice(0, 4500)) expect(index.erase(v)).toBe(model.erase(v));
      expectMatches(index, model, 'after erasing most');
      for (let k = 0; k < 2000; k++) {
        const addr = next() % (12000 * PAGE);
        expect(index.find(addr), `find(${addr})`).toBe(model.find(addr));
      }
      for (const v of all.slice(0, 4500)) index.insert(v);
      for (const v of all) expect(index.erase(v)).toBe(true);
      expect(index.size).toBe(0);
      expect([...index]).toEqual([]);
    });

    if (rejects) {
      it('throws a RangeError for an overlapping VMA and stays unchanged', () => {
        const index = create();
        const v = vma(0x10000, 0x14000);
        index.insert(v);
        index.insert(vma(0x14000, 0x15000));
        for (const [start, end] of [
          [0x10000, 0x14000],
          [0x10000, 0x11000],
          [0xf000, 0x11000],
          [0x13000, 0x16000],
          [0x11000, 0x12000],
          [0x8000, 0x20000],
        ]) {
          expect(() => index.insert(vma(start, end)), `[${start}, ${end})`).toThrow(RangeError);
        }
        expect(index.size).toBe(2);
        expect(index.find(0x10000)).toBe(v);
      });

      it('throws a RangeError for malformed bounds', () => {
        const index = create();
        for (const [start, end] of [
          [0x2000, 0x2000],
          [0x3000, 0x2000],
          [0.5, 0x1000],
          [0, 1.5],
          [Number.NaN, 0x1000],
          [-0x1000, 0x1000],
          [0, Number.POSITIVE_INFINITY],
        ]) {
          expect(() => index.insert(vma(start, end)), `[${start}, ${end})`).toThrow(RangeError);
        }
        expect(index.size).toBe(0);
      });
    }

    it('matches the model over random operation sequences (page-sized VMAs)', () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 150 }), (ops) => replay(ops, 0, PAGE)),
        { numRuns },
      );
    });

    it('matches the model over random operation sequences (byte-sized VMAs near 2^47)', () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 150 }), (ops) => replay(ops, TOP - 64, 1)),
        { numRuns },
      );
    });
  });
}
