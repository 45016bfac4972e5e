// One ptmalloc arena (malloc/arena.c, malloc/malloc.c's malloc_state): a mutex, fastbins (chunks
// up to 128 B, pushed lock-free), bins of free chunks by size, and the top chunk at the end of
// its heap. The heap is a 64 MiB PROT_NONE reservation (HEAP_MAX_SIZE) made read-write by
// mprotect as top grows (grow_heap; the main arena's brk heap is modelled the same way, with
// M_TOP_PAD added to each grow); a full heap is followed by a new one. Simplifications, stated:
// freed chunks merge into top when adjacent to it but not with other free neighbours, fastbins
// are never consolidated, the unsorted bin is not modelled (a request takes its exact bin, else
// the best fit, split, else top), heaps never shrink (no trim).
//
// Invariant: a chunk is in at most one of fastbins, bins, top or in use; bins and fastbins hold
// chunk start addresses inside this arena's committed heaps; callers hold `lock` for every
// method except pushFast.

import {
  type ErrnoStatus,
  type Lock,
  MapFlags,
  type MemorySystem,
  PAGE_SIZE,
  Prot,
} from '@unimem/core';
import type { CacheLines } from '@unimem/hw';
import { DEFAULT_TOP_PAD, type GlibcCosts, HEAP_MAX_BYTES, MIN_CHUNK } from './api.js';

/** heap_info + malloc_state at the start of a non-main heap, rounded to 16 [E: ~2.2 KiB]. */
export const HEAP_HEADER_BYTES = 2304;

export interface ArenaHooks {
  memory: MemorySystem;
  lines: CacheLines | undefined;
  costs: GlibcCosts;
  steps(count: number): void;
}

function pageUp(bytes: number): number {
  return Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE;
}

export class Arena {
  heapsMapped = 0;
  heapGrows = 0;
  private readonly fast = new Map<number, number[]>();
  private readonly bins = new Map<number, number[]>();
  /** Sizes whose bin is non-empty, ascending (best fit). */
  private readonly sizes: number[] = [];
  private heapStart = -1;
  private topStart = 0;
  private committedEnd = 0;
  private readonly lineFast: number;
  private readonly lineBins: number;
  private readonly lineTop: number;

  constructor(
    readonly index: number,
    readonly lock: Lock,
    private readonly hooks: ArenaHooks,
  ) {
    const first = hooks.lines?.allocLines(3, `glibc arena ${index}`) ?? 0;
    this.lineFast = first;
    this.lineBins = first + 1;
    this.lineTop = first + 2;
  }

  get main(): boolean {
    return this.index === 0;
  }

  /** Size of the chunk the last `take` returned (a best fit too small to split is kept whole). */
  takenBytes = 0;

  /** A chunk of at least `chunk` bytes from fastbins, bins or top (lock held); -1: no memory. */
  take(core: number, chunk: number): number {
    const { lines, costs } = this.hooks;
    this.hooks.steps(costs.bin);
    this.takenBytes = chunk;
    const fast = this.fast.get(chunk);
    if (fast !== undefined && fast.length > 0) {
      lines?.rmwPlaced(this.lineFast);
      return fast.pop() as number;
    }
    lines?.writePlaced(this.lineBins);
    const fit = this.bestFit(chunk);
    if (fit < 0) return this.carve(core, chunk);
    const size = this.sizes[fit];
    const addr = this.popBin(size, fit);
    if (size - chunk >= MIN_CHUNK) this.pushBin(addr + chunk, size - chunk);
    else this.takenBytes = size;
    return addr;
  }

  /** Whether fastbins, bins or the committed top hold a chunk of `chunk` bytes (lock held). */
  canServe(chunk: number): boolean {
    if ((this.fast.get(chunk)?.length ?? 0) > 0 || this.bestFit(chunk) >= 0) return true;
    return this.heapStart >= 0 && this.topStart + chunk + MIN_CHUNK <= this.committedEnd;
  }

