import type { Vma } from '@unimem/core';
import { nullTracer } from '@unimem/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BTreeNodes, NIL } from '../src/btree-nodes.js';
import { VmaTree } from '../src/index.js';
import { RecordingTracer } from './recording-tracer.js';

const PAGE = 0x1000;
const vma = (page: number, pages = 1): Vma => ({
  start: page * PAGE,
  end: (page + pages) * PAGE,
  prot: 3,
  flags: 0x22,
});

/** The private state the invariant check reads. */
interface Internals {
  root: number;
  slots: number;
  minFill: number;
  nodes: BTreeNodes<Vma>;
}

/** Checks every B+ tree invariant of btree.ts; returns the number of VMAs found. */
function checkTree(tree: VmaTree): number {
  const { root, slots, minFill, nodes } = tree as unknown as Internals;
  const { stride, keys, kids, vals, count } = nodes;
  const leaves: number[] = [];
  let leafDepth = -1;
  const walk = (node: number, depth: number, lo: number, hi: number): void => {
    const base = node * stride;
    expect(count[node]).toBeLessThanOrEqual(slots);
    if (node !== root) expect(count[node]).toBeGreaterThanOrEqual(minFill);
    if (nodes.leaf[node] === 1) {
      if (leafDepth < 0) leafDepth = depth;
      expect(depth, 'all leaves at one depth').toBe(leafDepth);
      leaves.push(node);
      for (let i = 0; i < count[node]; i++) {
        expect(keys[base + i]).toBe(vals[base + i]!.start);
        expect(keys[base + i] >= lo && keys[base + i] < hi, 'key within separators').toBe(true);
        if (i > 0) expect(vals[base + i - 1]!.end).toBeLessThanOrEqual(keys[base + i]);
      }
      for (let i = count[node]; i < stride; i++)
        expect(vals[base + i], 'no stale VMA').toBeUndefined();
      return;
    }
    expect(count[node]).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < count[node]; i++) {
      const kidLo = i === 0 ? lo : keys[base + i - 1];
      const kidHi = i === count[node] - 1 ? hi : keys[base + i];
      expect(kidLo).toBeLessThanOrEqual(kidHi);
      walk(kids[base + i], depth + 1, kidLo, kidHi);
    }
  };
  walk(root, 0, -Infinity, Infinity);
  leaves.forEach((leaf, i) => {
    expect(nodes.prev[leaf]).toBe(leaves[i - 1] ?? NIL);
    expect(nodes.next[leaf]).toBe(leaves[i + 1] ?? NIL);
  });
  const total = leaves.reduce((n, leaf) => n + count[leaf], 0);
  expect(total).toBe(tree.size);
  return total;
}

describe('VmaTree (B+ tree)', () => {
  it('keeps its invariants through random inserts and erases', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(4, 5, 16),
        fc.array(fc.tuple(fc.boolean(), fc.nat(400)), { maxLength: 600 }),
        (slots, ops) => {
          const tree = new VmaTree({ nodeSlots: slots });
          const live = new Map<number, Vma>();
          for (const [add, page] of ops) {
            const v = live.get(page);
            if (add && v === undefined) {
              const fresh = vma(page);
              tree.insert(fresh);
              live.set(page, fresh);
            } else if (!add && v !== undefined) {
              expect(tree.erase(v)).toBe(true);
              live.delete(page);
            }
          }
          expect(checkTree(tree)).toBe(live.size);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('grows and shrinks in depth', () => {
    const tree = new VmaTree({ nodeSlots: 4 });
    const all = Array.from({ length: 1000 }, (_, i) => vma(2 * i));
    for (const v of all) tree.insert(v);
    expect(tree.depth).toBeGreaterThanOrEqual(5);
    checkTree(tree);
    for (const v of all.slice(0, 998)) tree.erase(v);
    expect(tree.depth).toBe(1);
    checkTree(tree);
  });

  it('rejects nodeSlots outside 4..256 naming the value', () => {
    for (const slots of [3, 257, 8.5, Number.NaN]) {
      expect(() => new VmaTree({ nodeSlots: slots })).toThrow(
        new RangeError(`nodeSlots ${slots}: must be an integer in 4..256`),
      );
    }
  });

  it('names the values in its RangeErrors', () => {
    const tree = new VmaTree();
    tree.insert(vma(1, 4));
    expect(() => tree.insert(vma(3, 2))).toThrow(
      'vma [0x3000, 0x5000) overlaps indexed vma [0x1000, 0x5000)',
    );
    expect(() => tree.insert({ start: 0x9000, end: 0x9000, prot: 0, flags: 0 })).toThrow(
      'vma [0x9000, 0x9000)',
    );
    expect(() => tree.findIntersecting(-4, 1)).toThrow('range at -4 of size 1');
  });

  describe('with a tracer', () => {
    it('charges every line of each node on the path of a find', () => {
      const tracer = new RecordingTracer();
      const tree = new VmaTree({ tracer, nodeSlots: 16, label: 'vmas' });
      expect(tree.nodeLines).toBe(Math.ceil((16 + 16 * 16) / 64));
      for (let i = 0; i < 2000; i++) tree.insert(vma(2 * i));
      expect(tracer.labels).toEqual(new Set(['vmas']));
      tracer.reset();
      tree.find(1000 * PAGE);
      expect(tracer.writes).toBe(0);
      expect(tracer.reads).toBe(tree.depth * tree.nodeLines);
      expect(tracer.linesRead.size).toBe(tree.depth * tree.nodeLines);
    });

    it('charges writes for the nodes an insert and an erase modify', () => {
      const tracer = new RecordingTracer();
      const tree = new VmaTree({ tracer });
      const v = vma(5);
      tree.insert(v);
      expect(tracer.writes).toBe(tree.nodeLines);
      tracer.reset();
      expect(tree.erase(v)).toBe(true);
      expect(tracer.writes).toBe(tree.nodeLines);
      tracer.reset();
      expect(tree.erase(v)).toBe(false);
      expect(tracer.writes).toBe(0);
    });

    it('reuses the line ids of freed nodes', () => {
      const tracer = new RecordingTracer();
      const tree = new VmaTree({ tracer, nodeSlots: 4 });
      const all = Array.from({ length: 500 }, (_, i) => vma(2 * i));
      for (const v of all) tree.insert(v);
      const lines = tracer.linesAllocated;
      for (let round = 0; round < 3; round++) {
        for (const v of all) tree.erase(v);
        for (const v of all) tree.insert(v);
      }
      expect(tracer.linesAllocated).toBe(lines);
    });

    it('charges nothing through nullTracer', () => {
      const tree = new VmaTree({ tracer: nullTracer });
      tree.insert(vma(1));
      expect(tree.find(PAGE)).toBeDefined();
    });
  });
});
