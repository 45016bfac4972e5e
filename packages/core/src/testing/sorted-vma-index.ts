// A VmaIndex test double and bench baseline: VMAs in one array sorted by start, binary search
// for lookups, splice for updates (O(n) moves per insert and erase). Invariant: the array is
// sorted by start and no two VMAs overlap (insert throws a RangeError on overlap). No other
// checks: it is the cost floor for find and the cost ceiling for updates in @unimem/vma-tree's
// bench, and the small index the superblock tests hand their allocator. It passes the VmaIndex
// suite (vma-tree's conformance test runs it).

import type { Vma, VmaIndex } from '../api.js';

export class SortedVmaIndex<V extends Vma = Vma> implements VmaIndex<V> {
  private readonly vmas: V[] = [];

  get size(): number {
    return this.vmas.length;
  }

  /** Number of VMAs whose start is <= addr. */
  private upperBound(addr: number): number {
    let lo = 0;
    let hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.vmas[mid].start <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(vma: V): void {
    const i = this.upperBound(vma.start);
    const pred = this.vmas[i - 1];
    const succ = this.vmas[i];
    if (
      (pred !== undefined && pred.end > vma.start) ||
      (succ !== undefined && succ.start < vma.end)
    ) {
      throw new RangeError(`vma [${vma.start}, ${vma.end}) overlaps`);
    }
    this.vmas.splice(i, 0, vma);
  }

  erase(vma: V): boolean {
    const i = this.upperBound(vma.start) - 1;
    if (i < 0 || this.vmas[i] !== vma) return false;
    this.vmas.splice(i, 1);
    return true;
  }

  find(addr: number): V | undefined {
    const vma = this.vmas[this.upperBound(addr) - 1];
    return vma !== undefined && vma.end > addr ? vma : undefined;
  }

  findIntersecting(addr: number, size: number): V[] {
    const out: V[] = [];
    if (size === 0) return out;
    const end = addr + size;
    let i = this.upperBound(addr) - 1;
    if (i >= 0 && this.vmas[i].end <= addr) i++;
    for (i = Math.max(i, 0); i < this.vmas.length && this.vmas[i].start < end; i++) {
      out.push(this.vmas[i]);
    }
    return out;
  }

  [Symbol.iterator](): IterableIterator<V> {
    return this.vmas[Symbol.iterator]();
  }
}
