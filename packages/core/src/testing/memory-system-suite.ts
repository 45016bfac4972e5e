// The MemorySystem conformance suite. Every memory subsystem (the unikernel of
// @unimem/kernel-api, the Linux and original-OSv baselines) runs it from its own tests:
//
//   memorySystemSuite('osv-superblock', ({ cores, memoryBytes }) => makeSystem(cores, memoryBytes));
//
// `create` returns a system that is NOT booted yet; the suite boots it. The suite checks the
// POSIX contract of core's MemorySystem against a page model: anonymous mappings are lazy and
// populated on touch; touch reports EFAULT outside mappings and EACCES against the protection;
// munmap/mprotect/madvise act on exactly their range; bad arguments are EINVAL; munmap of an
// unmapped range is Ok and changes nothing; mprotect/madvise over a hole are ENOMEM and change
// nothing; MAP_FIXED replaces what it overlaps; running out of memory under MAP_POPULATE is
// ENOMEM with the statistics unchanged; after everything is unmapped, free physical memory,
// page-table bytes and mapped bytes are back to their values after boot.
//
// The model knows only pages the suite has mapped at some time; addresses next to them may be
// the system's own (a unikernel's linear map can lie right above the last mapping), so touches
// elsewhere are not checked.
//
// Zero-length mprotect/madvise are not checked: POSIX leaves them open and Linux returns 0.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Advice,
  Errno,
  MapFlags,
  type MemoryStats,
  type MemorySystem,
  Ok,
  Prot,
} from '../index.js';

export interface MemorySystemSuiteOptions {
  /** Cores (default 4). */
  cores?: number;
  /** Physical memory of the system under test (default 256 MiB). */
  memoryBytes?: number;
  /** Runs of the property (default 40). */
  numRuns?: number;
}

export type MemorySystemFactory = (options: { cores: number; memoryBytes: number }) => MemorySystem;

const PAGE = 4096;
const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;
const RW = Prot.READ | Prot.WRITE;
/** Largest mapping the property makes (4.4 MiB: covers 2 MiB regions). */
const MAX_PAGES = 1100;

/** The statistics a failed or empty operation must not change. */
function footprint(stats: MemoryStats) {
  return {
    freePhysBytes: stats.freePhysBytes,
    pageTableBytes: stats.pageTableBytes,
    mappedBytes: stats.mappedBytes,
  };
}

/** Expected outcome of touching a page with protection `prot` (undefined: unmapped). */
function expectedTouch(prot: number | undefined, write: boolean): number {
  if (prot === undefined) return Errno.EFAULT;
  if (write) return (prot & Prot.WRITE) !== 0 ? Ok : Errno.EACCES;
  return prot !== Prot.NONE ? Ok : Errno.EACCES;
}

type Op =
  | { kind: 'mmap'; core: number; pages: number; prot: number; populate: boolean }
  | { kind: 'fixed'; core: number; base: number; offset: number; pages: number; prot: number }
  | { kind: 'munmap' | 'dontneed'; core: number; base: number; offset: number; pages: number }
  | { kind: 'mprotect'; core: number; base: number; offset: number; pages: number; prot: number }
  | { kind: 'touch'; core: number; base: number; offset: number; write: boolean };

function opArbitrary(cores: number): fc.Arbitrary<Op> {
  const core = fc.integer({ min: 0, max: cores - 1 });
  const prot = fc.constantFrom(Prot.NONE, Prot.READ, RW);
  const base = fc.nat(1000);
  const offset = fc.integer({ min: 0, max: 1000 });
  const pages = fc.integer({ min: 1, max: 40 });
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('mmap' as const),
        core,
        pages: fc.oneof(pages, fc.integer({ min: 500, max: MAX_PAGES })),
        prot,
        populate: fc.boolean(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('fixed' as const),
        core,
        base,
        offset,
        pages,
        prot,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('munmap' as const), core, base, offset, pages }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('dontneed' as const), core, base, offset, pages }),
    },
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
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('touch' as const),
        core,
        base,
        offset,
        write: fc.boolean(),
      }),
    },
  );
}

