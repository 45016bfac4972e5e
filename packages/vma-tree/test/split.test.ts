import type { Vma, VmaIndex } from '@unimem/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AvlVmaTree,
  carve,
  cloneVma,
  isolate,
  mergeAdjacent,
  sameProtAndFlags,
  splitAt,
  VmaTree,
} from '../src/index.js';

// The model of an address space for the helpers: one protection per unit, -1 where unmapped.
const UNITS = 96;
const UNIT = 0x1000;

interface Tagged extends Vma {
  tag: string;
}

const tagged = (start: number, end: number, prot: number): Tagged => ({
  start: start * UNIT,
  end: end * UNIT,
  prot,
  flags: 0x22,
  tag: `t${start}`,
});

function coverage(index: VmaIndex<Tagged>): number[] {
  const cov = new Array<number>(UNITS).fill(-1);
  for (const v of index) for (let u = v.start / UNIT; u < v.end / UNIT; u++) cov[u] = v.prot;
  return cov;
}

function expectSorted(list: Vma[]): void {
  for (let i = 1; i < list.length; i++) expect(list[i - 1].end).toBeLessThanOrEqual(list[i].start);
}

/** Initial layouts: runs of units, each mapped with prot 1 or 3, or left as a hole. */
const layoutArb = fc.array(
  fc.record({ units: fc.integer({ min: 1, max: 8 }), prot: fc.constantFrom(-1, 1, 3) }),
  {
    maxLength: 24,
  },
);
const rangeArb = fc.record({ addr: fc.nat(UNITS - 1), size: fc.nat(40) }).map(({ addr, size }) => ({
  addr,
  size: Math.min(size, UNITS - addr),
}));
type HelperOp =
  | { kind: 'carve' | 'merge'; addr: number; size: number }
  | { kind: 'protect'; addr: number; size: number; prot: number }
  | { kind: 'split'; pick: number; at: number };
const helperOpArb: fc.Arbitrary<HelperOp> = fc.oneof(
  rangeArb.map((r) => ({ kind: 'carve' as const, ...r })),
  rangeArb.map((r) => ({ kind: 'merge' as const, ...r })),
  fc
    .record({ r: rangeArb, prot: fc.constantFrom(1, 3) })
    .map(({ r, prot }) => ({ kind: 'protect' as const, prot, ...r })),
  fc.record({ kind: fc.constant('split' as const), pick: fc.nat(), at: fc.nat() }),
);

function build(
  create: () => VmaIndex<Tagged>,
  layout: { units: number; prot: number }[],
): VmaIndex<Tagged> {
  const index = create();
  let unit = 0;
  for (const { units, prot } of layout) {
    const end = Math.min(unit + units, UNITS);
    if (prot >= 0 && end > unit) index.insert(tagged(unit, end, prot));
    unit = end;
  }
  return index;
}

/** Runs one helper on the index and checks it against the coverage model. */
function step(index: VmaIndex<Tagged>, op: HelperOp): void {
  const before = coverage(index);
  const vmasBefore = [...index];
  if (op.kind === 'split') {
    if (vmasBefore.length === 0) return;
    const vma = vmasBefore[op.pick % vmasBefore.length];
    const units = (vma.end - vma.start) / UNIT;
    if (units < 2) {
      expect(() => splitAt(index, vma, vma.end)).toThrow(RangeError);
      return;
    }
    const at = vma.start + (1 + (op.at % (units - 1))) * UNIT;
    const oldEnd = vma.end;
    const upper = splitAt(index, vma, at);
    expect([vma.start, vma.end, upper.start, upper.end, upper.tag]).toEqual([
      vma.start,
      at,
      at,
      oldEnd,
      vma.tag,
    ]);
    expect(index.find(at - 1)).toBe(vma);
    expect(index.find(at)).toBe(upper);
    expect(coverage(index)).toEqual(before);
    return;
  }
  const { addr, size } = op;
  const [lo, hi] = [addr * UNIT, (addr + size) * UNIT];
  const want = before.slice();
  if (op.kind === 'carve') {
    const removed = carve(index, lo, hi - lo);
    for (let u = addr; u < addr + size; u++) want[u] = -1;
    expectSorted(removed);
    for (const v of removed) {
      expect(v.start >= lo && v.end <= hi).toBe(true);
      expect(index.find(v.start)).toBeUndefined();
    }
    const removedUnits = removed.reduce((n, v) => n + (v.end - v.start) / UNIT, 0);
    expect(removedUnits).toBe(before.slice(addr, addr + size).filter((p) => p >= 0).length);
  } else if (op.kind === 'protect') {
    const inside = isolate(index, lo, hi - lo);
    expectSorted(inside);
    for (const v of inside) {
      expect(v.start >= lo && v.end <= hi, 'isolated VMA inside the range').toBe(true);
      expect(index.find(v.start)).toBe(v);
      v.prot = op.prot;
    }
    for (let u = addr; u < addr + size; u++) if (want[u] >= 0) want[u] = op.prot;
    // The VMA that straddled the start keeps its object for the lower part.
    const straddler = vmasBefore.find((v) => v.start < lo && v.end > lo && size > 0);
    if (straddler !== undefined) expect(index.find(lo - 1)).toBe(straddler);
  } else {
    const removed = mergeAdjacent(index, lo, hi - lo);
    expect(index.size).toBe(vmasBefore.length - removed);
    const near = index.findIntersecting(Math.max(0, lo - 1), hi - Math.max(0, lo - 1) + 1);
    for (let i = 1; i < near.length; i++) {
      const touching = near[i - 1].end === near[i].start;
      expect(touching && sameProtAndFlags(near[i - 1], near[i]), 'mergeable pair left').toBe(false);
    }
    // VMAs away from the range are the same objects.
    const after = new Set(index);
    for (const v of vmasBefore) {
      if (v.end < lo - UNIT || v.start > hi + UNIT) expect(after.has(v)).toBe(true);
    }
  }
  expect(coverage(index)).toEqual(want);
}

