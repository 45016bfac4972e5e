// jemalloc 5.3's size classes, generated as src/sc.c does (x86-64: LG_QUANTUM 4, SC_LG_TINY_MIN
// 3, LG_PAGE 12, SC_LG_NGROUP 2): one tiny class (8), the quantum-spaced pseudo group 16..64, then
// groups of four classes per doubling, class = 2^lg_base + ndelta × 2^(lg_base - 2), ndelta 1..4.
// Classes below 2^(LG_PAGE + SC_LG_NGROUP) = 16 KiB are small (bins, slabs of lcm(page, size)
// bytes: sc.c `slab_size`); the rest are large. Page-size classes (`psz`: the classes that are a
// multiple of the page) size extents, the exponential growth of retained memory (exp_grow.c) and
// the bins of extent sets, whose quantization (sz.c `sz_psz_quantize_floor/ceil`) is shifted by
// the large pad page when cache-oblivious placement is on. Invariant: the table is sorted and
// every lookup returns the smallest class holding the request.

import { PAGE_SIZE } from '@unimem/core';

/** log2 of the quantum (16 bytes). */
export const LG_QUANTUM = 4;
/** log2 of the tiny minimum class (8 bytes). */
export const LG_TINY_MIN = 3;
/** Classes per doubling (4). */
export const NGROUP = 4;
/** Sizes up to this are looked up in a table (SC_LOOKUP_MAXCLASS = 4 KiB). */
export const LOOKUP_MAXCLASS = 4096;
/** Smallest large class: 2^(LG_PAGE + SC_LG_NGROUP) = 16 KiB. */
export const LARGE_MINCLASS = PAGE_SIZE * NGROUP;
/**
 * Largest class generated. jemalloc's goes to 2^62 + 3 × 2^60; here classes stop at 2^48 (the
 * 48-bit address space), so every size and address stays an exact JavaScript integer.
 */
export const MAX_CLASS_LIMIT = 2 ** 48;
/** Extent sizes (in pages) whose extent-set bins are looked up in a table: up to 16 MiB. */
const BIN_LOOKUP_PAGES = 4096;
/** Largest number of regions in a slab (8-byte class, one page): 512. */
export const SLAB_MAXREGS = PAGE_SIZE >> LG_TINY_MIN;

export class SizeClasses {
  /** Size of each class, ascending. */
  readonly sizes: Float64Array;
  /** Number of small classes (bins): 36. */
  readonly nbins: number;
  /** Largest small class: 14 KiB. */
  readonly smallMaxClass: number;
  /** Largest class. */
  readonly maxClass: number;
  /** Pages per slab of each small class. */
  readonly slabPages: Int32Array;
  /** Regions per slab of each small class. */
  readonly slabRegions: Int32Array;
  /** Page-size classes (multiples of the page), ascending. */
  readonly pszSizes: Float64Array;
  /** Bytes added to every large extent: one page with cache-oblivious placement, else 0. */
  readonly largePad: number;
  /** Size class index of (size + 7) >> 3 for sizes up to LOOKUP_MAXCLASS. */
  private readonly lookup: Uint8Array;
  /** esetBinOf / esetFitBin of extents up to BIN_LOOKUP_PAGES pages, by page count. */
  private readonly binOfPages: Int16Array;
  private readonly fitOfPages: Int16Array;

  constructor(options: { cacheOblivious?: boolean } = {}) {
    this.largePad = (options.cacheOblivious ?? true) ? PAGE_SIZE : 0;
    const sizes = generateSizes();
    this.sizes = Float64Array.from(sizes);
    this.nbins = sizes.findIndex((size) => size >= LARGE_MINCLASS);
    this.smallMaxClass = sizes[this.nbins - 1];
    this.maxClass = sizes[sizes.length - 1];
    this.slabPages = new Int32Array(this.nbins);
    this.slabRegions = new Int32Array(this.nbins);
    for (let index = 0; index < this.nbins; index++) {
      const pages = slabPagesFor(sizes[index]);
      this.slabPages[index] = pages;
      this.slabRegions[index] = (pages * PAGE_SIZE) / sizes[index];
    }
    this.pszSizes = Float64Array.from(sizes.filter((size) => size % PAGE_SIZE === 0));
    this.lookup = new Uint8Array((LOOKUP_MAXCLASS >> LG_TINY_MIN) + 1);
    let index = 0;
    for (let slot = 0; slot < this.lookup.length; slot++) {
      while (sizes[index] < slot << LG_TINY_MIN) index++;
      this.lookup[slot] = index;
    }
    this.binOfPages = new Int16Array(BIN_LOOKUP_PAGES + 1);
    this.fitOfPages = new Int16Array(BIN_LOOKUP_PAGES + 1);
    for (let pages = 1; pages <= BIN_LOOKUP_PAGES; pages++) {
      this.binOfPages[pages] = this.pszIndex(this.quantizeFloor(pages * PAGE_SIZE));
      this.fitOfPages[pages] = this.pszIndex(this.quantizeCeil(pages * PAGE_SIZE));
    }
  }

