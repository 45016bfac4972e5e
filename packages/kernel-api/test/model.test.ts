// Property tests of UnikernelMemory against a page model, with the whole-state invariants of
// invariants.ts checked after every operation: random mmap (lazy, MAP_POPULATE, MAP_FIXED,
// sizes that allow 2 MiB pages), munmap, mprotect, madvise (DONTNEED, FREE, NOHUGEPAGE) and
// touch from several cores. At the end everything is unmapped and free physical memory and the
// page-table pages are back to their values after boot.

import { Advice, Errno, MapFlags, Ok, Prot } from '@unimem/core';
import { Machine } from '@unimem/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UnikernelMemory } from '../src/index.js';
import { checkInvariants } from './invariants.js';
import { oneBucketOsv, optimizedOsv } from './parts.js';

const PAGE = 4096;
const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;
const RW = Prot.READ | Prot.WRITE;
const CORES = 4;
const MEMORY = 128 * 2 ** 20;
const RUNS = Number(process.env.MODEL_RUNS ?? 50);
/** Generous: MODEL_RUNS=1000 is how the suite was shaken before it was committed. */
const TIMEOUT = 600_000;

type Op =
  | { kind: 'mmap'; core: number; pages: number; prot: number; populate: boolean }
  | { kind: 'fixed'; core: number; base: number; offset: number; pages: number; prot: number }
  | {
      kind: 'munmap' | 'dontneed' | 'free' | 'nohuge';
      core: number;
      base: number;
      offset: number;
      pages: number;
    }
  | { kind: 'mprotect'; core: number; base: number; offset: number; pages: number; prot: number }
  | { kind: 'touch'; core: number; base: number; offset: number; write: boolean };

const core = fc.integer({ min: 0, max: CORES - 1 });
const prot = fc.constantFrom(Prot.NONE, Prot.READ, RW, RW);
const base = fc.nat(1000);
const offset = fc.integer({ min: 0, max: 1000 });
const pages = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 500, max: 1100 }));
const ranged = (kind: 'munmap' | 'dontneed' | 'free' | 'nohuge') =>
  fc.record({ kind: fc.constant(kind), core, base, offset, pages });
const op = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('mmap' as const),
      core,
      pages,
      prot,
      populate: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('fixed' as const), core, base, offset, pages, prot }),
  },
  { weight: 2, arbitrary: ranged('munmap') },
  { weight: 1, arbitrary: ranged('dontneed') },
  { weight: 1, arbitrary: ranged('free') },
  { weight: 1, arbitrary: ranged('nohuge') },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('mprotect' as const),
      core,
      base,
      offset,
      pages,
      prot,
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('touch' as const),
      core,
      base,
      offset,
      write: fc.boolean(),
    }),
  },
);
const ops = fc.array(op, { minLength: 1, maxLength: 50 });

function expectedTouch(prot: number | undefined, write: boolean): number {
  if (prot === undefined) return Errno.EFAULT;
  if (write) return (prot & Prot.WRITE) !== 0 ? Ok : Errno.EACCES;
  return prot !== Prot.NONE ? Ok : Errno.EACCES;
}

