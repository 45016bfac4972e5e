// The VmAllocator conformance suite. Every implementation runs it from its own tests:
//
//   vmAllocatorSuite('superblock', ({ cores }) => new SuperblockAllocator({ cores, lock, index }));
//
// It checks the contract of VmAllocator in @unimem/core against a model (the set of allocated
// ranges): reserved ranges are aligned and never overlap, across cores too; freed space is
// reused; nothing leaks (free bytes return to the start and exhausted space is reusable after
// all frees); MAP_FIXED (validate + allocateRange) takes exactly free space; bad arguments are
// Errno.EINVAL and every failed call leaves the state unchanged. allocateRange and freeRange run
// under freeRangesLock(addr) held for write, as the contract requires; validate and
// reserveRange run with no lock held.
//
// It assumes a 47-bit address space: addresses handed out are below 2^47, and [2^32, 2^33) is a
// place where MAP_FIXED may be tried.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VmAllocator, Vma } from '../api.js';
import { Errno, Ok } from '../errors.js';

export interface VmAllocatorSuiteOptions {
  /** Cores (default 4). */
  cores?: number;
  /** Runs of each property (default 60). */
  numRuns?: number;
}

const PAGE = 4096;
const GIB = 2 ** 30;
const TIB = 2 ** 40;
const TOP = 2 ** 47;

/** Allocated ranges, each from one call (so each has a single owner). */
class RangeModel {
  readonly units: Array<[number, number]> = [];
  bytes = 0;
  overlaps(start: number, end: number): boolean {
    return this.units.some(([s, e]) => s < end && start < e);
  }
  add(start: number, end: number): void {
    this.units.push([start, end]);
    this.bytes += end - start;
  }
  /** Removes [start, end) from unit `i`, which holds it, keeping what is left as units. */
  cut(i: number, start: number, end: number): void {
    const [s, e] = this.units[i];
    this.units.splice(i, 1);
    if (s < start) this.units.push([s, start]);
    if (end < e) this.units.push([end, e]);
    this.bytes -= end - start;
  }
}