  /** Number of classes. */
  get count(): number {
    return this.sizes.length;
  }

  /** Index of the smallest class holding `size` bytes (size 0 → the 8-byte class); -1 if none. */
  index(size: number): number {
    if (size <= LOOKUP_MAXCLASS) return this.lookup[(size + 7) >> LG_TINY_MIN];
    if (size > this.maxClass) return -1;
    return lowerBound(this.sizes, size);
  }

  /** Size of class `index`. */
  size(index: number): number {
    return this.sizes[index];
  }

  /** True when class `index` is served from slabs. */
  isSmall(index: number): boolean {
    return index < this.nbins;
  }

  /** Slab bytes of small class `index`. */
  slabBytes(index: number): number {
    return this.slabPages[index] * PAGE_SIZE;
  }

  /** Index of the smallest page-size class >= `size` (sz_psz2ind); pszCount when none. */
  pszIndex(size: number): number {
    return lowerBound(this.pszSizes, size);
  }

  /** Size of page-size class `index` (sz_pind2sz); beyond the table: maxClass + page. */
  pszSize(index: number): number {
    return index < this.pszSizes.length ? this.pszSizes[index] : this.maxClass + PAGE_SIZE;
  }

  get pszCount(): number {
    return this.pszSizes.length;
  }

  /** sz_psz_quantize_floor: the largest quantized size <= `size` (a page multiple). */
  quantizeFloor(size: number): number {
    const index = this.pszIndex(size - this.largePad + 1);
    if (index === 0) return size;
    return this.pszSize(index - 1) + this.largePad;
  }

  /** sz_psz_quantize_ceil: the smallest quantized size >= `size` (a page multiple). */
  quantizeCeil(size: number): number {
    const floor = this.quantizeFloor(size);
    if (floor >= size) return floor;
    return this.pszSize(this.pszIndex(floor - this.largePad + 1)) + this.largePad;
  }

  /** The extent-set bin an extent of `size` bytes is filed under (eset_insert). */
  esetBinOf(size: number): number {
    const pages = size / PAGE_SIZE;
    if (pages <= BIN_LOOKUP_PAGES) return this.binOfPages[pages];
    return this.pszIndex(this.quantizeFloor(size));
  }

  /** The first extent-set bin that can hold `size` bytes (eset_first_fit). */
  esetFitBin(size: number): number {
    const pages = size / PAGE_SIZE;
    if (pages <= BIN_LOOKUP_PAGES) return this.fitOfPages[pages];
    return this.pszIndex(this.quantizeCeil(size));
  }
}

/** The class sizes of sc.c `size_classes` for 64-bit x86 with 4 KiB pages, up to 2^48. */
function generateSizes(): number[] {
  const sizes = [1 << LG_TINY_MIN]; // tiny: 8
  // The pseudo group of quantum-spaced classes: 16, 32, 48, 64.
  for (let ndelta = 1; ndelta <= NGROUP; ndelta++) sizes.push(ndelta << LG_QUANTUM);
  for (let lgBase = LG_QUANTUM + 2; ; lgBase++) {
    for (let ndelta = 1; ndelta <= NGROUP; ndelta++) {
      const size = 2 ** lgBase + ndelta * 2 ** (lgBase - 2);
      if (size > MAX_CLASS_LIMIT) return sizes;
      sizes.push(size);
    }
  }
}

/** Pages of a slab: the least common multiple of the page and the region size (sc.c). */
function slabPagesFor(regionBytes: number): number {
  let pages = 1;
  while ((pages * PAGE_SIZE) % regionBytes !== 0) pages++;
  return pages;
}

/** First index i with table[i] >= value (table.length if none). */
function lowerBound(table: Float64Array, value: number): number {
  let lo = 0;
  let hi = table.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (table[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
