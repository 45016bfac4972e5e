// The allocator against a model (the set of allocated ranges), checking the strongest invariant
// after every step: each core's free ranges are exactly its owned superblocks minus what is
// allocated, the outside bucket's are the outside space minus what is allocated, and a failed
// call changes nothing. A small area (16 superblocks) makes exhaustion and ENOMEM common.

import { Errno, Ok } from '@unimem/core';
import { SortedVmaIndex } from '@unimem/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SUPERBLOCK_BYTES as GiB, SuperblockAllocator } from '../src/index.js';
import { lockFactory } from './helpers.js';

type Range = [number, number];

const P = 4096;
const MiB = 2 ** 20;
const BASE = 16 * GiB;
const END = 32 * GiB;
const LIMIT = 40 * GiB;
const CORES = 3;

/** `ranges` (sorted, disjoint) without any part of `cuts`. */
function minus(ranges: Range[], cuts: Range[]): Range[] {
  let out = ranges;
  for (const [cs, ce] of cuts) {
    const next: Range[] = [];
    for (const [s, e] of out) {
      if (ce <= s || e <= cs) {
        next.push([s, e]);
        continue;
      }
      if (s < cs) next.push([s, cs]);
      if (ce < e) next.push([ce, e]);
    }
    out = next;
  }
  return out.sort((x, y) => x[0] - y[0]);
}

/** Sorted ranges with touching neighbours joined. */
function merge(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const [s, e] of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && last[1] === s) last[1] = e;
    else out.push([s, e]);
  }
  return out;
}

function check(a: SuperblockAllocator, allocated: Range[], returnFree: boolean): void {
  const owned: Range[][] = Array.from({ length: CORES }, () => []);
  for (let sb = BASE; sb < END; sb += GiB) {
    const owner = a.ownerOf(sb);
    expect(owner, `owner of ${sb / GiB} GiB`).toBeGreaterThanOrEqual(-1);
    if (owner >= 0) owned[owner].push([sb, sb + GiB]);
  }
  for (let core = 0; core < CORES; core++) {
    const expected = minus(merge(owned[core]), allocated);
    expect(a.freeRanges(core), `free ranges of core ${core}`).toEqual(expected);
    if (returnFree) {
      for (const [s, e] of expected) {
        const firstWhole = Math.ceil(s / GiB) * GiB;
        expect(firstWhole + GiB > e, `whole superblock free in [${s}, ${e})`).toBe(true);
      }
    }
  }
  const outside = minus(
    [
      [0, BASE],
      [END, LIMIT],
    ],
    allocated,
  );
  expect(a.freeRanges(CORES), 'outside ranges').toEqual(outside);
  const stats = a.stats();
  expect(stats.ownedSuperblocks).toEqual(owned.map((o) => o.length));
}

const op = fc.oneof(
  fc.record({
    kind: fc.constant('reserve' as const),
    core: fc.nat(CORES - 1),
    pages: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 3 * 2 ** 18 })),
    alignShift: fc.constantFrom(12, 12, 16, 21, 30, 32),
  }),
  fc.record({
    kind: fc.constant('free' as const),
    pick: fc.nat(),
    part: fc.nat(3),
    core: fc.nat(CORES - 1),
  }),
  fc.record({
    kind: fc.constantFrom('fixed' as const, 'freeAt' as const),
    core: fc.nat(CORES - 1),
    mib: fc.nat(LIMIT / MiB - 1),
    pages: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 2 ** 19 })),
  }),
);

