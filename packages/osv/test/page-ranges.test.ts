// OSv's page_range_allocator behaviours, one at a time: smallest-class first fit with the tail
// going back, worst fit among huge ranges, alloc_aligned taking the highest aligned block of the
// first range its walk finds, O(1) coalescing on both sides, any page count for malloc_large,
// getAt, batches under one lock acquisition, and what it reports as metadata.
import { AllocError, Ok } from '@unimem/core';
import { describe, expect, it } from 'vitest';
import { HUGE_PAGES } from '../src/huge-set.js';
import { PageRangeAllocator } from '../src/index.js';

/** An allocator of `frames` frames where only the listed [first, pages] ranges are free. */
function withFreeRanges(frames: number, free: Array<[number, number]>): PageRangeAllocator {
  const alloc = new PageRangeAllocator({ frames, cores: 1 });
  const all = alloc.getPages(0, frames);
  expect(all).toBe(0);
  expect(alloc.putPages(0, 0, frames)).toBe(Ok);
  // Take every frame as single pages, then give back exactly the free ranges.
  const out = new Int32Array(frames);
  expect(alloc.getFrames(0, out, frames)).toBe(frames);
  for (const [first, pages] of free) {
    expect(
      alloc.putFrames(
        0,
        Int32Array.from({ length: pages }, (_, i) => first + i),
        pages,
      ),
    ).toBe(Ok);
  }
  expect(alloc.check()).toEqual([]);
  return alloc;
}

describe('alloc (order 0)', () => {
  it('takes the first range of the smallest non-empty class and gives the tail back', () => {
    const alloc = withFreeRanges(256, [
      [10, 1],
      [20, 4],
      [40, 8],
    ]);
    expect(alloc.rangeCount()).toBe(3);
    expect(alloc.get(0, 0)).toBe(10); // class 0
    expect(alloc.get(0, 0)).toBe(20); // class 2: [20, 24) -> 20, tail [21, 24) in class 1
    expect(alloc.get(0, 0)).toBe(21); // class 1 now holds the tail
    expect(alloc.get(0, 0)).toBe(22); // tail of one page went to class 0
    expect(alloc.get(0, 0)).toBe(23);
    expect(alloc.get(0, 0)).toBe(40);
    expect(alloc.check()).toEqual([]);
  });

  it('takes from the largest huge range (worst fit)', () => {
    const frames = 4 * HUGE_PAGES;
    // Two huge ranges: [0, 1.25 * HUGE) and [2 * HUGE, 4 * HUGE).
    const alloc = withFreeRanges(frames, [
      [0, HUGE_PAGES + HUGE_PAGES / 4],
      [2 * HUGE_PAGES, 2 * HUGE_PAGES],
    ]);
    expect(alloc.ranges.huge.count).toBe(2);
    expect(alloc.get(0, 0)).toBe(2 * HUGE_PAGES);
    expect(alloc.check()).toEqual([]);
  });
});

describe('alloc_aligned (orders >= 1)', () => {
  it('takes the highest aligned block of a range and gives back both ends', () => {
    const alloc = withFreeRanges(256, [[3, 40]]); // [3, 43)
    // Last aligned block of 8 in [3, 43) is [32, 40): [40, 43) and [3, 32) go back.
    expect(alloc.get(0, 3)).toBe(32);
    expect(alloc.rangeCount()).toBe(2);
    expect(alloc.isFree(40, 0) && alloc.isFree(42, 0) && alloc.isFree(3, 0)).toBe(true);
    expect(alloc.check()).toEqual([]);
  });

  it('walks huge ranges first, then lists from the largest class down', () => {
    const alloc = withFreeRanges(512, [
      [2, 4], // class 2: [2, 6) holds no aligned block of 4
      [64, 16], // class 4
      [128, 64], // class 6: visited first
    ]);
    expect(alloc.get(0, 2)).toBe(188); // highest aligned 4-block of [128, 192)
    expect(alloc.check()).toEqual([]);
  });

  it('reports Memory when no range holds an aligned block, and changes nothing', () => {
    const alloc = withFreeRanges(64, [
      [1, 2],
      [5, 2],
      [9, 2],
    ]);
    expect(alloc.get(0, 1)).toBe(AllocError.Memory);
    expect(alloc.freeFrames()).toBe(6);
    expect(alloc.rangeCount()).toBe(3);
    expect(alloc.check()).toEqual([]);
  });
});

