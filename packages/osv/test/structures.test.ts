// The small typed-array structures under the allocator, against plain models.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bitmap } from '../src/bitmap.js';
import { ilog2, ilog2Roundup } from '../src/page-ranges.js';
import { PagedInt32 } from '../src/paged-array.js';
import { PagedRecords } from '../src/paged-records.js';
import { PagedSlots } from '../src/paged-slots.js';
import { ObjectState, PoolPage } from '../src/pool-page.js';

describe('Bitmap', () => {
  it('agrees with a boolean array for fill, anySet, previousSet and count', () => {
    const ops = fc.array(
      fc.record({
        first: fc.integer({ min: 0, max: 199 }),
        count: fc.integer({ min: 1, max: 80 }),
        value: fc.boolean(),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(ops, (list) => {
        const bits = new Bitmap(200);
        const model = new Array<boolean>(200).fill(false);
        for (const { first, count, value } of list) {
          const n = Math.min(count, 200 - first);
          bits.fill(first, n, value);
          model.fill(value, first, first + n);
        }
        expect(bits.count()).toBe(model.filter(Boolean).length);
        for (let i = 0; i < 200; i += 7) {
          expect(bits.get(i)).toBe(model[i]);
          expect(bits.anySet(i, Math.min(13, 200 - i))).toBe(model.slice(i, i + 13).some(Boolean));
          expect(bits.previousSet(i)).toBe(model.lastIndexOf(true, i));
        }
      }),
    );
  });

  it('set and clear touch one bit', () => {
    const bits = new Bitmap(64);
    bits.set(31);
    bits.set(32);
    bits.clear(31);
    expect([bits.get(30), bits.get(31), bits.get(32), bits.count()]).toEqual([
      false,
      false,
      true,
      1,
    ]);
    expect(bits.previousSet(63)).toBe(32);
    expect(bits.previousSet(31)).toBe(-1);
  });
});

describe('PagedInt32', () => {
  it('reads the default until written and allocates only written chunks', () => {
    const array = new PagedInt32(2 ** 31, -1);
    expect(array.get(123_456_789)).toBe(-1);
    array.set(123_456_789, 5);
    array.set(7, -1); // the default: no chunk needed
    expect(array.get(123_456_789)).toBe(5);
    expect(array.get(123_456_790)).toBe(-1);
    expect(array.allocatedBytes()).toBe(4 * 65536);
  });
});

describe('PagedRecords', () => {
  it('agrees field by field with one PagedInt32 per field (the layout it replaced)', () => {
    const DEFAULTS = [0, 0, -1, -1];
    // Frames spread over a few chunks (16 Ki records each) and near chunk edges.
    const frame = fc.oneof(
      fc.integer({ min: 0, max: 70_000 }),
      fc.constantFrom(0, 16_383, 16_384, 32_767, 2 ** 31 - 1),
    );
    const ops = fc.array(
      fc.record({
        frame,
        field: fc.integer({ min: 0, max: 3 }),
        value: fc.oneof(fc.constantFrom(0, -1, 2 ** 31 - 1, -(2 ** 31)), fc.integer()),
      }),
      { maxLength: 200 },
    );
    fc.assert(
      fc.property(ops, fc.array(frame, { maxLength: 50 }), (list, probes) => {
        const records = new PagedRecords(2 ** 31, DEFAULTS);
        const columns = DEFAULTS.map((_, field) => records.column(field));
        const plain = DEFAULTS.map((d) => new PagedInt32(2 ** 31, d));
        for (const { frame: f, field, value } of list) {
          columns[field].set(f, value);
          plain[field].set(f, value);
        }
        for (const f of [...list.map((o) => o.frame), ...probes]) {
          for (let field = 0; field < 4; field++) {
            expect([f, field, columns[field].get(f)]).toEqual([f, field, plain[field].get(f)]);
          }
        }
      }),
    );
  });

  it('reads the defaults until written, allocates only written chunks, rejects bad fields', () => {
    const records = new PagedRecords(2 ** 31, [0, -1]);
    const [a, b] = [records.column(0), records.column(1)];
    b.set(7, -1); // the default: no chunk needed
    expect(records.allocatedBytes()).toBe(0);
    a.set(123_456_789, 5);
    expect([a.get(123_456_789), b.get(123_456_789), b.get(123_456_790)]).toEqual([5, -1, -1]);
    expect(records.allocatedBytes()).toBe(16 * 16_384);
    expect(() => records.column(2)).toThrow(RangeError);
    expect(() => new PagedRecords(10, [0, 0, 0, 0, 0])).toThrow(/fields 5/);
  });
});

describe('PagedSlots', () => {
  it('agrees with a Map keyed by frame (the lookup it replaced) under set, clear and get', () => {
    // Frames spread over a few chunks (16 Ki slots each), near chunk edges and at the top.
    const frame = fc.oneof(
      fc.integer({ min: 0, max: 70_000 }),
      fc.constantFrom(0, 16_383, 16_384, 32_767, 2 ** 31 - 1),
    );
    const ops = fc.array(fc.record({ frame, clear: fc.boolean(), tag: fc.integer() }), {
      maxLength: 200,
    });
    fc.assert(
      fc.property(ops, fc.array(frame, { maxLength: 50 }), (list, probes) => {
        const slots = new PagedSlots<{ tag: number }>(2 ** 31);
        const plain = new Map<number, { tag: number }>();
        for (const { frame: f, clear, tag } of list) {
          if (clear) {
            slots.clear(f);
            plain.delete(f);
          } else {
            const value = { tag };
            slots.set(f, value);
            plain.set(f, value);
          }
          for (const g of [...list.map((o) => o.frame), ...probes]) {
            expect([g, slots.get(g)]).toEqual([g, plain.get(g)]);
          }
        }
      }),
    );
  });

  it('allocates only written chunks and rejects a bad length', () => {
    const slots = new PagedSlots<object>(2 ** 31);
    slots.clear(5); // nothing there: no chunk needed
    expect([slots.get(5), slots.allocatedChunks()]).toEqual([undefined, 0]);
    const page = {};
    slots.set(123_456_789, page);
    expect(slots.get(123_456_789)).toBe(page);
    expect([slots.get(123_456_788), slots.allocatedChunks()]).toEqual([undefined, 1]);
    expect(() => new PagedSlots(-1)).toThrow(/length -1/);
  });
});

/** PoolPage's free list and states as they were kept before: a link array and a state array. */
class PlainPoolPage {
  readonly next: number[] = [];
  readonly state: number[] = [];
  freeHead: number;
  nalloc = 0;
  constructor(objects: number) {
    for (let k = 0; k < objects; k++) {
      this.next.push(k - 1);
      this.state.push(ObjectState.Free);
    }
    this.freeHead = objects - 1;
  }
  pop(): number {
    const k = this.freeHead;
    this.freeHead = this.next[k];
    this.state[k] = ObjectState.Live;
    this.nalloc++;
    return k;
  }
  push(k: number): void {
    this.next[k] = this.freeHead;
    this.freeHead = k;
    this.state[k] = ObjectState.Free;
  }
}

describe('PoolPage', () => {
  it('keeps the free list and object states of separate link and state arrays', () => {
    // op 0: pop; 1: a free on the owner (push) of the pick-th not-free object; 2: a remote
    // free (queue) of the pick-th live object. Classes 3 (507 objects) to 10 (3 objects).
    const ops = fc.array(fc.record({ op: fc.integer({ min: 0, max: 2 }), pick: fc.nat() }), {
      maxLength: 300,
    });
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 10 }), ops, (sizeClass, list) => {
        const page = new PoolPage(7, 7 * 4096, sizeClass, 0);
        const plain = new PlainPoolPage(page.objects);
        for (const { op, pick } of list) {
          if (op === 0) {
            if (plain.freeHead < 0) continue;
            expect(page.pop()).toBe(plain.pop());
          } else {
            const want = op === 1 ? ObjectState.Free : ObjectState.Live;
            const candidates = plain.state.flatMap((s, k) =>
              (s === want) === (op === 2) ? [k] : [],
            );
            if (candidates.length === 0) continue;
            const k = candidates[pick % candidates.length];
            if (op === 1) {
              page.nalloc--;
              plain.nalloc--;
              page.push(k);
              plain.push(k);
            } else {
              page.queue(k);
              plain.state[k] = ObjectState.Queued;
            }
          }
          expect([page.freeHead, page.nalloc]).toEqual([plain.freeHead, plain.nalloc]);
          expect(plain.state.map((_, k) => page.stateOf(k))).toEqual(plain.state);
        }
      }),
    );
  });
});

describe('ilog2', () => {
  it('floors and rounds up', () => {
    expect([1, 2, 3, 4, 5, 2 ** 20, 2 ** 31 - 1].map(ilog2)).toEqual([0, 1, 1, 2, 2, 20, 30]);
    expect([1, 2, 3, 4, 5, 2 ** 20 + 1].map(ilog2Roundup)).toEqual([0, 1, 2, 2, 3, 21]);
  });
});