export function vmAllocatorSuite<V extends Vma = Vma>(
  name: string,
  create: (options: { cores: number }) => VmAllocator<V>,
  options: VmAllocatorSuiteOptions = {},
): void {
  const cores = options.cores ?? 4;
  const numRuns = options.numRuns ?? 60;
  const make = () => create({ cores });

  const locked = (
    a: VmAllocator<V>,
    core: number,
    addr: number,
    call: (a: VmAllocator<V>) => number,
  ): number => {
    const lock = a.freeRangesLock(addr);
    lock.writeLock(core);
    try {
      return call(a);
    } finally {
      lock.writeUnlock(core);
    }
  };
  const free = (a: VmAllocator<V>, core: number, addr: number, size: number) =>
    locked(a, core, addr, (x) => x.freeRange(addr, size));
  const allocate = (a: VmAllocator<V>, core: number, addr: number, size: number) =>
    locked(a, core, addr, (x) => x.allocateRange(addr, size));

  /** Reserves and checks the result against the model. */
  const reserve = (
    a: VmAllocator<V>,
    model: RangeModel,
    core: number,
    size: number,
    align: number,
  ): number => {
    const addr = a.reserveRange(core, size, align);
    const what = `reserveRange(${core}, ${size}, ${align}) = ${addr}`;
    expect(addr, what).toBeGreaterThanOrEqual(0);
    expect(addr % align, `${what}: alignment`).toBe(0);
    expect(addr + size, `${what}: end`).toBeLessThanOrEqual(TOP);
    expect(model.overlaps(addr, addr + size), `${what}: overlaps a live range`).toBe(false);
    model.add(addr, addr + size);
    return addr;
  };

  const freeAll = (a: VmAllocator<V>, model: RangeModel) => {
    for (const [s, e] of model.units.splice(0)) {
      expect(free(a, 0, s, e - s), `freeRange(${s}, ${e - s})`).toBe(Ok);
    }
    model.bytes = 0;
  };

  const request = fc.record({
    core: fc.nat(cores - 1),
    pages: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 64 }) },
      { weight: 2, arbitrary: fc.integer({ min: 65, max: 2 ** 18 }) },
      { weight: 1, arbitrary: fc.constantFrom(2 ** 18, 2 ** 18 + 1, 3 * 2 ** 18 - 5) },
    ),
    alignShift: fc.constantFrom(12, 12, 12, 13, 16, 21, 30),
  });

  describe(`VmAllocator conformance: ${name}`, () => {
    it('hands out aligned ranges that never overlap, on any core, and takes them all back', () => {
      fc.assert(
        fc.property(fc.array(request, { maxLength: 60 }), fc.boolean(), (requests, reverse) => {
          const a = make();
          const model = new RangeModel();
          const start = a.freeBytes();
          for (const { core, pages, alignShift } of requests) {
            reserve(a, model, core, pages * PAGE, 2 ** alignShift);
            expect(a.freeBytes()).toBe(start - model.bytes);
          }
          if (reverse) model.units.reverse();
          freeAll(a, model);
          expect(a.freeBytes()).toBe(start);
        }),
        { numRuns },
      );
    });

    it('gives every address of a reservation the same locks and VMA index', () => {
      const a = make();
      const model = new RangeModel();
      for (const [core, size] of [
        [0, PAGE],
        [1 % cores, 5 * PAGE],
        [2 % cores, GIB],
        [3 % cores, 3 * GIB + PAGE],
      ]) {
        const addr = reserve(a, model, core, size, PAGE);
        const last = addr + size - 1;
        expect(a.vmaLock(last)).toBe(a.vmaLock(addr));
        expect(a.freeRangesLock(last)).toBe(a.freeRangesLock(addr));
        expect(a.vmas(last)).toBe(a.vmas(addr));
        const vma = { start: addr, end: addr + size, prot: 3, flags: 0x22 } as unknown as V;
        const lock = a.vmaLock(addr);
        lock.writeLock(core);
        a.vmas(addr).insert(vma);
        lock.writeUnlock(core);
        lock.readLock(core);
        expect(a.vmas(last).find(last)).toBe(vma);
        expect(a.vmas(addr).findIntersecting(addr, size)).toEqual([vma]);
        lock.readUnlock(core);
        lock.writeLock(core);
        expect(a.vmas(addr).erase(vma)).toBe(true);
        lock.writeUnlock(core);
      }
      freeAll(a, model);
    });

    it('reuses freed space for the same requests', () => {
      const a = make();
      const model = new RangeModel();
      for (let core = 0; core < cores; core++) {
        const sizes = Array.from({ length: 24 }, (_, i) => ((i * 7) % 13) + 1);
        const first = sizes.map((pages) => reserve(a, model, core, pages * PAGE, PAGE));
        const low = Math.min(...first);
        const high = Math.max(...first.map((addr, i) => addr + sizes[i] * PAGE));
        freeAll(a, model);
        const again = sizes.map((pages) => reserve(a, model, core, pages * PAGE, PAGE));
        for (const [i, addr] of again.entries()) {
          expect(addr, `request ${i} of core ${core}`).toBeGreaterThanOrEqual(low);
          expect(addr + sizes[i] * PAGE, `request ${i} of core ${core}`).toBeLessThanOrEqual(high);
        }
        freeAll(a, model);
      }
    });

    it('reports ENOMEM when space runs out, changes nothing, and gets all of it back', () => {
      const a = make();
      const model = new RangeModel();
      const start = a.freeBytes();
      const exhaust = (): number => {
        for (let i = 0; i < 1 << 12; i++) {
          const core = i % cores;
          const addr = a.reserveRange(core, TIB, PAGE);
          if (addr === Errno.ENOMEM) return i;
          expect(addr, `reserveRange(${core}, 1 TiB) #${i}`).toBeGreaterThanOrEqual(0);
          expect(model.overlaps(addr, addr + TIB)).toBe(false);
          model.add(addr, addr + TIB);
        }
        throw new Error('4096 reservations of 1 TiB never reported ENOMEM');
      };
      const count = exhaust();
      const left = a.freeBytes();
      for (let core = 0; core < cores; core++) {
        expect(a.reserveRange(core, TIB, PAGE)).toBe(Errno.ENOMEM);
      }
      expect(a.freeBytes()).toBe(left);
      freeAll(a, model);
      expect(a.freeBytes()).toBe(start);
      expect(exhaust()).toBe(count);
      freeAll(a, model);
      expect(a.freeBytes()).toBe(start);
    });

    it('rejects bad arguments with EINVAL and changes nothing', () => {
      const a = make();
      const model = new RangeModel();
      const addr = reserve(a, model, 0, 4 * PAGE, PAGE);
      const before = a.freeBytes();
      const reserves: Array<[number, number, number]> = [
        [0, 0, PAGE],
        [0, 100, PAGE],
        [0, PAGE + 1, PAGE],
        [0, -PAGE, PAGE],
        [0, Number.NaN, PAGE],
        [0, PAGE, 0],
        [0, PAGE, 3],
        [0, PAGE, 6 * PAGE],
        [0, PAGE, 1024],
        [-1, PAGE, PAGE],
        [cores, PAGE, PAGE],
        [0.5, PAGE, PAGE],
        [Number.NaN, PAGE, PAGE],
      ];
      for (const [core, size, align] of reserves) {
        expect(a.reserveRange(core, size, align), `reserveRange(${core}, ${size}, ${align})`).toBe(
          Errno.EINVAL,
        );
      }
      const ranges: Array<[number, number]> = [
        [addr + 1, PAGE],
        [addr, 0],
        [addr, 100],
        [addr, -PAGE],
        [-PAGE, 2 * PAGE],
        [Number.NaN, PAGE],
        [TOP, PAGE],
        [2 ** 53, PAGE],
      ];
      for (const [at, size] of ranges) {
        expect(free(a, 0, at, size), `freeRange(${at}, ${size})`).toBe(Errno.EINVAL);
        expect(allocate(a, 0, at, size), `allocateRange(${at}, ${size})`).toBe(Errno.EINVAL);
        expect(a.validate(0, at, size), `validate(0, ${at}, ${size})`).toBe(false);
      }
      expect(a.validate(-1, addr, PAGE)).toBe(false);
      expect(a.validate(cores, addr, PAGE)).toBe(false);
      expect(a.freeBytes()).toBe(before);
      freeAll(a, model);
    });

    it('refuses a double or overlapping free and changes nothing', () => {
      const a = make();
      const model = new RangeModel();
      const start = a.freeBytes();
      const addr = reserve(a, model, 1 % cores, 4 * PAGE, PAGE);
      const other = reserve(a, model, 1 % cores, 4 * PAGE, PAGE);
      expect(free(a, 0, addr, 2 * PAGE)).toBe(Ok);
      model.cut(0, addr, addr + 2 * PAGE);
      const before = a.freeBytes();
      expect(free(a, 0, addr, 2 * PAGE), 'double free').toBe(Errno.EINVAL);
      expect(free(a, 0, addr, 4 * PAGE), 'free overlapping a free range').toBe(Errno.EINVAL);
      expect(free(a, 2 % cores, addr + PAGE, 2 * PAGE), 'free straddling').toBe(Errno.EINVAL);
      expect(a.freeBytes()).toBe(before);
      expect(free(a, 0, addr + 2 * PAGE, 2 * PAGE)).toBe(Ok);
      expect(free(a, 3 % cores, other, 4 * PAGE)).toBe(Ok);
      expect(a.freeBytes()).toBe(start);
    });

    it('MAP_FIXED: validate, then allocateRange takes exactly free space', () => {
      const a = make();
      const start = a.freeBytes();
      const core = 1 % cores;
      const addr = a.reserveRange(core, 8 * PAGE, PAGE);
      expect(addr).toBeGreaterThanOrEqual(0);
      expect(free(a, core, addr + 2 * PAGE, 4 * PAGE)).toBe(Ok);
      const hole = addr + 2 * PAGE;
      expect(a.validate(core, hole, 4 * PAGE)).toBe(true);
      expect(allocate(a, core, hole, 4 * PAGE)).toBe(Ok);
      let before = a.freeBytes();
      expect(allocate(a, core, hole, 4 * PAGE), 'allocated twice').toBeLessThan(0);
      expect(allocate(a, core, hole + PAGE, PAGE), 'inside an allocation').toBeLessThan(0);
      expect(a.freeBytes()).toBe(before);
      expect(free(a, core, hole, 2 * PAGE)).toBe(Ok);
      before = a.freeBytes();
      expect(allocate(a, core, hole - PAGE, 3 * PAGE), 'partly free').toBeLessThan(0);
      expect(allocate(a, core, hole, 3 * PAGE), 'partly free').toBeLessThan(0);
      expect(a.freeBytes()).toBe(before);
      expect(allocate(a, core, hole, 2 * PAGE)).toBe(Ok);
      expect(free(a, core, addr, 8 * PAGE)).toBe(Ok);
      expect(a.freeBytes()).toBe(start);

      const low = 2 ** 32;
      if (a.validate(0, low, 16 * PAGE)) {
        expect(allocate(a, 0, low, 16 * PAGE)).toBe(Ok);
        expect(a.freeBytes()).toBe(start - 16 * PAGE);
        expect(allocate(a, 0, low + PAGE, PAGE)).toBeLessThan(0);
        expect(free(a, 0, low, 16 * PAGE)).toBe(Ok);
        expect(a.freeBytes()).toBe(start);
      }
    });

    it('keeps free bytes equal to a model under random reserve, free and MAP_FIXED', () => {
      const op = fc.oneof(
        request.map((r) => ({ kind: 'reserve' as const, ...r })),
        fc.record({ kind: fc.constant('free' as const), pick: fc.nat(), part: fc.nat(3) }),
        fc.record({ kind: fc.constant('fixed' as const), pick: fc.nat(), core: fc.nat(cores - 1) }),
        fc.record({ kind: fc.constant('refree' as const), pick: fc.nat() }),
      );
      fc.assert(
        fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
          const a = make();
          const model = new RangeModel();
          const start = a.freeBytes();
          let holes: Array<[number, number]> = [];
          for (const step of ops) {
            if (step.kind === 'reserve') {
              reserve(a, model, step.core, step.pages * PAGE, 2 ** step.alignShift);
            } else if (step.kind === 'free' && model.units.length > 0) {
              const i = step.pick % model.units.length;
              const [s, e] = model.units[i];
              const [fs, fe] = part(s, e, step.part);
              expect(free(a, step.pick % cores, fs, fe - fs), `freeRange(${fs}, ${fe - fs})`).toBe(
                Ok,
              );
              model.cut(i, fs, fe);
              holes.push([fs, fe]);
            } else if (step.kind === 'fixed' && holes.length > 0) {
              const [s, e] = holes[step.pick % holes.length];
              if (a.validate(step.core, s, e - s)) {
                expect(allocate(a, step.core, s, e - s), `allocateRange(${s}, ${e - s})`).toBe(Ok);
                model.add(s, e);
              }
            } else if (step.kind === 'refree' && holes.length > 0) {
              const [s, e] = holes[step.pick % holes.length];
              const before = a.freeBytes();
              expect(free(a, 0, s, e - s), `double freeRange(${s}, ${e - s})`).toBeLessThan(0);
              expect(a.freeBytes()).toBe(before);
            }
            holes = holes.filter(([s, e]) => !model.overlaps(s, e));
            expect(a.freeBytes()).toBe(start - model.bytes);
          }
          freeAll(a, model);
          expect(a.freeBytes()).toBe(start);
        }),
        { numRuns },
      );
    });
  });
}

/** Part `which` of the page range [s, e): whole, first half, second half, or without its ends. */
function part(s: number, e: number, which: number): [number, number] {
  const pages = (e - s) / PAGE;
  const half = s + Math.floor(pages / 2) * PAGE;
  if (which === 1 && pages >= 2) return [s, half];
  if (which === 2 && pages >= 2) return [half, e];
  if (which === 3 && pages >= 3) return [s + PAGE, e - PAGE];
  return [s, e];
}