export function memorySystemSuite(
  name: string,
  create: MemorySystemFactory,
  options: MemorySystemSuiteOptions = {},
): void {
  const cores = options.cores ?? 4;
  const memoryBytes = options.memoryBytes ?? 256 * 2 ** 20;
  const numRuns = options.numRuns ?? 40;
  const booted = () => {
    const system = create({ cores, memoryBytes });
    system.boot();
    return system;
  };
  const map = (system: MemorySystem, pages: number, prot = RW, flags = ANON) => {
    const addr = system.mmap(0, pages * PAGE, prot, flags);
    if (addr < 0) expect.fail(`mmap of ${pages} pages failed (${addr})`);
    return addr;
  };

  describe(`MemorySystem conformance: ${name}`, () => {
    it('boots and reports its memory', () => {
      const system = booted();
      const stats = system.stats();
      expect(system.cores).toBeGreaterThanOrEqual(cores);
      expect(stats.totalPhysBytes).toBeGreaterThan(0);
      expect(stats.freePhysBytes).toBeGreaterThan(0);
      expect(stats.freePhysBytes).toBeLessThanOrEqual(stats.totalPhysBytes);
      expect(stats.pageTableBytes).toBeGreaterThanOrEqual(0);
      expect(stats.metadataBytes).toBeGreaterThan(0);
    });

    it('maps lazily, populates on touch, and munmap gives everything back', () => {
      const system = booted();
      const before = footprint(system.stats());
      const addr = map(system, 16);
      expect(addr % PAGE).toBe(0);
      for (let page = 0; page < 16; page++) {
        expect(system.touch(page % cores, addr + page * PAGE + 123, page % 2 === 0)).toBe(Ok);
      }
      const touched = system.stats();
      expect(touched.freePhysBytes).toBeLessThanOrEqual(before.freePhysBytes - 16 * PAGE);
      expect(touched.mappedBytes).toBeGreaterThanOrEqual(before.mappedBytes + 16 * PAGE);
      expect(system.munmap(1 % cores, addr, 16 * PAGE)).toBe(Ok);
      for (let page = 0; page < 16; page++) {
        expect(system.touch(0, addr + page * PAGE, false)).toBe(Errno.EFAULT);
      }
      expect(footprint(system.stats())).toEqual(before);
    });

    it('enforces protections: read-only, none, and back to read-write', () => {
      const system = booted();
      const addr = map(system, 4);
      expect(system.touch(0, addr, true)).toBe(Ok);
      expect(system.mprotect(0, addr, 4 * PAGE, Prot.READ)).toBe(Ok);
      expect(system.touch(1 % cores, addr, true)).toBe(Errno.EACCES);
      expect(system.touch(1 % cores, addr, false)).toBe(Ok);
      expect(system.touch(1 % cores, addr + PAGE, true)).toBe(Errno.EACCES);
      expect(system.mprotect(0, addr, PAGE, Prot.NONE)).toBe(Ok);
      expect(system.touch(0, addr, false)).toBe(Errno.EACCES);
      expect(system.touch(0, addr + PAGE, false)).toBe(Ok);
      expect(system.mprotect(0, addr, 4 * PAGE, RW)).toBe(Ok);
      expect(system.touch(0, addr, true)).toBe(Ok);
      const readOnly = map(system, 2, Prot.READ);
      expect(system.touch(0, readOnly, false)).toBe(Ok);
      expect(system.touch(0, readOnly, true)).toBe(Errno.EACCES);
    });

    it('rejects bad arguments with EINVAL and changes nothing', () => {
      const system = booted();
      const addr = map(system, 4);
      const before = footprint(system.stats());
      expect(system.mmap(0, 0, RW, ANON)).toBe(Errno.EINVAL);
      expect(system.mmap(0, PAGE, RW, ANON | MapFlags.FIXED, addr + 1)).toBe(Errno.EINVAL);
      expect(system.munmap(0, addr, 0)).toBe(Errno.EINVAL);
      expect(system.munmap(0, addr + 1, PAGE)).toBe(Errno.EINVAL);
      expect(system.mprotect(0, addr + 1, PAGE, Prot.READ)).toBe(Errno.EINVAL);
      expect(system.madvise(0, addr + 1, PAGE, Advice.DONTNEED)).toBe(Errno.EINVAL);
      expect(system.madvise(0, addr, PAGE, 12345)).toBe(Errno.EINVAL);
      expect(footprint(system.stats())).toEqual(before);
      expect(system.touch(0, addr, true)).toBe(Ok);
    });

    it('munmap of an unmapped range is Ok and changes nothing', () => {
      const system = booted();
      const addr = map(system, 8);
      expect(system.touch(0, addr, true)).toBe(Ok);
      expect(system.munmap(0, addr, 8 * PAGE)).toBe(Ok);
      const before = system.stats();
      expect(system.munmap(0, addr, 8 * PAGE)).toBe(Ok);
      expect(system.munmap(1 % cores, addr + 64 * PAGE, 4 * PAGE)).toBe(Ok);
      expect(system.stats()).toEqual(before);
    });

    it('mprotect and madvise over a hole are ENOMEM and change nothing', () => {
      const system = booted();
      const addr = map(system, 8);
      expect(system.munmap(0, addr + 3 * PAGE, PAGE)).toBe(Ok);
      expect(system.touch(0, addr, true)).toBe(Ok);
      expect(system.mprotect(0, addr, 8 * PAGE, Prot.READ)).toBe(Errno.ENOMEM);
      expect(system.touch(0, addr, true)).toBe(Ok);
      const before = footprint(system.stats());
      expect(system.madvise(0, addr, 8 * PAGE, Advice.DONTNEED)).toBe(Errno.ENOMEM);
      expect(footprint(system.stats())).toEqual(before);
    });

    it('partial munmap keeps both outer parts', () => {
      const system = booted();
      const addr = map(system, 12);
      for (let page = 0; page < 12; page++)
        expect(system.touch(0, addr + page * PAGE, true)).toBe(Ok);
      expect(system.munmap(0, addr + 4 * PAGE, 4 * PAGE)).toBe(Ok);
      for (let page = 0; page < 12; page++) {
        const inside = page >= 4 && page < 8;
        expect(system.touch(1 % cores, addr + page * PAGE, false)).toBe(inside ? Errno.EFAULT : Ok);
      }
    });

    it('MAP_FIXED replaces what it overlaps', () => {
      const system = booted();
      const before = footprint(system.stats());
      const addr = map(system, 16);
      for (let page = 0; page < 16; page++)
        expect(system.touch(0, addr + page * PAGE, true)).toBe(Ok);
      const fixed = system.mmap(
        1 % cores,
        4 * PAGE,
        Prot.READ,
        ANON | MapFlags.FIXED,
        addr + 4 * PAGE,
      );
      expect(fixed).toBe(addr + 4 * PAGE);
      expect(system.touch(0, addr + 4 * PAGE, true)).toBe(Errno.EACCES);
      expect(system.touch(0, addr + 4 * PAGE, false)).toBe(Ok);
      expect(system.touch(0, addr + 3 * PAGE, true)).toBe(Ok);
      expect(system.touch(0, addr + 8 * PAGE, true)).toBe(Ok);
      expect(system.munmap(0, addr, 16 * PAGE)).toBe(Ok);
      expect(footprint(system.stats())).toEqual(before);
    });

    it('MADV_DONTNEED frees the pages and the next touch faults in a new one', () => {
      const system = booted();
      const addr = map(system, 8);
      const mapped = system.stats().freePhysBytes;
      for (let page = 0; page < 8; page++)
        expect(system.touch(0, addr + page * PAGE, true)).toBe(Ok);
      expect(system.madvise(0, addr, 8 * PAGE, Advice.DONTNEED)).toBe(Ok);
      expect(system.stats().freePhysBytes).toBe(mapped);
      expect(system.touch(0, addr, true)).toBe(Ok);
      expect(system.stats().freePhysBytes).toBeLessThan(mapped);
    });

    it('MAP_POPULATE populates, and beyond memory fails with ENOMEM changing nothing', () => {
      const system = booted();
      const before = footprint(system.stats());
      const addr = map(system, 32, RW, ANON | MapFlags.POPULATE);
      expect(system.stats().freePhysBytes).toBeLessThanOrEqual(before.freePhysBytes - 32 * PAGE);
      expect(system.munmap(0, addr, 32 * PAGE)).toBe(Ok);
      const total = system.stats().totalPhysBytes;
      const result = system.mmap(0, total + 64 * PAGE, RW, ANON | MapFlags.POPULATE);
      expect(result).toBe(Errno.ENOMEM);
      expect(footprint(system.stats())).toEqual(before);
      const lazy = map(system, 4);
      expect(system.touch(0, lazy, true)).toBe(Ok);
    });

    it('random operations on several cores match a page model; unmapping all restores memory', () => {
      fc.assert(
        fc.property(fc.array(opArbitrary(cores), { minLength: 1, maxLength: 60 }), (ops) => {
          const system = booted();
          const start = footprint(system.stats());
          const model = new Map<number, number>();
          /** Pages the suite has mapped at some time: only these have a known state. */
          const known = new Set<number>();
          /** Mappings made so far: address and pages (ranges are chosen around them). */
          const bases: Array<[number, number]> = [];
          const range = (first: number, pages: number) =>
            Array.from({ length: pages }, (_, i) => first + i * PAGE);
          for (const op of ops) {
            if (op.kind === 'mmap') {
              const flags = ANON | (op.populate ? MapFlags.POPULATE : 0);
              const addr = system.mmap(op.core, op.pages * PAGE, op.prot, flags);
              if (addr === Errno.ENOMEM && op.populate) continue;
              if (addr < 0) expect.fail(`mmap ${JSON.stringify(op)} failed (${addr})`);
              for (const page of range(addr, op.pages)) {
                expect(model.has(page), `mmap returned mapped page ${page}`).toBe(false);
                model.set(page, op.prot);
                known.add(page);
              }
              bases.push([addr, op.pages]);
              continue;
            }
            if (bases.length === 0) continue;
            const [at, size] = bases[op.base % bases.length];
            const first = Math.max(
              0,
              at + (Math.floor((op.offset / 1000) * (size + 4)) - 2) * PAGE,
            );
            if (op.kind === 'touch') {
              if (!known.has(first)) continue;
              const write = op.write;
              expect(system.touch(op.core, first + 8, write), JSON.stringify(op)).toBe(
                expectedTouch(model.get(first), write),
              );
              continue;
            }
            const pages = range(first, op.pages);
            const covered = pages.every((page) => model.has(page));
            if (op.kind === 'fixed') {
              const addr = system.mmap(
                op.core,
                op.pages * PAGE,
                op.prot,
                ANON | MapFlags.FIXED,
                first,
              );
              if (addr === first) {
                for (const page of pages) model.set(page, op.prot);
                for (const page of pages) known.add(page);
                bases.push([first, op.pages]);
              } else expect([Errno.EINVAL, Errno.ENOMEM]).toContain(addr);
            } else if (op.kind === 'munmap') {
              expect(system.munmap(op.core, first, op.pages * PAGE)).toBe(Ok);
              for (const page of pages) model.delete(page);
            } else if (op.kind === 'mprotect') {
              expect(system.mprotect(op.core, first, op.pages * PAGE, op.prot)).toBe(
                covered ? Ok : Errno.ENOMEM,
              );
              if (covered) for (const page of pages) model.set(page, op.prot);
            } else {
              expect(system.madvise(op.core, first, op.pages * PAGE, Advice.DONTNEED)).toBe(
                covered ? Ok : Errno.ENOMEM,
              );
            }
          }
          const sample = [...model].filter((_, i) => i % 13 === 0);
          for (const [page, prot] of sample) {
            expect(system.touch(0, page, false)).toBe(expectedTouch(prot, false));
          }
          for (const [at, size] of bases) {
            const from = Math.max(0, at - 2 * PAGE);
            expect(system.munmap(1 % cores, from, (2 * size + 4) * PAGE)).toBe(Ok);
          }
          for (const [page] of sample) expect(system.touch(0, page, false)).toBe(Errno.EFAULT);
          expect(footprint(system.stats())).toEqual(start);
        }),
        { numRuns },
      );
    });
  });
}
