// The POSIX back end: vmcache's Linux path (Leis et al., SIGMOD 2023, §3.1 and §4.1). One
// anonymous private mapping covers the whole database's virtual size; MADV_NOHUGEPAGE keeps it
// at 4 KiB pages (vmcache's pages are 4 KiB; a 2 MiB fault would make 512 pages resident at
// once). A page becomes resident by the first write into it — the kernel's fault path takes its
// VMA lock for read, allocates and zeroes a frame and maps it — before the storage read lands in
// it (pread into the page); it stops being resident by madvise(MADV_DONTNEED) on each run of
// contiguous page ids of an eviction batch, which takes the VMA lock for write, unmaps, and
// flushes the TLBs the way the system flushes (OSv: a global flush_tlb_all; Linux: a shootdown
// to every core of the mm). Runs on every MemorySystem. Invariant: the back end's count of
// mapped pages equals the pages it paged in and has not evicted.

import { Advice, Errno, errnoName, MapFlags, type MemorySystem, Ok, Prot } from '@unimem/core';
import type { Machine } from '@unimem/hw';
import { PAGE_BYTES, type PageBackend, type Step } from './api.js';

export class PosixBackend implements PageBackend {
  readonly name = 'posix' as const;
  readonly base: number;
  private mapped = 0;
  private madviseCalls = 0;

  /** Maps the region for `core`; throws an Error naming the call that failed. */
  constructor(
    private readonly machine: Machine,
    private readonly memory: MemorySystem,
    private readonly dataPages: number,
    core: number,
  ) {
    const bytes = dataPages * PAGE_BYTES;
    const base = memory.mmap(
      core,
      bytes,
      Prot.READ | Prot.WRITE,
      MapFlags.PRIVATE | MapFlags.ANONYMOUS,
    );
    if (base < 0) {
      throw new Error(
        `vmcache posix: mmap(${bytes} bytes) on ${memory.name} failed with ${errnoName(base)}`,
      );
    }
    const status = memory.madvise(core, base, bytes, Advice.NOHUGEPAGE);
    if (status !== Ok) {
      memory.munmap(core, base, bytes);
      throw new Error(
        `vmcache posix: madvise(NOHUGEPAGE) on ${memory.name} failed with ${errnoName(status)}`,
      );
    }
    this.base = base;
  }

  pageIn(core: number, pid: number): number {
    // The pread's copy writes into the page: the first write faults it in (zeroed frame).
    const status = this.memory.touch(core, this.base + pid * PAGE_BYTES, true);
    if (status === Ok) this.mapped++;
    return status === Errno.ENOMEM ? Errno.ENOMEM : status;
  }

  noteAccess(_core: number, _pid: number): void {}

  *evict(core: number, pids: readonly number[]): Step<void> {
    const sorted = [...pids].sort((a, b) => a - b);
    let start = 0;
    while (start < sorted.length) {
      let end = start + 1;
      while (end < sorted.length && sorted[end] === sorted[end - 1] + 1) end++;
      const addr = this.base + sorted[start] * PAGE_BYTES;
      const status = this.memory.madvise(core, addr, (end - start) * PAGE_BYTES, Advice.DONTNEED);
      if (status !== Ok) {
        throw new Error(
          `vmcache posix: madvise(DONTNEED) on ${this.memory.name} failed with ${errnoName(status)}`,
        );
      }
      this.madviseCalls++;
      this.mapped -= end - start;
      start = end;
      yield; // one system call per step
    }
  }

  close(core: number): void {
    if (this.mapped !== 0) throw new Error(`vmcache posix: close with ${this.mapped} pages mapped`);
    this.memory.munmap(core, this.base, this.dataPages * PAGE_BYTES);
    void this.machine;
  }

  mappedPages(): number {
    return this.mapped;
  }

  stats(): Record<string, number> {
    return { madviseCalls: this.madviseCalls };
  }
}