describe('free', () => {
  it('coalesces with the left, the right and both neighbours in O(1)', () => {
    const alloc = new PageRangeAllocator({ frames: 64, cores: 1 });
    const pages = Array.from({ length: 64 }, () => alloc.get(0, 0));
    expect(pages).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(alloc.put(0, 10, 0)).toBe(Ok);
    expect(alloc.put(0, 12, 0)).toBe(Ok);
    expect(alloc.rangeCount()).toBe(2);
    expect(alloc.put(0, 11, 0)).toBe(Ok); // both sides: [10, 13)
    expect(alloc.rangeCount()).toBe(1);
    expect(alloc.ranges.size.get(10)).toBe(3);
    expect(alloc.put(0, 13, 0)).toBe(Ok); // left side
    expect(alloc.put(0, 9, 0)).toBe(Ok); // right side
    expect(alloc.ranges.size.get(9)).toBe(5);
    expect(alloc.rangeCount()).toBe(1);
    for (let f = 0; f < 64; f++) if (f < 9 || f > 13) expect(alloc.put(0, f, 0)).toBe(Ok);
    expect(alloc.rangeCount()).toBe(1);
    expect(alloc.ranges.size.get(0)).toBe(64);
    expect(alloc.check()).toEqual([]);
  });
});

describe('page counts, getAt and batches', () => {
  it('serves any page count (malloc_large) and frees it only with that count', () => {
    const alloc = new PageRangeAllocator({ frames: 1024, cores: 2 });
    const block = alloc.getPages(1, 37);
    expect(block).toBe(0);
    expect(alloc.freeFrames()).toBe(1024 - 37);
    expect(alloc.putPages(0, block, 36)).toBe(AllocError.Address);
    expect(alloc.put(0, block, 5)).toBe(AllocError.Address);
    expect(alloc.getPages(0, 2000)).toBe(AllocError.Memory);
    expect(alloc.putPages(0, block, 37)).toBe(Ok);
    expect(alloc.rangeCount()).toBe(1);
  });

  it('getAt carves a block out of the middle of a range', () => {
    const alloc = new PageRangeAllocator({ frames: 1024, cores: 1 });
    expect(alloc.getAt(0, 512, 4)).toBe(512);
    expect(alloc.rangeCount()).toBe(2);
    expect(alloc.getAt(0, 520, 2)).toBe(AllocError.Memory);
    expect(alloc.getAt(0, 6, 2)).toBe(AllocError.Address); // misaligned
    expect(alloc.put(0, 512, 4)).toBe(Ok);
    expect(alloc.rangeCount()).toBe(1);
    expect(alloc.check()).toEqual([]);
  });

  it('takes and returns a batch of single pages under one lock acquisition', () => {
    const alloc = new PageRangeAllocator({ frames: 1024, cores: 1 });
    const out = new Int32Array(32);
    const before = alloc.mutex.stats.acquisitions;
    expect(alloc.getFrames(0, out, 32)).toBe(32);
    expect(alloc.mutex.stats.acquisitions).toBe(before + 1);
    expect(new Set(out).size).toBe(32);
    expect(alloc.putFrames(0, out, 32)).toBe(Ok);
    expect(alloc.mutex.stats.acquisitions).toBe(before + 2);
    expect(alloc.freeFrames()).toBe(1024);
  });

  it('stops a batch at exhaustion and returns what it got', () => {
    const alloc = new PageRangeAllocator({ frames: 40, cores: 1 });
    const out = new Int32Array(32);
    expect(alloc.getFrames(0, out, 32)).toBe(32);
    expect(alloc.getFrames(0, out, 32)).toBe(8);
    expect(alloc.freeFrames()).toBe(0);
  });
});

describe('metadata', () => {
  it('is the coalescing bitmap in whole pages plus the allocator object', () => {
    const frames = 131_072_000; // 500 GiB: a 16 MB bitmap, as docs/reference/osv.md §6 says
    const alloc = new PageRangeAllocator({ frames, cores: 96 });
    expect(alloc.metadataBytes()).toBe(Math.ceil(frames / 8 / 4096) * 4096 + 336);
    expect(alloc.freeFrames()).toBe(frames);
    // Touching a few pages at both ends does not allocate per-frame storage for all of them.
    const first = alloc.get(0, 0);
    const huge = alloc.get(1, 9);
    expect(first).toBe(0);
    expect(huge).toBe(frames - 512);
    expect(alloc.put(0, first, 0)).toBe(Ok);
    expect(alloc.put(1, huge, 9)).toBe(Ok);
    expect(alloc.rangeCount()).toBe(1);
  });
});
