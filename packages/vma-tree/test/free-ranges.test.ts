// FreeRanges against a page-bitmap model (fast-check): first fit from the end, remove, insert
// with coalescing, refusals that change nothing; and the cache lines it charges a tracer.

import { nullTracer } from '@unimem/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FreeRanges } from '../src/index.js';
import { RecordingTracer } from './recording-tracer.js';

const P = 4096;
const PAGES = 128;

/** Maximal runs of free pages of a page bitmap, as byte ranges. */
function runs(free: boolean[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < free.length; i++) {
    if (!free[i]) continue;
    const start = i;
    while (i < free.length && free[i]) i++;
    out.push([start * P, i * P]);
  }
  return out;
}

describe('FreeRanges', () => {
  it('carves first fit from the end of the lowest range that fits', () => {
    const ranges = new FreeRanges(nullTracer, 0);
    ranges.insert(0, 4 * P);
    ranges.insert(10 * P, 10 * P);
    expect(ranges.takeFirstFit(2 * P, P)).toBe(2 * P);
    expect(ranges.toArray()).toEqual([
      [0, 2 * P],
      [10 * P, 20 * P],
    ]);
    expect(ranges.takeFirstFit(3 * P, P)).toBe(17 * P);
    expect(ranges.takeFirstFit(2 * P, P)).toBe(0);
    expect(ranges.toArray()).toEqual([[10 * P, 17 * P]]);
    expect(ranges.takeFirstFit(8 * P, P)).toBe(-1);
    expect(ranges.takeFirstFit(7 * P, P)).toBe(10 * P);
    expect(ranges.size).toBe(0);
    expect(ranges.freeBytes).toBe(0);
  });

  it('aligns first fit, leaving the slack at the end as its own range', () => {
    const ranges = new FreeRanges(nullTracer, 0);
    ranges.insert(P, 40 * P);
    expect(ranges.takeFirstFit(P, 16 * P)).toBe(32 * P);
    expect(ranges.toArray()).toEqual([
      [P, 32 * P],
      [33 * P, 41 * P],
    ]);
    expect(ranges.takeFirstFit(20 * P, 16 * P)).toBe(-1);
    expect(ranges.takeFirstFit(16 * P, 16 * P)).toBe(16 * P);
    expect(ranges.takeFirstFit(P, 64 * P)).toBe(-1);
    expect(ranges.freeBytes).toBe(40 * P - 17 * P);
  });

  it('coalesces inserts with both neighbours and rejects any overlap unchanged', () => {
    const ranges = new FreeRanges(nullTracer, 0);
    expect(ranges.insert(0, P)).toBe(true);
    expect(ranges.insert(2 * P, P)).toBe(true);
    expect(ranges.insert(4 * P, P)).toBe(true);
    expect(ranges.size).toBe(3);
    expect(ranges.insert(P, P)).toBe(true);
    expect(ranges.toArray()).toEqual([
      [0, 3 * P],
      [4 * P, 5 * P],
    ]);
    for (const [addr, size] of [
      [0, P],
      [2 * P, 2 * P],
      [3 * P, 2 * P],
      [4 * P, P],
      [3 * P, 3 * P],
    ]) {
      expect(ranges.insert(addr, size), `insert(${addr / P}, ${size / P})`).toBe(false);
    }
    expect(ranges.freeBytes).toBe(4 * P);
    expect(ranges.insert(3 * P, P)).toBe(true);
    expect(ranges.toArray()).toEqual([[0, 5 * P]]);
  });

  it('removes only what one range holds entirely', () => {
    const ranges = new FreeRanges(nullTracer, 0);
    ranges.insert(0, 10 * P);
    expect(ranges.remove(3 * P, 2 * P)).toBe(true);
    expect(ranges.remove(2 * P, 2 * P)).toBe(false);
    expect(ranges.remove(9 * P, 2 * P)).toBe(false);
    expect(ranges.covers(5 * P, 5 * P)).toBe(true);
    expect(ranges.covers(4 * P, P)).toBe(false);
    expect(ranges.toArray()).toEqual([
      [0, 3 * P],
      [5 * P, 10 * P],
    ]);
    expect(ranges.remove(0, 3 * P)).toBe(true);
    expect(ranges.remove(9 * P, P)).toBe(true);
    expect(ranges.remove(5 * P, P)).toBe(true);
    expect(ranges.toArray()).toEqual([[6 * P, 9 * P]]);
  });

  it('equals a page bitmap under random inserts, removes and first fits', () => {
    const op = fc.record({
      kind: fc.constantFrom('insert', 'remove', 'fit'),
      page: fc.nat(PAGES - 1),
      pages: fc.integer({ min: 1, max: 12 }),
      alignPages: fc.constantFrom(1, 1, 2, 8),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const ranges = new FreeRanges(nullTracer, 0, 1);
        const free = new Array<boolean>(PAGES).fill(false);
        for (const { kind, page, pages, alignPages } of ops) {
          const n = Math.min(pages, PAGES - page);
          const span = free.slice(page, page + n);
          if (kind === 'insert') {
            const ok = span.every((f) => !f);
            expect(ranges.insert(page * P, n * P)).toBe(ok);
            if (ok) free.fill(true, page, page + n);
          } else if (kind === 'remove') {
            const before = runs(free);
            const whole = before.some(([s, e]) => s <= page * P && (page + n) * P <= e);
            expect(ranges.remove(page * P, n * P)).toBe(whole);
            if (whole) free.fill(false, page, page + n);
          } else {
            let expected = -1;
            for (const [s, e] of runs(free)) {
              const addr = Math.floor((e - pages * P) / (alignPages * P)) * alignPages * P;
              if (addr >= s) {
                expected = addr;
                break;
              }
            }
            expect(ranges.takeFirstFit(pages * P, alignPages * P)).toBe(expected);
            if (expected >= 0) free.fill(false, expected / P, expected / P + pages);
          }
          expect(ranges.toArray()).toEqual(runs(free));
          expect(ranges.freeBytes).toBe(free.filter((f) => f).length * P);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('charges the header, one line per node visited or changed, and reuses erased lines', () => {
    const tracer = new RecordingTracer();
    const header = tracer.allocLines(1, 'header');
    const node = (i: number) => header + 1 + i; // the lines the three inserts take, in order
    const ranges = new FreeRanges(tracer, header);
    ranges.insert(0, P);
    ranges.insert(4 * P, P);
    ranges.insert(8 * P, P);
    expect(tracer.linesAllocated).toBe(4);
    tracer.reset();
    expect(ranges.takeFirstFit(P, P)).toBe(0);
    // Header read, node 0 read, node 0 erased (written), its successor relinked, header written.
    expect(tracer.readOrder).toEqual([header, node(0)]);
    expect(tracer.writeOrder).toEqual([node(0), node(1), header]);
    tracer.reset();
    ranges.insert(12 * P, P);
    expect(tracer.linesAllocated).toBe(4);
    expect(tracer.writeOrder[0]).toBe(node(0));
    expect(tracer.readOrder[0]).toBe(header);
    tracer.reset();
    expect(ranges.takeFirstFit(P, 64 * P)).toBe(-1);
    expect(tracer.readOrder).toEqual([header, node(1), node(2), node(0)]);
    expect(tracer.writeOrder).toEqual([]);
  });
});
