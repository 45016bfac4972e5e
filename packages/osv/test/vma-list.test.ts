// The global vma_list allocator: the VmAllocator contract (natively and on a machine, both rwlock
// flavours), the vma_range_set against a plain sorted-array model (insert, remove, find_hole and
// the number of entries OSv's walk passes), and find_hole's cost growing with the VMA count.

import { Errno, HUGE_SIZE, Ok, PAGE_SIZE } from '@unimem/core';
import { vmAllocatorSuite } from '@unimem/core/testing';
import { Machine, nullTracer } from '@unimem/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OSV_MMAP_HINT, OsvVmAllocator } from '../src/index.js';
import { VmaRangeSet } from '../src/vma-range-set.js';

vmAllocatorSuite('osv vma_list (native)', ({ cores }) => new OsvVmAllocator({ cores }));
vmAllocatorSuite(
  'osv vma_list (simulated, rwlock with reader mutex)',
  ({ cores }) => new OsvVmAllocator({ cores, machine: new Machine({ cores }) }),
  { numRuns: 30 },
);
vmAllocatorSuite(
  'osv vma_list (simulated, atomics rwlock)',
  ({ cores }) => new OsvVmAllocator({ cores, machine: new Machine({ cores }), rwlock: 'atomics' }),
  { numRuns: 20 },
);

/** The model: sorted disjoint [start, end) pairs, and OSv's walk over them entry by entry. */
class Model {
  entries: Array<[number, number]> = [];
  insert(s: number, e: number): boolean {
    if (this.entries.some(([a, b]) => a < e && s < b)) return false;
    this.entries.push([s, e]);
    this.entries.sort((x, y) => x[0] - y[0]);
    return true;
  }
  remove(s: number, e: number): boolean {
    const hit = this.entries.filter(([a, b]) => a < e && s < b);
    let at = s;
    for (const [a, b] of hit) {
      if (a > at) return false;
      at = Math.max(at, b);
    }
    if (hit.length === 0 || at < e) return false;
    this.entries = this.entries.filter((x) => !hit.includes(x));
    if (hit[0][0] < s) this.entries.push([hit[0][0], s]);
    const last = hit[hit.length - 1];
    if (last[1] > e) this.entries.push([e, last[1]]);
    this.entries.sort((x, y) => x[0] - y[0]);
    return true;
  }
  /** OSv's walk: [address, entries visited]. */
  findHole(from: number, bound: number, size: number, align: number): [number, number] {
    const list = this.entries;
    let i = list.findIndex(([a]) => a >= from);
    if (i < 0) i = list.length;
    let prevEnd = from;
    let visits = 0;
    if (i > 0) {
      prevEnd = Math.max(from, list[i - 1][1]);
      visits = 1;
    }
    for (; ; i++) {
      const next = i < list.length ? list[i][0] : Number.POSITIVE_INFINITY;
      if (i < list.length) visits++;
      const start = Math.ceil(Math.max(prevEnd, from) / align) * align;
      if (start + size <= Math.min(next, bound)) return [start, visits];
      if (i >= list.length || next >= bound) return [-1, visits];
      prevEnd = list[i][1];
    }
  }
}

const charges = { charge: () => {}, visitCycles: 0, farLineCycles: () => 0 };

describe('vma_range_set', () => {
  it('matches a sorted-array model under random inserts, removes and find_hole', () => {
    const unit = 4096;
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(400),
        pages: fc.integer({ min: 1, max: 12 }),
      }),
      fc.record({
        kind: fc.constant('remove' as const),
        at: fc.nat(400),
        pages: fc.integer({ min: 1, max: 12 }),
      }),
      fc.record({
        kind: fc.constant('hole' as const),
        from: fc.nat(300),
        above: fc.integer({ min: 1, max: 150 }),
        pages: fc.integer({ min: 1, max: 20 }),
        align: fc.constantFrom(1, 1, 2, 4, 16),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const set = new VmaRangeSet(nullTracer, charges);
        const model = new Model();
        for (const step of ops) {
          if (step.kind === 'hole') {
            const bound = (step.from + step.above) * unit;
            const args = [step.from * unit, bound, step.pages * unit, step.align * unit] as const;
            const [addr, visits] = model.findHole(...args);
            expect(set.findHole(...args), JSON.stringify(step)).toBe(addr);
            expect(set.lastVisits, `visits of ${JSON.stringify(step)}`).toBe(visits);
          } else {
            const s = step.at * unit;
            const e = s + step.pages * unit;
            const expected = step.kind === 'insert' ? model.insert(s, e) : model.remove(s, e);
            expect(step.kind === 'insert' ? set.insert(s, e) : set.remove(s, e)).toBe(expected);
          }
          expect(set.toArray()).toEqual(model.entries);
        }
        expect(set.check()).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps its augmentation through many inserts and removes', () => {
    const set = new VmaRangeSet(nullTracer, charges);
    for (let i = 0; i < 5000; i++)
      expect(set.insert(i * 2 * PAGE_SIZE, (i * 2 + 1) * PAGE_SIZE)).toBe(true);
    for (let i = 0; i < 5000; i += 3)
      expect(set.remove(i * 2 * PAGE_SIZE, (i * 2 + 1) * PAGE_SIZE)).toBe(true);
    expect(set.check()).toEqual([]);
    // The first hole of 2 pages is where entry 0 was: [0, 3 pages).
    expect(set.findHole(0, 2 ** 40, 2 * PAGE_SIZE, PAGE_SIZE)).toBe(0);
  });
});

describe('OsvVmAllocator', () => {
  it('reserves from the hint upward, first fit, and prefers 2 MiB alignment for large sizes', () => {
    const vm = new OsvVmAllocator({ cores: 2 });
    const a = vm.reserveRange(0, PAGE_SIZE, PAGE_SIZE);
    const b = vm.reserveRange(1, 3 * PAGE_SIZE, PAGE_SIZE);
    expect(a).toBe(OSV_MMAP_HINT);
    expect(b).toBe(OSV_MMAP_HINT + PAGE_SIZE);
    const big = vm.reserveRange(0, HUGE_SIZE + PAGE_SIZE, PAGE_SIZE);
    expect(big % HUGE_SIZE).toBe(0);
    expect(vm.freeRange(a, PAGE_SIZE)).toBe(Ok);
    expect(vm.reserveRange(1, PAGE_SIZE, PAGE_SIZE)).toBe(a);
    expect(vm.freeRange(a, PAGE_SIZE)).toBe(Ok);
    expect(vm.freeRange(a, PAGE_SIZE)).toBe(Errno.EINVAL);
  });

  it('find_hole walks every VMA below the hole: its cost grows with the number of VMAs', () => {
    const cost = (vmas: number) => {
      const machine = new Machine({ cores: 1 });
      const vm = new OsvVmAllocator({ cores: 1, machine });
      for (let i = 0; i < vmas; i++) vm.reserveRange(0, PAGE_SIZE, PAGE_SIZE);
      const before = machine.now(0);
      vm.reserveRange(0, PAGE_SIZE, PAGE_SIZE);
      expect(vm.ranges.lastVisits).toBe(vmas);
      return machine.now(0) - before;
    };
    const costs = [10, 100, 1000, 10_000].map(cost);
    for (let i = 1; i < costs.length; i++) expect(costs[i]).toBeGreaterThan(costs[i - 1] * 2);
  });
});
