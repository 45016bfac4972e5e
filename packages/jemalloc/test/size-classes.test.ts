// The generated table against class values known from jemalloc 5.3 on x86-64 (sc.h, the
// size_classes table `jemalloc-config --size-classes` prints), and lookups against a linear scan.

import { PAGE_SIZE } from '@unimem/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LARGE_MINCLASS, SizeClasses } from '../src/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('SizeClasses', () => {
  const classes = new SizeClasses();

  it('generates the small classes of jemalloc 5.3', () => {
    expect(Array.from(classes.sizes.slice(0, 21))).toEqual([
      8, 16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896,
      1024,
    ]);
    expect(classes.nbins).toBe(36);
    expect(classes.smallMaxClass).toBe(14 * KiB);
    expect(classes.size(classes.nbins)).toBe(LARGE_MINCLASS);
    expect(LARGE_MINCLASS).toBe(16 * KiB);
    expect(Array.from(classes.sizes.slice(28, 40))).toEqual([
      4096, 5120, 6144, 7168, 8192, 10240, 12288, 14336, 16384, 20480, 24576, 28672,
    ]);
  });

  it('continues with four classes per doubling up to 2^48', () => {
    const at = (size: number) => classes.sizes.indexOf(size);
    for (const size of [32 * KiB, 40 * KiB, MiB, 1.25 * MiB, 1.5 * MiB, 1.75 * MiB, 2 * MiB]) {
      expect(at(size), `${size}`).toBeGreaterThan(0);
    }
    expect(at(36 * KiB)).toBe(-1);
    expect(classes.maxClass).toBe(2 ** 48);
    for (let i = 1; i < classes.count; i++)
      expect(classes.sizes[i]).toBeGreaterThan(classes.sizes[i - 1]);
  });

  it('sizes slabs as the least common multiple of page and region (sc.c slab_size)', () => {
    const slab = (size: number) => {
      const index = classes.sizes.indexOf(size);
      return [classes.slabPages[index], classes.slabRegions[index]];
    };
    expect(slab(8)).toEqual([1, 512]);
    expect(slab(48)).toEqual([3, 256]);
    expect(slab(160)).toEqual([5, 128]);
    expect(slab(4096)).toEqual([1, 1]);
    expect(slab(5120)).toEqual([5, 4]);
    expect(slab(14 * KiB)).toEqual([7, 2]);
    for (let i = 0; i < classes.nbins; i++) {
      expect(classes.slabPages[i]).toBeLessThanOrEqual(7);
      expect(classes.slabRegions[i] * classes.sizes[i]).toBe(classes.slabPages[i] * PAGE_SIZE);
    }
  });

  it('looks up the smallest class holding a size', () => {
    expect(classes.size(classes.index(0))).toBe(8);
    expect(classes.size(classes.index(1))).toBe(8);
    expect(classes.size(classes.index(9))).toBe(16);
    expect(classes.size(classes.index(17))).toBe(32);
    expect(classes.size(classes.index(4097))).toBe(5120);
    expect(classes.size(classes.index(14 * KiB + 1))).toBe(16 * KiB);
    expect(classes.size(classes.index(16 * KiB + 1))).toBe(20 * KiB);
    expect(classes.index(2 ** 48 + 1)).toBe(-1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (size) => {
        const index = classes.index(size);
        expect(classes.size(index)).toBeGreaterThanOrEqual(size);
        if (index > 0) expect(classes.size(index - 1)).toBeLessThan(size);
      }),
    );
  });

  it('lists page-size classes for extent sizes and exponential growth', () => {
    expect(Array.from(classes.pszSizes.slice(0, 10)).map((s) => s / KiB)).toEqual([
      4, 8, 12, 16, 20, 24, 28, 32, 40, 48,
    ]);
    // exp_grow from 2 MiB: each step the next page-size class, about 1.19× on average.
    const first = classes.pszIndex(2 * MiB);
    const grow = [0, 1, 2, 3, 4, 5].map((i) => classes.pszSize(first + i) / MiB);
    expect(grow).toEqual([2, 2.5, 3, 3.5, 4, 5]);
  });

  for (const cacheOblivious of [true, false]) {
    it(`files extents so that a fit never returns one too small (pad ${cacheOblivious})`, () => {
      const table = new SizeClasses({ cacheOblivious });
      const pages = fc.integer({ min: 1, max: 5000 });
      fc.assert(
        fc.property(pages, pages, (extentPages, requestPages) => {
          const extent = extentPages * PAGE_SIZE;
          const request = requestPages * PAGE_SIZE;
          // Anything filed in a bin the fit looks at holds the request ...
          if (table.esetBinOf(extent) >= table.esetFitBin(request)) {
            expect(extent).toBeGreaterThanOrEqual(request);
          }
          // ... and an extent of exactly a requested (padded) large size is found.
          const usize = table.size(table.index(request));
          if (usize >= LARGE_MINCLASS) {
            const esize = usize + table.largePad;
            expect(table.esetBinOf(esize)).toBeGreaterThanOrEqual(table.esetFitBin(esize));
          }
        }),
      );
    });
  }
});
