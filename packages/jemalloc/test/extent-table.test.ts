// The extent table's packed records against the plain version they replaced: one typed array
// per field (Float64 addr/size/sn/usize, Uint8 state/slab, Uint32 bits, Int32 the rest) and a
// stored first line per handle, allocated in batches of 1024 as the table does. Random
// sequences of creates (past growth and line-batch boundaries), inits and stores of every field,
// with values at the ends of each field's range, must read back the same from both.

import type { LineTracer } from '@unimem/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExtentTable } from '../src/extent.js';

const LINE_BATCH = 1024;

/** The column layout the table had before its records. */
class PlainTable {
  addr: number[] = [];
  size: number[] = [];
  sn: number[] = [];
  usize: number[] = [];
  offset: number[] = [];
  arena: number[] = [];
  szind: number[] = [];
  state: number[] = [];
  slab: number[] = [];
  nfree: number[] = [];
  bits: number[] = [];
  bitmapSlot: number[] = [];
  heapIndex: number[] = [];
  lruPrev: number[] = [];
  lruNext: number[] = [];
  line: number[] = [];
  count = 0;
  private nextLine = 0;
  private linesLeft = 0;
  constructor(private readonly tracer: LineTracer) {}

  create(): number {
    const handle = this.count++;
    if (this.linesLeft === 0) {
      this.nextLine = this.tracer.allocLines(LINE_BATCH * 2, 'edata');
      this.linesLeft = LINE_BATCH;
    }
    this.line[handle] = this.nextLine;
    this.nextLine += 2;
    this.linesLeft--;
    for (const column of [
      this.addr,
      this.size,
      this.sn,
      this.usize,
      this.offset,
      this.arena,
      this.szind,
      this.state,
      this.slab,
      this.nfree,
      this.bits,
    ]) {
      column[handle] = 0;
    }
    this.heapIndex[handle] = -1;
    this.lruPrev[handle] = -1;
    this.lruNext[handle] = -1;
    this.bitmapSlot[handle] = -1;
    return handle;
  }
}

/** A tracer whose batches start at irregular line ids, as when other parts allocate between. */
function tracer(gaps: number[]): LineTracer {
  let next = 0;
  let call = 0;
  return {
    allocLines: (count) => {
      const first = next + gaps[call++ % gaps.length];
      next = first + count;
      return first;
    },
    read: () => {},
    write: () => {},
    rmw: () => {},
  };
}

type Field = (typeof FIELDS)[number];
/** Settable fields, the typed-array conversion each had, and values at the ends of its range. */
const FIELDS = [
  'addr',
  'size',
  'usize',
  'sn',
  'offset',
  'szind',
  'state',
  'slab',
  'nfree',
  'bits',
  'heapIndex',
  'lruPrev',
  'lruNext',
] as const;
const u32 = (v: number) => v >>> 0;
const i32 = (v: number) => v | 0;
const CONVERT: Record<Field, (v: number) => number> = {
  addr: (v) => v,
  size: (v) => v,
  usize: (v) => v,
  sn: (v) => v,
  offset: i32,
  szind: i32,
  state: (v) => v & 0xff,
  slab: (v) => v & 0xff,
  nfree: i32,
  bits: u32,
  heapIndex: i32,
  lruPrev: i32,
  lruNext: i32,
};
const VALUES: Record<Field, fc.Arbitrary<number>> = {
  addr: fc.oneof(fc.constantFrom(0, 2 ** 47, 2 ** 53 - 4096), fc.nat({ max: 2 ** 40 })),
  size: fc.oneof(fc.constantFrom(4096, 2 ** 46), fc.nat({ max: 2 ** 40 })),
  usize: fc.oneof(fc.constantFrom(0, 2 ** 52), fc.nat({ max: 2 ** 40 })),
  sn: fc.oneof(fc.constantFrom(0, 0x7fffffff), fc.nat()),
  offset: fc.integer({ min: 0, max: 4032 }),
  szind: fc.integer({ min: -1, max: 232 }),
  state: fc.integer({ min: 0, max: 3 }),
  slab: fc.integer({ min: 0, max: 1 }),
  nfree: fc.integer({ min: 0, max: 512 }),
  bits: fc.oneof(fc.constantFrom(0, 0xffffffff, 0x80000000), fc.nat({ max: 0xffffffff })),
  heapIndex: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  lruPrev: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  lruNext: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
};