function runModel(system: UnikernelMemory, sequence: Op[], tight = false): void {
  system.boot();
  const bootFree = system.stats().freePhysBytes;
  const bootTables = system.tablePages();
  const model = new Map<number, number>();
  const known = new Set<number>();
  /** Mappings made so far: address and pages (ranges are chosen around them). */
  const bases: Array<[number, number]> = [];
  const range = (first: number, n: number) => Array.from({ length: n }, (_, i) => first + i * PAGE);
  for (const op of sequence) {
    if (op.kind === 'mmap') {
      const flags = ANON | (op.populate ? MapFlags.POPULATE : 0);
      const addr = system.mmap(op.core, op.pages * PAGE, op.prot, flags);
      if (addr === Errno.ENOMEM && op.populate) continue;
      expect(addr).toBeGreaterThanOrEqual(0);
      for (const page of range(addr, op.pages)) {
        model.set(page, op.prot);
        known.add(page);
      }
      bases.push([addr, op.pages]);
    } else if (bases.length > 0) {
      const [at, size] = bases[op.base % bases.length];
      const first = Math.max(0, at + (Math.floor((op.offset / 1000) * (size + 4)) - 2) * PAGE);
      if (op.kind === 'touch') {
        if (known.has(first)) {
          const result = system.touch(op.core, first, op.write);
          const expected = expectedTouch(model.get(first), op.write);
          if (!(tight && expected === Ok && result === Errno.ENOMEM)) {
            expect(result, JSON.stringify(op)).toBe(expected);
          }
        }
      } else {
        const pagesOf = range(first, op.pages);
        const covered = pagesOf.every((page) => model.has(page));
        const length = op.pages * PAGE;
        if (op.kind === 'fixed') {
          const addr = system.mmap(op.core, length, op.prot, ANON | MapFlags.FIXED, first);
          if (addr === first) {
            for (const page of pagesOf) model.set(page, op.prot);
            for (const page of pagesOf) known.add(page);
            bases.push([first, op.pages]);
          } else expect([Errno.EINVAL, Errno.ENOMEM]).toContain(addr);
        } else if (op.kind === 'munmap') {
          expect(system.munmap(op.core, first, length)).toBe(Ok);
          for (const page of pagesOf) model.delete(page);
        } else if (op.kind === 'mprotect') {
          expect(system.mprotect(op.core, first, length, op.prot)).toBe(
            covered ? Ok : Errno.ENOMEM,
          );
          if (covered) for (const page of pagesOf) model.set(page, op.prot);
        } else {
          const advice =
            op.kind === 'dontneed'
              ? Advice.DONTNEED
              : op.kind === 'free'
                ? Advice.FREE
                : Advice.NOHUGEPAGE;
          expect(system.madvise(op.core, first, length, advice)).toBe(covered ? Ok : Errno.ENOMEM);
        }
      }
    }
    checkInvariants(system);
  }
  for (const [addr, size] of bases) {
    expect(system.munmap(0, Math.max(0, addr - 2 * PAGE), (2 * size + 4) * PAGE)).toBe(Ok);
  }
  checkInvariants(system);
  expect(system.stats().vmas).toBe(0);
  expect(system.stats().freePhysBytes).toBe(bootFree);
  expect(system.tablePages()).toBe(bootTables);
}

describe('UnikernelMemory against a page model', () => {
  it(
    'optimized OSv (LLFree + superblocks, global flush)',
    () => {
      fc.assert(
        fc.property(ops, (sequence) =>
          runModel(optimizedOsv(new Machine({ cores: CORES }), { memoryBytes: MEMORY }), sequence),
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'one bucket with targeted INVLPG to the holders',
    () => {
      fc.assert(
        fc.property(ops, (sequence) =>
          runModel(
            oneBucketOsv(new Machine({ cores: CORES }), {
              memoryBytes: MEMORY,
              tlbFlush: 'invlpg',
              invlpgTargets: 'holders',
            }),
            sequence,
          ),
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'survives memory exhaustion (16 MiB: touch may be ENOMEM) with everything accounted for',
    () => {
      fc.assert(
        fc.property(ops, (sequence) =>
          runModel(
            optimizedOsv(new Machine({ cores: CORES }), { memoryBytes: 16 * 2 ** 20 }),
            sequence,
            true,
          ),
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'reaches faults, 2 MiB faults, splits, MADV_FREE marks and shootdowns (not vacuous)',
    () => {
      const totals: Record<string, number> = {};
      const long = fc.array(op, { minLength: 40, maxLength: 60 });
      for (const [i, sequence] of fc.sample(long, { numRuns: 40, seed: 7 }).entries()) {
        const machine = new Machine({ cores: CORES });
        const memoryBytes = i % 2 === 0 ? MEMORY : 16 * 2 ** 20;
        runModel(optimizedOsv(machine, { memoryBytes }), sequence, i % 2 === 1);
        for (const [name, value] of Object.entries(machine.counters.totals())) {
          totals[name] = (totals[name] ?? 0) + value;
        }
      }
      expect(totals.faults).toBeGreaterThan(200);
      for (const name of ['hugeFaults', 'hugeSplits', 'lazyFreePages', 'ipisSent']) {
        expect(totals[name], name).toBeGreaterThan(0);
      }
    },
    TIMEOUT,
  );
});
