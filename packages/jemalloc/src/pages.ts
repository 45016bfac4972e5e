// jemalloc's pages.c over a MemorySystem: the only place the model calls the operating system.
// Mappings are anonymous private read-write mmaps; an alignment above the page is obtained as
// pages_map does (map, and if the result is misaligned unmap it, map size + alignment - page and
// trim both ends with munmap). Purging is madvise: MADV_DONTNEED for a forced purge (the pages
// read back as zero), MADV_FREE for a lazy one (muzzy). With retain:true nothing is ever
// unmapped except the trimmed ends of an aligned mapping. Counts every call it makes.

import {
  type AddressResult,
  Advice,
  Errno,
  MapFlags,
  type MemorySystem,
  Ok,
  PAGE_SIZE,
  Prot,
} from '@unimem/core';

const PROT = Prot.READ | Prot.WRITE;
const FLAGS = MapFlags.PRIVATE | MapFlags.ANONYMOUS;

export class Pages {
  mmapCalls = 0;
  mmapBytes = 0;
  munmapCalls = 0;
  madviseCalls = 0;
  /** Bytes passed to madvise(DONTNEED). */
  dontneedBytes = 0;
  /** Bytes passed to madvise(FREE). */
  freeBytes = 0;
  touchCalls = 0;

  constructor(readonly memory: MemorySystem) {}

  /** Maps `size` bytes aligned to `align` (a power of two >= the page); ENOMEM on failure. */
  map(core: number, size: number, align = PAGE_SIZE): AddressResult {
    const addr = this.mmap(core, size);
    if (addr < 0 || addr % align === 0) return addr < 0 ? Errno.ENOMEM : addr;
    this.unmapRange(core, addr, size);
    const padded = size + align - PAGE_SIZE;
    const base = this.mmap(core, padded);
    if (base < 0) return Errno.ENOMEM;
    const start = Math.ceil(base / align) * align;
    if (start > base) this.unmapRange(core, base, start - base);
    const end = base + padded;
    if (end > start + size) this.unmapRange(core, start + size, end - (start + size));
    return start;
  }

  /** madvise(DONTNEED): the pages are dropped and read back as zero. */
  purgeForced(core: number, addr: number, size: number): void {
    this.advise(core, addr, size, Advice.DONTNEED);
    this.dontneedBytes += size;
  }

  /** madvise(FREE): the pages may be reclaimed until they are written again. */
  purgeLazy(core: number, addr: number, size: number): void {
    this.advise(core, addr, size, Advice.FREE);
    this.freeBytes += size;
  }

  /** A write to one byte of metadata: faults the page in. Throws if the system cannot. */
  touch(core: number, addr: number): void {
    this.touchCalls++;
    const status = this.memory.touch(core, addr, true);
    if (status !== Ok) {
      throw new Error(
        `jemalloc: writing metadata at 0x${addr.toString(16)} failed with ${status} ` +
          '(the process would crash here: the memory system cannot populate the page)',
      );
    }
  }

  private mmap(core: number, size: number): AddressResult {
    const addr = this.memory.mmap(core, size, PROT, FLAGS);
    if (addr >= 0) {
      this.mmapCalls++;
      this.mmapBytes += size;
    }
    return addr;
  }

  /** munmap (alignment trims, and mappings whose metadata could not be set up). */
  unmapRange(core: number, addr: number, size: number): void {
    this.munmapCalls++;
    this.mmapBytes -= size;
    const status = this.memory.munmap(core, addr, size);
    if (status !== Ok) {
      throw new Error(`jemalloc: munmap(0x${addr.toString(16)}, ${size}) failed with ${status}`);
    }
  }

  private advise(core: number, addr: number, size: number, advice: number): void {
    this.madviseCalls++;
    const status = this.memory.madvise(core, addr, size, advice);
    if (status !== Ok) {
      throw new Error(
        `jemalloc: madvise(0x${addr.toString(16)}, ${size}, ${advice}) failed with ${status}`,
      );
    }
  }
}
