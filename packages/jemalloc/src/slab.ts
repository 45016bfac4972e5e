// A slab: an active extent cut into equal regions of one small size class, with a bitmap of free
// regions kept in its edata_t (slab_data_t), not in the slab's pages — jemalloc writes nothing
// into the memory it hands out. Allocation takes the lowest free region (bitmap_sfu), which keeps
// a slab's live regions packed at its start. Invariant: nfree equals the number of set bits, and
// bits beyond nregs are never set.

import { BITMAP_WORDS, type ExtentTable } from './extent.js';

/** Turns an active extent into an empty slab of `nregs` regions of class `szind`. */
export function slabInit(table: ExtentTable, handle: number, szind: number, nregs: number): void {
  table.setSlab(handle, 1);
  table.setSzind(handle, szind);
  table.setNfree(handle, nregs);
  if (nregs <= 32) {
    table.setBits(handle, nregs === 32 ? 0xffffffff : (1 << nregs) - 1);
    return;
  }
  const base = table.takeBitmap(handle) * BITMAP_WORDS;
  const words = table.bitmaps;
  for (let word = 0; word < BITMAP_WORDS; word++) {
    const bit = word * 32;
    words[base + word] =
      bit + 32 <= nregs ? 0xffffffff : bit < nregs ? (1 << (nregs - bit)) - 1 : 0;
  }
}

/** Takes the lowest free region of a slab with nfree > 0; returns its index. */
export function slabTake(table: ExtentTable, handle: number): number {
  table.setNfree(handle, table.nfree(handle) - 1);
  const slot = table.bitmapSlot(handle);
  if (slot < 0) {
    const bits = table.bits(handle);
    const region = 31 - Math.clz32(bits & -bits);
    table.setBits(handle, bits & (bits - 1));
    return region;
  }
  const words = table.bitmaps;
  const base = slot * BITMAP_WORDS;
  for (let word = 0; ; word++) {
    const bits = words[base + word];
    if (bits !== 0) {
      words[base + word] = bits & (bits - 1);
      return word * 32 + 31 - Math.clz32(bits & -bits);
    }
  }
}

/** True when `region` is allocated (its bit is clear). */
export function slabIsAllocated(table: ExtentTable, handle: number, region: number): boolean {
  const slot = table.bitmapSlot(handle);
  const bits = slot < 0 ? table.bits(handle) : table.bitmaps[slot * BITMAP_WORDS + (region >> 5)];
  return (bits & (1 << (region & 31))) === 0;
}

/** Frees an allocated region; returns the slab's new nfree. */
export function slabRelease(table: ExtentTable, handle: number, region: number): number {
  const slot = table.bitmapSlot(handle);
  if (slot < 0) table.setBits(handle, table.bits(handle) | (1 << region));
  else table.bitmaps[slot * BITMAP_WORDS + (region >> 5)] |= 1 << (region & 31);
  const nfree = table.nfree(handle) + 1;
  table.setNfree(handle, nfree);
  return nfree;
}

/** Dissolves an empty slab's bitmap before the extent goes back to the page allocator. */
export function slabFini(table: ExtentTable, handle: number): void {
  table.releaseBitmap(handle);
  table.setSlab(handle, 0);
}
