import type { Vma } from '@unimem/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AvlVmaTree } from '../src/index.js';
import { RecordingTracer } from './recording-tracer.js';

const PAGE = 0x1000;
const vma = (page: number): Vma => ({
  start: page * PAGE,
  end: (page + 1) * PAGE,
  prot: 3,
  flags: 0x22,
});

/** The private state the invariant check reads. */
interface Internals {
  root: number;
  starts: Float64Array;
  left: Int32Array;
  right: Int32Array;
  height: Int8Array;
  vals: (Vma | undefined)[];
}

/** Checks order, stored heights and the AVL balance; returns the number of nodes. */
function checkTree(tree: AvlVmaTree): number {
  const t = tree as unknown as Internals;
  let nodes = 0;
  const walk = (node: number, lo: number, hi: number): number => {
    if (node === 0) return 0;
    nodes++;
    expect(t.starts[node]).toBe(t.vals[node]!.start);
    expect(t.starts[node] >= lo && t.starts[node] < hi, 'search order').toBe(true);
    const hl = walk(t.left[node], lo, t.starts[node]);
    const hr = walk(t.right[node], t.starts[node], hi);
    expect(Math.abs(hl - hr), 'balanced').toBeLessThanOrEqual(1);
    expect(t.height[node], 'stored height').toBe(Math.max(hl, hr) + 1);
    return t.height[node];
  };
  walk(t.root, -Infinity, Infinity);
  expect(nodes).toBe(tree.size);
  return nodes;
}

describe('AvlVmaTree', () => {
  it('stays a balanced search tree through random inserts and erases', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(300)), { maxLength: 600 }), (ops) => {
        const tree = new AvlVmaTree();
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
      }),
      { numRuns: 150 },
    );
  });

  it('stays within the AVL height bound for sorted inserts', () => {
    const tree = new AvlVmaTree();
    for (let i = 0; i < 4095; i++) tree.insert(vma(i));
    expect(tree.depth).toBeLessThanOrEqual(Math.ceil(1.45 * Math.log2(4097)));
    checkTree(tree);
  });

  it('charges one line per node visited and reuses freed lines', () => {
    const tracer = new RecordingTracer();
    const tree = new AvlVmaTree({ tracer });
    const all = Array.from({ length: 1000 }, (_, i) => vma(2 * i));
    for (const v of all) tree.insert(v);
    expect(tracer.linesAllocated).toBe(1000);
    tracer.reset();
    expect(tree.find(all[500].start)).toBe(all[500]);
    expect(tracer.writes).toBe(0);
    expect(tracer.reads).toBeGreaterThan(0);
    expect(tracer.reads).toBeLessThanOrEqual(tree.depth);
    for (const v of all.slice(0, 600)) tree.erase(v);
    for (const v of all.slice(0, 600)) tree.insert(v);
    expect(tracer.linesAllocated).toBe(1000);
    checkTree(tree);
  });
});
