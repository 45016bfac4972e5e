import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SIZE_CODES, SIZES, TlbLevel } from '../src/tlb-level.js';

// The reference: per-slot timestamps, every set scanned whole on lookup and fill (the level as
// it was before recency lists and presence counts). The two must pick the same slots.
class ScanLevel {
  readonly tags: number[];
  readonly codes: number[];
  readonly leaves: number[];
  readonly gens: number[];
  readonly stamps: number[];
  private tick = 0;
  readonly sets: number;

  constructor(
    readonly cores: number,
    readonly entries: number,
    readonly ways: number,
  ) {
    this.sets = entries / ways;
    const n = cores * entries;
    this.tags = Array(n).fill(-1);
    this.codes = Array(n).fill(0);
    this.leaves = Array(n).fill(0);
    this.gens = Array(n).fill(0);
    this.stamps = Array(n).fill(0);
  }

  private first(core: number, page: number): number {
    return (core * this.sets + (page % this.sets)) * this.ways;
  }

  find(core: number, gen: number, va: number): number {
    for (let code = 0; code < SIZE_CODES; code++) {
      const page = Math.floor(va / SIZES[code]);
      const first = this.first(core, page);
      for (let slot = first; slot < first + this.ways; slot++) {
        if (this.tags[slot] === page * 4 + code && this.gens[slot] === gen) return slot;
      }
    }
    return -1;
  }

  touch(slot: number): void {
    this.stamps[slot] = ++this.tick;
  }

  insert(core: number, gen: number, va: number, code: number, leaf: number): void {
    const page = Math.floor(va / SIZES[code]);
    const first = this.first(core, page);
    let victim = first;
    let victimStamp = Number.POSITIVE_INFINITY;
    for (let slot = first; slot < first + this.ways; slot++) {
      const valid = this.gens[slot] === gen && this.tags[slot] !== -1;
      if (valid && this.tags[slot] === page * 4 + code) {
        this.leaves[slot] = leaf;
        this.touch(slot);
        return;
      }
      const age = valid ? this.stamps[slot] : -1;
      if (age < victimStamp) {
        victim = slot;
        victimStamp = age;
      }
    }
    this.tags[victim] = page * 4 + code;
    this.codes[victim] = code;
    this.leaves[victim] = leaf;
    this.gens[victim] = gen;
    this.touch(victim);
  }

  remove(core: number, gen: number, va: number): number {
    let removed = 0;
    for (let slot = this.find(core, gen, va); slot >= 0; slot = this.find(core, gen, va)) {
      this.tags[slot] = -1;
      removed++;
    }
    return removed;
  }

  validCount(core: number, gen: number): number {
    let n = 0;
    for (let slot = core * this.entries; slot < (core + 1) * this.entries; slot++) {
      if (this.gens[slot] === gen && this.tags[slot] !== -1) n++;
    }
    return n;
  }
}

type Op =
  | { kind: 'insert'; core: number; page: number; code: number }
  | { kind: 'find'; core: number; page: number }
  | { kind: 'remove'; core: number; page: number }
  | { kind: 'flush'; core: number };

const op = (cores: number): fc.Arbitrary<Op> =>
  // Flushes rare enough that sets fill and evict between them.
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('insert' as const),
        core: fc.nat(cores - 1),
        page: fc.nat(40),
        code: fc.constantFrom(0, 0, 0, 1, 2),
      }),
    },
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('find' as const),
        core: fc.nat(cores - 1),
        page: fc.nat(40),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('remove' as const),
        core: fc.nat(cores - 1),
        page: fc.nat(40),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('flush' as const), core: fc.nat(cores - 1) }),
    },
  );

describe('TlbLevel', () => {
  it('chooses the same slots as a full scan with timestamps (fully and set-associative)', () => {
    const cores = 2;
    fc.assert(
      fc.property(
        fc.constantFrom([8, 8], [8, 2], [12, 4], [4, 1]),
        fc.array(op(cores), { minLength: 50, maxLength: 400 }),
        ([entries, ways], ops) => {
          const level = new TlbLevel(cores, entries, ways, 'test');
          const ref = new ScanLevel(cores, entries, ways);
          const gens = [1, 1];
          for (const o of ops) {
            const gen = gens[o.core];
            if (o.kind === 'flush') {
              gens[o.core]++;
              level.clear(o.core);
              continue;
            }
            // Pages spread over 4 KiB, 2 MiB and 1 GiB boundaries.
            const va = (o.page % 7) * 2 ** 30 + (o.page % 5) * 2 ** 21 + o.page * 4096;
            if (o.kind === 'insert') {
              level.insert(o.core, gen, va, o.code, o.page * 8);
              ref.insert(o.core, gen, va, o.code, o.page * 8);
            } else if (o.kind === 'find') {
              const slot = level.find(o.core, gen, va);
              expect(slot).toBe(ref.find(o.core, gen, va));
              if (slot >= 0) {
                level.touch(slot);
                ref.touch(slot);
              }
            } else {
              expect(level.remove(o.core, gen, va)).toBe(ref.remove(o.core, gen, va));
            }
          }
          for (let core = 0; core < cores; core++) {
            let counted = 0;
            for (let code = 0; code < SIZE_CODES; code++) {
              counted += level.counts[core * SIZE_CODES + code];
            }
            expect(counted).toBe(ref.validCount(core, gens[core]));
          }
          expect(Array.from(level.tags)).toEqual(ref.tags);
          expect(Array.from(level.leaves)).toEqual(ref.leaves);
        },
      ),
      { numRuns: 300 },
    );
  });
});