describe('SuperblockAllocator against a model of allocated ranges', () => {
  for (const returnFree of [false, true]) {
    it(`keeps every bucket's free ranges exact (returnFreeSuperblocks ${returnFree})`, () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 70 }), (ops) => {
          const a = new SuperblockAllocator({
            cores: CORES,
            lock: lockFactory().lock,
            index: () => new SortedVmaIndex(),
            areaBase: BASE,
            areaEnd: END,
            addressLimit: LIMIT,
            returnFreeSuperblocks: returnFree,
          });
          let allocated: Range[] = [];
          const isFree = (s: number, e: number) => {
            const left = minus([[s, e]], allocated);
            return left.length === 1 && left[0][1] - left[0][0] === e - s;
          };
          const locked = (core: number, addr: number, call: () => number) => {
            const lock = a.freeRangesLock(addr);
            lock.writeLock(core);
            const result = call();
            lock.writeUnlock(core);
            return result;
          };
          const free = (core: number, s: number, e: number) =>
            locked(core, s, () => a.freeRange(s, e - s));
          const allocate = (core: number, s: number, e: number) =>
            locked(core, s, () => a.allocateRange(s, e - s));
          for (const step of ops) {
            const before = a.stats();
            if (step.kind === 'reserve') {
              const size = step.pages * P;
              const align = 2 ** step.alignShift;
              const addr = a.reserveRange(step.core, size, align);
              if (addr === Errno.ENOMEM) {
                expect(a.stats()).toEqual(before);
              } else {
                expect(addr % align).toBe(0);
                expect(isFree(addr, addr + size)).toBe(true);
                expect(a.ownerOf(addr)).toBe(step.core);
                allocated = merge([...allocated, [addr, addr + size]]);
              }
            } else if (step.kind === 'free' && allocated.length > 0) {
              const [s, e] = allocated[step.pick % allocated.length];
              const half = s + Math.floor((e - s) / P / 2) * P;
              const from = step.part === 1 || step.part === 3 ? half : s;
              const to = step.part === 2 || step.part === 3 ? Math.max(from + P, e - P) : e;
              const single = sameOwner(a, from, to);
              const result = free(step.core, from, to);
              expect(result, `freeRange(${from}, ${to - from})`).toBe(single ? Ok : Errno.EINVAL);
              if (result === Ok) allocated = minus(allocated, [[from, to]]);
              else expect(a.stats()).toEqual(before);
            } else if (step.kind === 'fixed') {
              // MAP_FIXED as the kernel does it: validate; allocate, or evacuate what is mapped
              // there, validate again (with returnFreeSuperblocks the evacuation may have given
              // superblocks back) and allocate.
              const addr = step.mib * MiB;
              const end = Math.min(addr + step.pages * P, LIMIT);
              const valid = a.validate(step.core, addr, end - addr);
              const result = allocate(step.core, addr, end);
              const expected = !valid ? Errno.EINVAL : isFree(addr, end) ? Ok : Errno.ENOMEM;
              expect(result, `allocateRange(${addr}, ${end - addr})`).toBe(expected);
              if (result === Errno.ENOMEM) {
                for (const [s, e] of allocated) {
                  if (e <= addr || s >= end) continue;
                  expect(free(step.core, Math.max(s, addr), Math.min(e, end))).toBe(Ok);
                }
                allocated = minus(allocated, [[addr, end]]);
                expect(a.validate(step.core, addr, end - addr)).toBe(true);
                expect(allocate(step.core, addr, end)).toBe(Ok);
              }
              if (valid) allocated = merge([...allocated, [addr, end]]);
            } else if (step.kind === 'freeAt') {
              const addr = step.mib * MiB;
              const end = Math.min(addr + step.pages * P, LIMIT);
              const ok = minus([[addr, end]], allocated).length === 0 && sameOwner(a, addr, end);
              const result = free(step.core, addr, end);
              expect(result, `freeRange(${addr}, ${end - addr})`).toBe(ok ? Ok : Errno.EINVAL);
              if (result === Ok) allocated = minus(allocated, [[addr, end]]);
              else expect(a.stats()).toEqual(before);
            }
            check(a, allocated, returnFree);
          }
        }),
        { numRuns: 120 },
      );
    });
  }
});

/** True when [s, e) lies outside the area, or in superblocks that one core owns. */
function sameOwner(a: SuperblockAllocator, s: number, e: number): boolean {
  if (e <= BASE || s >= END) return true;
  if (s < BASE || e > END) return false;
  const owner = a.ownerOf(s);
  if (owner < 0) return false;
  for (let sb = s - (s % GiB); sb < e; sb += GiB) if (a.ownerOf(sb) !== owner) return false;
  return true;
}
