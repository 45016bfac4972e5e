// The bench's baseline: a trivial allocator over the same MemorySystem — one free list (a stack)
// per size rounded up to 16 bytes, refilled by bumping through 2 MiB mmaps, a Map from pointer to
// size for free. No arenas, slabs, extents, decay or metadata: the floor jemalloc's bookkeeping is
// measured against.

import {
  type AddressResult,
  alignUp,
  Errno,
  type ErrnoStatus,
  type Malloc,
  MapFlags,
  type MemorySystem,
  Ok,
  Prot,
} from '@unimem/core';

const CHUNK = 2 * 1024 * 1024;

export class BumpFreeList implements Malloc {
  readonly name = 'bump + free lists';
  private readonly lists = new Map<number, number[]>();
  private readonly sizes = new Map<number, number>();
  private top = 0;
  private end = 0;

  constructor(private readonly memory: MemorySystem) {}

  malloc(core: number, size: number): AddressResult {
    const rounded = Math.max(16, alignUp(size, 16));
    const list = this.lists.get(rounded);
    let ptr = list?.pop();
    if (ptr === undefined) {
      if (this.top + rounded > this.end) {
        const length = Math.max(CHUNK, alignUp(rounded, 4096));
        const addr = this.memory.mmap(
          core,
          length,
          Prot.READ | Prot.WRITE,
          MapFlags.PRIVATE | MapFlags.ANONYMOUS,
        );
        if (addr < 0) return Errno.ENOMEM;
        this.top = addr;
        this.end = addr + length;
      }
      ptr = this.top;
      this.top += rounded;
    }
    this.sizes.set(ptr, rounded);
    return ptr;
  }

  free(_core: number, ptr: number): ErrnoStatus {
    const size = this.sizes.get(ptr);
    if (size === undefined) return Errno.EINVAL;
    this.sizes.delete(ptr);
    let list = this.lists.get(size);
    if (list === undefined) this.lists.set(size, (list = []));
    list.push(ptr);
    return Ok;
  }

  usableSize(ptr: number): number {
    return this.sizes.get(ptr) ?? Errno.EINVAL;
  }
}
