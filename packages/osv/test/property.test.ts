// Property tests against a model (FrameOwnership from @unimem/core/testing): random sequences of
// gets, puts, getAt, batch calls, drains and bad frees over several cores and orders. After
// every step no frame is owned twice, freeFrames() matches the model, the range structure is
// consistent (lists, back-pointers, boundary bits, nothing adjacent left uncoalesced), the pools
// account for every page, and Memory is reported only when nothing could satisfy the request.
// At the end everything is freed and the allocator is one free range again.

import { AllocError, Ok } from '@unimem/core';
import { FrameOwnership } from '@unimem/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PagePools, PageRangeAllocator } from '../src/index.js';

type Step =
  | { op: 'get'; core: number; order: number }
  | { op: 'getAt'; core: number; order: number; pick: number }
  | { op: 'put'; core: number; pick: number }
  | { op: 'batch'; core: number; count: number }
  | { op: 'drain'; core: number }
  | { op: 'doubleFree'; core: number; pick: number }
  | { op: 'wrongFree'; core: number; pick: number; pages: number | 'size' | 'back' };

const CORES = 3;
const order = fc.oneof(
  { weight: 8, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 6 }) },
  { weight: 1, arbitrary: fc.integer({ min: 9, max: 10 }) },
);
const pick = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const core = fc.integer({ min: 0, max: CORES - 1 });
const steps = fc.array(
  fc.oneof(
    { weight: 10, arbitrary: fc.record({ op: fc.constant('get' as const), core, order }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('getAt' as const), core, order, pick }) },
    { weight: 7, arbitrary: fc.record({ op: fc.constant('put' as const), core, pick }) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('batch' as const),
        core,
        count: fc.integer({ min: 1, max: 40 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('drain' as const), core }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('doubleFree' as const), core, pick }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('wrongFree' as const),
        core,
        pick,
        pages: fc.oneof(fc.integer({ min: 1, max: 2048 }), fc.constantFrom('size', 'back')),
      }),
    },
  ),
  { minLength: 1, maxLength: 120 },
);

/** Some aligned block of `order` no frame of which `busy` reports. */
function anyFreeBlock(frames: number, order: number, busy: (frame: number) => boolean): boolean {
  const size = 2 ** order;
  for (let start = 0; start + size <= frames; start += size) {
    let free = true;
    for (let f = start; f < start + size && free; f++) if (busy(f)) free = false;
    if (free) return true;
  }
  return false;
}

function ownedBlocks(owner: FrameOwnership): Array<[number, number]> {
  return [...owner.blocks].sort((a, b) => a[0] - b[0]);
}

/** Runs one step against allocator and model; `under` is the page-range allocator. */
function apply(
  alloc: PageRangeAllocator | PagePools,
  under: PageRangeAllocator,
  owner: FrameOwnership,
  step: Step,
): void {
  const frames = alloc.totalFrames();
  const blocks = ownedBlocks(owner);
  switch (step.op) {
    case 'get': {
      const frame = alloc.get(step.core, step.order);
      if (frame === AllocError.Memory) {
        // Pools keep pages of their own: only what the range allocator holds can serve order > 0.
        const busy =
          alloc === under || step.order > 0
            ? (f: number) => !under.isFree(f, 0)
            : (f: number) => owner.isOwned(f);
        expect(anyFreeBlock(frames, step.order, busy), `Memory for order ${step.order}`).toBe(
          false,
        );
      } else {
        expect(frame).toBeGreaterThanOrEqual(0);
        owner.claim(frame, step.order);
      }
      break;
    }
    case 'getAt': {
      const size = 2 ** step.order;
      const frame = Math.floor((step.pick * frames) / size) * size;
      if (alloc !== under) return;
      const wasFree = under.isFree(frame, step.order);
      const got = under.getAt(step.core, frame, step.order);
      if (wasFree) {
        expect(got).toBe(frame);
        owner.claim(frame, step.order);
      } else {
        expect(got).toBe(AllocError.Memory);
      }
      break;
    }
    case 'put': {
      if (blocks.length === 0) return;
      const [frame, blockOrder] = blocks[Math.floor(step.pick * blocks.length)];
      expect(alloc.put(step.core, frame, blockOrder)).toBe(Ok);
      owner.release(frame, blockOrder);
      break;
    }
    case 'batch': {
      if (alloc !== under) return;
      const out = new Int32Array(step.count);
      const got = under.getFrames(step.core, out, step.count);
      for (let i = 0; i < got; i++) owner.claim(out[i], 0);
      if (got < step.count) expect(under.freeFrames()).toBe(0);
      // Give back half of them in one call (a repeated frame must be refused first).
      const half = got >> 1;
      if (half > 0) {
        const twice = Int32Array.from([...out.subarray(0, half), out[0]]);
        expect(under.putFrames(step.core, twice, twice.length)).toBe(AllocError.Address);
        expect(under.putFrames(step.core, out, half)).toBe(Ok);
        for (let i = 0; i < half; i++) owner.release(out[i], 0);
      }
      break;
    }
    case 'drain':
      alloc.drain(step.core);
      break;
    case 'doubleFree': {
      const frame = Math.floor(step.pick * frames);
      if (owner.isOwned(frame)) return;
      const before = alloc.freeFrames();
      expect(alloc.put(step.core, frame, 0)).toBe(AllocError.Address);
      expect(alloc.freeFrames()).toBe(before);
      break;
    }
    case 'wrongFree': {
      // Any frame (free, a free range's first or last page, inside or at the head of a block)
      // with any page count: Address unless it is exactly a handed-out block, also when the
      // count is a value the ranges' own words hold there (a size, a back-pointer).
      if (alloc !== under) return;
      // 'size' and 'back': whatever the ranges' own words at that frame hold, as a page count.
      const frame = Math.floor(step.pick * frames);
      const word =
        step.pages === 'size'
          ? under.ranges.size.get(frame)
          : step.pages === 'back'
            ? under.ranges.back.get(frame)
            : step.pages;
      const pages = Math.max(1, Math.abs(word));
      const owned = blocks.find(([f]) => f === frame);
      if (owned !== undefined && 2 ** owned[1] === pages) return;
      const before = under.freeFrames();
      expect(under.putPages(step.core, frame, pages)).toBe(AllocError.Address);
      const order = Math.log2(pages);
      if (Number.isInteger(order) && order <= under.maxOrder) {
        expect(under.put(step.core, frame, order)).toBe(AllocError.Address);
      }
      expect(under.freeFrames()).toBe(before);
      break;
    }
  }
}

