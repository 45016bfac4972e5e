import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AtomicWords, Machine, NativeWords, TracedWords } from '../src/index.js';

type Op =
  | { kind: 'load'; index: number }
  | { kind: 'store' | 'add' | 'sub' | 'and' | 'or' | 'exchange'; index: number; value: number }
  | { kind: 'cas'; index: number; expected: number; value: number; hit: boolean };

const WORDS = 40;

/** Values beyond int32 too: both sides must wrap them identically (ToInt32). */
const value = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.constantFrom(0, -1, 1),
);
const index = fc.integer({ min: 0, max: WORDS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('load' as const), index }),
  fc.record({
    kind: fc.constantFrom('store', 'add', 'sub', 'and', 'or', 'exchange'),
    index,
    value,
  }),
  // `hit`: use the word's current value as `expected`, so CAS succeeds as often as it fails.
  fc.record({
    kind: fc.constant('cas' as const),
    index,
    expected: value,
    value,
    hit: fc.boolean(),
  }),
);

function apply(words: AtomicWords, o: Op): number | undefined {
  switch (o.kind) {
    case 'load':
      return words.load(o.index);
    case 'store':
      words.store(o.index, o.value);
      return undefined;
    case 'cas':
      return words.cas(o.index, o.hit ? words.load(o.index) : o.expected, o.value);
    default:
      return words[o.kind](o.index, o.value);
  }
}

describe('TracedWords', () => {
  it('has the semantics of NativeWords (random operation sequences)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 4, 56, 64, 100),
        fc.array(op, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 4 }),
        (byteOffset, ops, cores) => {
          const machine = new Machine({ cores });
          const size = byteOffset + 4 * WORDS + 8;
          const nativeBuffer = new SharedArrayBuffer(size);
          const tracedBuffer = new SharedArrayBuffer(size);
          const native = new NativeWords(nativeBuffer, byteOffset, WORDS);
          const traced = new TracedWords(machine, tracedBuffer, byteOffset, WORDS);
          ops.forEach((o, i) => {
            // In simulated-time order: each operation starts after every earlier one.
            const handle = machine.core(i % cores);
            handle.advanceTo(Math.max(...machine.clocks));
            const outer = handle.bind();
            try {
              expect(apply(traced, o)).toBe(apply(native, o));
            } finally {
              handle.unbind(outer);
            }
          });
          expect(new Int32Array(tracedBuffer)).toEqual(new Int32Array(nativeBuffer));
          // Every operation touched exactly one line; a `hit` CAS also loads first.
          const loads = ops.filter((o) => o.kind === 'cas' && o.hit).length;
          expect(machine.counters.totalOf('lineAccesses')).toBe(ops.length + loads);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('throws like NativeWords on an index out of range, and charges nothing', () => {
    const machine = new Machine({ cores: 1 });
    const traced = new TracedWords(machine, new ArrayBuffer(64));
    const native = new NativeWords(new ArrayBuffer(64));
    expect(() => native.load(16)).toThrow(RangeError);
    expect(() => traced.load(16)).toThrow(RangeError);
    expect(() => traced.add(-1, 1)).toThrow(RangeError);
    expect(machine.counters.totalOf('lineAccesses')).toBe(0);
  });

  it("maps words to the buffer's 64-byte lines", () => {
    const machine = new Machine({ cores: 1 });
    machine.lines.allocLines(5, 'before');
    // Bytes 56..136: buffer lines 0 (56..63), 1 (64..127) and 2 (128..135).
    const words = new TracedWords(machine, new ArrayBuffer(256), 56, 20, 'test');
    expect(words.firstLine).toBe(5);
    expect(words.lineCount).toBe(3);
    expect(machine.lines.allocated).toBe(8);
    expect(machine.lines.regions.at(-1)).toEqual({ label: 'test', first: 5, count: 3 });
    expect([0, 1, 2, 17, 18, 19].map((i) => words.lineOf(i))).toEqual([5, 5, 6, 6, 7, 7]);
    expect(new TracedWords(machine, new ArrayBuffer(64), 64, 0).lineCount).toBe(0);
  });

  it('charges every access: a miss first, then hits on the same line', () => {
    const machine = new Machine({ cores: 2 });
    const words = new TracedWords(machine, new SharedArrayBuffer(128));
    const { counters, costs } = machine;
    words.load(0);
    expect(machine.now(0)).toBe(costs.dram);
    for (let i = 1; i < 16; i++) words.load(i);
    words.store(3, 7);
    words.add(4, 1);
    words.cas(5, 0, 1);
    words.cas(5, 0, 2); // fails, still a locked RMW
    expect(counters.totalOf('lineAccesses')).toBe(20);
    expect(counters.totalOf('lineMisses')).toBe(1);
    expect(machine.now(0)).toBe(costs.dram + 19 * costs.l1Hit + 3 * costs.atomicRmw);
    // Word 16 is on the next line: a miss of its own.
    words.or(16, 1);
    expect(counters.totalOf('lineMisses')).toBe(2);
    // Core 1 reading a word core 0 wrote pays a transfer.
    const one = machine.core(1);
    one.advanceTo(machine.now(0));
    const outer = one.bind();
    words.load(3);
    one.unbind(outer);
    expect(counters.get(1, counters.define('lineTransfers'))).toBe(1);
  });

  it('rejects views that do not fit, naming the value', () => {
    const machine = new Machine({ cores: 1 });
    expect(() => new TracedWords(machine, new ArrayBuffer(64), 2)).toThrow(/byteOffset 2/);
    expect(() => new TracedWords(machine, new ArrayBuffer(64), 0, 17)).toThrow(/length 17/);
  });
});
