// Split and merge helpers over any VmaIndex: what munmap (carve) and mprotect (isolate, then
// mergeAdjacent) do to the VMA list. They follow OSv's vma::split: a split VMA keeps its object
// for the lower part, [start, addr), and a clone takes the upper part, so whoever holds the
// object still holds the part that begins where it began. A VMA is taken out of the index
// before its bounds change and put back afterwards, so the helpers work with any index, not
// only ones that key by start alone. Invariant: the index covers exactly the same addresses
// before and after isolate, splitAt and mergeAdjacent.

import type { Vma, VmaIndex } from '@unimem/core';
import type { CanMergeVma, CloneVma } from './api.js';
import { checkRange, describeRange, hex } from './bounds.js';

/** Copies own enumerable properties onto an object with the same prototype. */
export function cloneVma<V extends Vma>(vma: V): V {
  return Object.assign(Object.create(Object.getPrototypeOf(vma)) as V, vma);
}

/** The default merge rule: equal `prot` and `flags` (Linux's vma_merge also compares files). */
export function sameProtAndFlags(left: Vma, right: Vma): boolean {
  return left.prot === right.prot && left.flags === right.flags;
}

/**
 * Splits the indexed `vma` at `addr`: afterwards `vma` covers [start, addr) and the returned
 * clone covers [addr, end), both indexed. Throws a RangeError when addr is not strictly inside
 * the VMA or the VMA is not in the index (nothing changes then).
 */
export function splitAt<V extends Vma>(
  index: VmaIndex<V>,
  vma: V,
  addr: number,
  clone: CloneVma<V> = cloneVma,
): V {
  if (!Number.isSafeInteger(addr) || addr <= vma.start || addr >= vma.end) {
    throw new RangeError(
      `split of vma ${describeRange(vma.start, vma.end)} at ${hex(addr)}: not strictly inside`,
    );
  }
  if (!index.erase(vma)) {
    throw new RangeError(`split of vma ${describeRange(vma.start, vma.end)}: not in the index`);
  }
  const upper = clone(vma);
  upper.start = addr;
  upper.end = vma.end;
  vma.end = addr;
  index.insert(vma);
  index.insert(upper);
  return upper;
}

/**
 * Splits the VMAs straddling `addr` and `addr + size` so that VMA boundaries fall on both, and
 * returns the VMAs inside [addr, addr + size) in address order; they stay indexed. Holes in the
 * range are simply absent from the result. What mprotect and madvise work on.
 */
export function isolate<V extends Vma>(
  index: VmaIndex<V>,
  addr: number,
  size: number,
  clone: CloneVma<V> = cloneVma,
): V[] {
  checkRange(addr, size);
  const inside = index.findIntersecting(addr, size);
  if (inside.length === 0) return inside;
  const end = addr + size;
  const first = inside[0];
  if (first.start < addr) inside[0] = splitAt(index, first, addr, clone);
  const last = inside[inside.length - 1];
  if (last.end > end) splitAt(index, last, end, clone);
  return inside;
}

/**
 * Removes [addr, addr + size) from the index, splitting the VMAs straddling its edges (their
 * outer parts stay indexed), and returns the removed VMAs in address order. What munmap does.
 */
export function carve<V extends Vma>(
  index: VmaIndex<V>,
  addr: number,
  size: number,
  clone: CloneVma<V> = cloneVma,
): V[] {
  const inside = isolate(index, addr, size, clone);
  for (const vma of inside) index.erase(vma);
  return inside;
}

/**
 * Merges every run of touching VMAs (one's end is the next one's start) that `canMerge` allows,
 * among the VMAs intersecting or touching [addr, addr + size); size 0 merges across `addr`
 * alone. The lowest VMA of a run is kept and extended; the others leave the index. Returns how
 * many VMAs left the index.
 */
export function mergeAdjacent<V extends Vma>(
  index: VmaIndex<V>,
  addr: number,
  size: number,
  canMerge: CanMergeVma<V> = sameProtAndFlags,
): number {
  checkRange(addr, size);
  const lo = addr > 0 ? addr - 1 : 0;
  const near = index.findIntersecting(lo, addr + size + 1 - lo);
  let removed = 0;
  let i = 0;
  while (i < near.length) {
    const head = near[i];
    let j = i + 1;
    while (j < near.length && near[j - 1].end === near[j].start && canMerge(near[j - 1], near[j])) {
      j++;
    }
    if (j > i + 1) {
      index.erase(head);
      for (let k = i + 1; k < j; k++) index.erase(near[k]);
      head.end = near[j - 1].end;
      index.insert(head);
      removed += j - i - 1;
    }
    i = j;
  }
  return removed;
}