function checkInvariants(
  alloc: PageRangeAllocator | PagePools,
  under: PageRangeAllocator,
  owner: FrameOwnership,
): void {
  const frames = alloc.totalFrames();
  expect(alloc.freeFrames()).toBe(frames - owner.ownedFrames);
  expect(under.check()).toEqual([]);
  if (alloc instanceof PagePools) {
    const pooled = alloc.l1.total() + alloc.l2.nr * alloc.batchPages;
    expect(alloc.pooledFrames()).toBe(pooled);
    expect(under.freeFrames() + pooled + owner.ownedFrames).toBe(frames);
  }
}

function freeEverything(
  alloc: PageRangeAllocator | PagePools,
  under: PageRangeAllocator,
  owner: FrameOwnership,
): void {
  for (const [frame, blockOrder] of ownedBlocks(owner)) {
    expect(alloc.put(0, frame, blockOrder)).toBe(Ok);
    owner.release(frame, blockOrder);
  }
  if (alloc instanceof PagePools) alloc.drainAll();
  expect(under.freeFrames()).toBe(under.totalFrames());
  expect(under.check()).toEqual([]);
  expect(under.rangeCount()).toBe(1);
}

describe('page-ranges against the model', () => {
  for (const frames of [4096, 1 << 17]) {
    it(`keeps every invariant (${frames} frames)`, () => {
      fc.assert(
        fc.property(steps, (list) => {
          const alloc = new PageRangeAllocator({ frames, cores: CORES });
          const owner = new FrameOwnership(frames);
          for (const step of list) {
            apply(alloc, alloc, owner, step);
            checkInvariants(alloc, alloc, owner);
          }
          freeEverything(alloc, alloc, owner);
        }),
        { numRuns: frames > 4096 ? 30 : 150 },
      );
    });
  }
});

describe('pools over page-ranges against the model', () => {
  for (const workers of ['inline', 'none'] as const) {
    it(`never lose a page (workers ${workers})`, () => {
      fc.assert(
        fc.property(steps, (list) => {
          const frames = 4096;
          const under = new PageRangeAllocator({ frames, cores: CORES });
          // Small pools so that every path (refill, drain, empty and full L2) is reached.
          const pools = new PagePools({ allocator: under, l1Pages: 16, batchPages: 4, workers });
          const owner = new FrameOwnership(frames);
          for (const step of list) {
            apply(pools, under, owner, step);
            checkInvariants(pools, under, owner);
          }
          freeEverything(pools, under, owner);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('hand out every page, including those parked in other cores’ pools', () => {
    const frames = 2048;
    const under = new PageRangeAllocator({ frames, cores: 4 });
    const pools = new PagePools({ allocator: under });
    const owner = new FrameOwnership(frames);
    for (let i = 0; ; i++) {
      const frame = pools.get(i % 4, 0);
      if (frame === AllocError.Memory) break;
      owner.claim(frame, 0);
    }
    expect(owner.ownedFrames).toBe(frames);
    expect(pools.freeFrames()).toBe(0);
    freeEverything(pools, under, owner);
  });
});
