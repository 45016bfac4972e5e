// Which user pages the kernel has populated, per 2 MiB region: either one huge page or a bitmap
// of 512 4 KiB pages. The page table stays the source of truth for translation; this mirror
// exists so that munmap/madvise/mprotect visit only populated pages (OSv's page-table walk skips
// empty levels the same way) without host work proportional to the size of a mostly empty
// range. Invariant: a bit is set (or a region is huge) exactly when the kernel mapped that page
// and has not unmapped it; pages a Kernel API user maps itself are not recorded.

import { HUGE_SIZE, PAGE_SIZE } from '@unimem/core';

const PAGES = HUGE_SIZE / PAGE_SIZE;
const WORDS = PAGES / 32;

class Region {
  huge = false;
  /** Populated 4 KiB pages (PAGES when huge). */
  count = 0;
  readonly bits = new Uint32Array(WORDS);
}

export class Residency {
  /** Bytes of populated pages. */
  bytes = 0;
  private readonly regions = new Map<number, Region>();

  /** Index of the 2 MiB region holding `va`. */
  static key(va: number): number {
    return Math.floor(va / HUGE_SIZE);
  }

  isHuge(key: number): boolean {
    return this.regions.get(key)?.huge === true;
  }

  /** True when nothing is populated in the region. */
  isEmpty(key: number): boolean {
    return this.regions.get(key) === undefined;
  }

  /** True when the 4 KiB page at `va` is populated (as a page or as part of a huge page). */
  has(va: number): boolean {
    const region = this.regions.get(Residency.key(va));
    if (region === undefined) return false;
    if (region.huge) return true;
    const page = pageIndex(va);
    return (region.bits[page >>> 5] & (1 << (page & 31))) !== 0;
  }

  addPage(va: number): void {
    const key = Residency.key(va);
    let region = this.regions.get(key);
    if (region === undefined) {
      region = new Region();
      this.regions.set(key, region);
    }
    const page = pageIndex(va);
    region.bits[page >>> 5] |= 1 << (page & 31);
    region.count++;
    this.bytes += PAGE_SIZE;
  }

  removePage(va: number): void {
    const key = Residency.key(va);
    const region = this.regions.get(key)!;
    const page = pageIndex(va);
    region.bits[page >>> 5] &= ~(1 << (page & 31));
    region.count--;
    this.bytes -= PAGE_SIZE;
    if (region.count === 0) this.regions.delete(key);
  }

  addHuge(key: number): void {
    const region = new Region();
    region.huge = true;
    region.count = PAGES;
    this.regions.set(key, region);
    this.bytes += HUGE_SIZE;
  }

  removeHuge(key: number): void {
    this.regions.delete(key);
    this.bytes -= HUGE_SIZE;
  }

  /** The huge page of region `key` is now 512 4 KiB pages. */
  splitHuge(key: number): void {
    const region = this.regions.get(key)!;
    region.huge = false;
    region.bits.fill(0xffffffff);
  }

  /** Keys of the regions with populated pages that intersect [start, end), ascending. */
  keysIn(start: number, end: number): number[] {
    const first = Residency.key(start);
    const last = Residency.key(end - 1);
    const out: number[] = [];
    if (last - first + 1 <= this.regions.size) {
      for (let key = first; key <= last; key++) if (this.regions.has(key)) out.push(key);
    } else {
      for (const key of this.regions.keys()) if (key >= first && key <= last) out.push(key);
      out.sort((a, b) => a - b);
    }
    return out;
  }

  /** Addresses of the populated 4 KiB pages of (non-huge) region `key` inside [start, end). */
  pagesIn(key: number, start: number, end: number): number[] {
    const region = this.regions.get(key);
    const out: number[] = [];
    if (region === undefined) return out;
    const base = key * HUGE_SIZE;
    const from = Math.max(0, (start - base) / PAGE_SIZE);
    const to = Math.min(PAGES, (end - base) / PAGE_SIZE);
    for (let page = from; page < to; page++) {
      if ((region.bits[page >>> 5] & (1 << (page & 31))) !== 0) out.push(base + page * PAGE_SIZE);
    }
    return out;
  }
}

function pageIndex(va: number): number {
  return Math.floor(va / PAGE_SIZE) & (PAGES - 1);
}