  /** Pops more chunks of exactly `chunk` bytes for the tcache (tcache stashing), at most `max`. */
  stash(chunk: number, max: number, out: number[]): void {
    const fast = this.fast.get(chunk);
    const bin = this.bins.get(chunk);
    while (out.length < max && fast !== undefined && fast.length > 0)
      out.push(fast.pop() as number);
    while (out.length < max && bin !== undefined && bin.length > 0) {
      out.push(bin.pop() as number);
      if (bin.length === 0) this.dropSize(chunk);
    }
  }

  /** _int_free's fastbin path: a CAS on the arena's fastbin head, no lock. */
  pushFast(chunk: number, addr: number): void {
    this.hooks.lines?.rmwPlaced(this.lineFast);
    let list = this.fast.get(chunk);
    if (!list) this.fast.set(chunk, (list = []));
    list.push(addr);
  }

  /** _int_free under the lock: into top when adjacent to it, else into its bin. */
  release(addr: number, chunk: number): void {
    this.hooks.steps(this.hooks.costs.bin);
    if (addr + chunk === this.topStart) {
      this.hooks.lines?.writePlaced(this.lineTop);
      this.topStart = addr;
      return;
    }
    this.hooks.lines?.writePlaced(this.lineBins);
    this.pushBin(addr, chunk);
  }

  /** Carves from top, growing the heap or mapping a new one (sysmalloc); -1 when out of memory. */
  private carve(core: number, chunk: number): number {
    const { lines, costs } = this.hooks;
    if (this.heapStart < 0 || this.topStart + chunk + MIN_CHUNK > this.committedEnd) {
      if (!this.grow(core, chunk)) return -1;
    }
    lines?.writePlaced(this.lineTop);
    this.hooks.steps(costs.top);
    const addr = this.topStart;
    this.topStart += chunk;
    this.hooks.memory.touch(core, addr + 8, true); // set_head writes the chunk's size field
    return addr;
  }

  private grow(core: number, chunk: number): boolean {
    const { memory } = this.hooks;
    const pad = this.main ? DEFAULT_TOP_PAD : 0;
    const reservedEnd = this.heapStart + HEAP_MAX_BYTES;
    let need = pageUp(this.topStart + chunk + MIN_CHUNK + pad - this.committedEnd);
    if (this.heapStart < 0 || this.committedEnd + need > reservedEnd) {
      if (this.heapStart >= 0 && this.committedEnd - this.topStart >= MIN_CHUNK) {
        this.pushBin(this.topStart, this.committedEnd - this.topStart); // the old top is freed
      }
      const start = memory.mmap(
        core,
        HEAP_MAX_BYTES,
        Prot.NONE,
        MapFlags.PRIVATE | MapFlags.ANONYMOUS,
      );
      if (start < 0) return false;
      this.heapsMapped++;
      this.heapStart = start;
      this.topStart = start + (this.main && this.heapsMapped === 1 ? 0 : HEAP_HEADER_BYTES);
      this.committedEnd = start;
      need = pageUp(this.topStart + chunk + MIN_CHUNK + pad - start);
      if (need > HEAP_MAX_BYTES) return false;
    }
    const status: ErrnoStatus = memory.mprotect(
      core,
      this.committedEnd,
      need,
      Prot.READ | Prot.WRITE,
    );
    if (status !== 0) return false;
    this.heapGrows++;
    this.committedEnd += need;
    return true;
  }

  private bestFit(chunk: number): number {
    let lo = 0;
    let hi = this.sizes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sizes[mid] < chunk) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.sizes.length ? lo : -1;
  }

  private pushBin(addr: number, chunk: number): void {
    let bin = this.bins.get(chunk);
    if (!bin) this.bins.set(chunk, (bin = []));
    if (bin.length === 0) {
      const at = this.bestFit(chunk);
      this.sizes.splice(at < 0 ? this.sizes.length : at, 0, chunk);
    }
    bin.push(addr);
  }

  private popBin(chunk: number, at: number): number {
    const bin = this.bins.get(chunk) as number[];
    const addr = bin.pop() as number;
    if (bin.length === 0) this.sizes.splice(at, 1);
    return addr;
  }

  private dropSize(chunk: number): void {
    const at = this.bestFit(chunk);
    if (at >= 0 && this.sizes[at] === chunk) this.sizes.splice(at, 1);
  }
}