const trees: [string, () => VmaIndex<Tagged>][] = [
  ['VmaTree', () => new VmaTree<Tagged>({ nodeSlots: 4 })],
  ['AvlVmaTree', () => new AvlVmaTree<Tagged>()],
];

describe.each(trees)('split/merge helpers over %s', (_, create) => {
  it('keep coverage equal to the model over random carve/protect/merge/split sequences', () => {
    fc.assert(
      fc.property(layoutArb, fc.array(helperOpArb, { maxLength: 30 }), (layout, ops) => {
        const index = build(create, layout);
        for (const op of ops) step(index, op);
      }),
      { numRuns: 300 },
    );
  });

  it('carve splits both edges of one VMA and keeps its lower part', () => {
    const index = create();
    const v = tagged(0, 10, 3);
    index.insert(v);
    const removed = carve(index, 2 * UNIT, 3 * UNIT);
    expect(removed.map((r) => [r.start / UNIT, r.end / UNIT, r.tag])).toEqual([[2, 5, 't0']]);
    expect([...index].map((r) => [r.start / UNIT, r.end / UNIT])).toEqual([
      [0, 2],
      [5, 10],
    ]);
    expect(index.find(0)).toBe(v);
  });

  it('mergeAdjacent joins touching VMAs with equal prot and flags only', () => {
    const index = create();
    const parts = [
      tagged(0, 1, 3),
      tagged(1, 2, 3),
      tagged(2, 3, 1),
      tagged(3, 4, 1),
      tagged(5, 6, 1),
    ];
    for (const p of parts) index.insert(p);
    expect(mergeAdjacent(index, 0, 6 * UNIT)).toBe(2);
    expect([...index].map((r) => [r.start / UNIT, r.end / UNIT, r.prot])).toEqual([
      [0, 2, 3],
      [2, 4, 1],
      [5, 6, 1],
    ]);
    expect(index.find(UNIT)).toBe(parts[0]);
    // Size 0 merges across the one address.
    index.insert(tagged(4, 5, 1));
    expect(mergeAdjacent(index, 5 * UNIT, 0)).toBe(1);
    expect(mergeAdjacent(index, 4 * UNIT, 0)).toBe(1);
    expect(index.size).toBe(2);
  });

  it('splitAt rejects an address outside the VMA and a VMA not in the index', () => {
    const index = create();
    const v = tagged(1, 4, 3);
    index.insert(v);
    for (const at of [UNIT, 4 * UNIT, 0, 5 * UNIT, 1.5 * UNIT + 0.5]) {
      expect(() => splitAt(index, v, at), `at ${at}`).toThrow(RangeError);
    }
    expect(() => splitAt(index, tagged(1, 4, 3), 2 * UNIT)).toThrow(/not in the index/);
    expect([...index]).toEqual([v]);
    expect(v.end).toBe(4 * UNIT);
  });

  it('helpers reject negative or fractional ranges', () => {
    const index = create();
    expect(() => carve(index, -1, 10)).toThrow(RangeError);
    expect(() => isolate(index, 0, 0.5)).toThrow(RangeError);
    expect(() => mergeAdjacent(index, 0, -1)).toThrow(RangeError);
  });
});

describe('cloneVma', () => {
  it('copies fields and keeps the prototype', () => {
    class Area implements Vma {
      constructor(
        public start: number,
        public end: number,
        public prot: number,
        public flags: number,
        public file: string,
      ) {}
    }
    const a = new Area(0, 0x1000, 1, 2, 'db');
    const b = cloneVma(a);
    expect(b).not.toBe(a);
    expect(b).toBeInstanceOf(Area);
    expect(b).toEqual(a);
  });
});