type Op =
  | { kind: 'create'; count: number }
  | { kind: 'init'; pick: number; arena: number; addr: number; size: number; sn: number }
  | { kind: 'set'; pick: number; field: Field; value: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), count: fc.integer({ min: 1, max: 700 }) }),
  fc.record({
    kind: fc.constant('init' as const),
    pick: fc.nat(),
    arena: fc.integer({ min: 0, max: 16384 }),
    addr: VALUES.addr,
    size: VALUES.size,
    sn: VALUES.sn,
  }),
  fc.constantFrom(...FIELDS).chain((field) =>
    fc.record({
      kind: fc.constant('set' as const),
      pick: fc.nat(),
      field: fc.constant(field),
      value: VALUES[field],
    }),
  ),
);

/** The table's setter of each field. */
const SETTERS: Record<Field, (t: ExtentTable, h: number, v: number) => void> = {
  addr: (t, h, v) => t.setAddr(h, v),
  size: (t, h, v) => t.setSize(h, v),
  usize: (t, h, v) => t.setUsize(h, v),
  sn: (t, h, v) => t.setSn(h, v),
  offset: (t, h, v) => t.setOffset(h, v),
  szind: (t, h, v) => t.setSzind(h, v),
  state: (t, h, v) => t.setState(h, v),
  slab: (t, h, v) => t.setSlab(h, v),
  nfree: (t, h, v) => t.setNfree(h, v),
  bits: (t, h, v) => t.setBits(h, v),
  heapIndex: (t, h, v) => t.setHeapIndex(h, v),
  lruPrev: (t, h, v) => t.setLruPrev(h, v),
  lruNext: (t, h, v) => t.setLruNext(h, v),
};

function check(table: ExtentTable, plain: PlainTable): void {
  const n = plain.count;
  const read = (get: (h: number) => number) => Array.from({ length: n }, (_, h) => get(h));
  for (const field of FIELDS) {
    expect([field, read((h) => table[field](h))]).toEqual([field, plain[field]]);
  }
  expect(read((h) => table.arena(h))).toEqual(plain.arena);
  expect(read((h) => table.bitmapSlot(h))).toEqual(plain.bitmapSlot);
  expect(read((h) => table.line(h))).toEqual(plain.line);
}

describe('ExtentTable records', () => {
  it('read back what the plain columns hold, across growth and line batches', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 5000 }), { minLength: 1, maxLength: 4 }),
        fc.array(op, { minLength: 1, maxLength: 40 }),
        (gaps, ops) => {
          const table = new ExtentTable(tracer(gaps));
          const plain = new PlainTable(tracer(gaps));
          for (const o of ops) {
            if (o.kind === 'create') {
              for (let i = 0; i < o.count; i++) expect(table.create()).toBe(plain.create());
              continue;
            }
            if (plain.count === 0) continue;
            const h = o.pick % plain.count;
            if (o.kind === 'init') {
              const state = o.sn % 4;
              table.init(h, o.arena, o.addr, o.size, o.sn, state);
              plain.addr[h] = o.addr;
              plain.size[h] = o.size;
              plain.sn[h] = o.sn;
              plain.state[h] = state;
              plain.arena[h] = o.arena;
              plain.szind[h] = -1;
              plain.slab[h] = 0;
              plain.usize[h] = 0;
              plain.offset[h] = 0;
              plain.nfree[h] = 0;
            } else {
              SETTERS[o.field](table, h, o.value);
              plain[o.field][h] = CONVERT[o.field](o.value);
            }
          }
          check(table, plain);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('takes and returns bitmap slots per record', () => {
    const table = new ExtentTable(tracer([0]));
    const a = table.create();
    const b = table.create();
    expect([table.takeBitmap(a), table.takeBitmap(b)]).toEqual([0, 1]);
    expect([table.bitmapSlot(a), table.bitmapSlot(b)]).toEqual([0, 1]);
    table.releaseBitmap(a);
    expect(table.bitmapSlot(a)).toBe(-1);
    expect(table.takeBitmap(a)).toBe(0);
  });

  it('rejects a serial number an int32 field cannot hold', () => {
    const table = new ExtentTable(tracer([0]));
    const h = table.create();
    expect(() => table.init(h, 0, 0, 4096, 2 ** 31, 0)).toThrow(/serial number 2147483648/);
  });
});
