// A tiny MemorySystem test double for user-level allocators (the Malloc suite's example uses it):
// mmap is a bump allocator of address space (2 MiB-aligned for mappings of 2 MiB or more, as
// find_hole and kernel-api do, unless hugeAlign is off), munmap and madvise are bookkeeping, touch
// checks that the address is mapped and marks its page resident; DONTNEED drops residency. Every
// call is counted, madvise per advice. Invariant: a page is resident only while it is mapped.

import { type AddressResult, Advice, type MemoryStats, type MemorySystem } from '../api.js';
import { isCoreIndex, isPageSize } from '../checks.js';
import { Errno, type ErrnoStatus, Ok } from '../errors.js';
import { HUGE_SIZE, PAGE_SIZE } from '../units.js';
import { MappedRegions } from './mapped-regions.js';

export interface TestMemoryOptions {
  cores?: number;
  /** First address handed out (default 0x10_0000_0000). */
  base?: number;
  /** Address space mmap may hand out (default 1 TiB). */
  addressSpaceBytes?: number;
  /** Align mappings of >= 2 MiB to 2 MiB (default true). */
  hugeAlign?: boolean;
}

export interface AdviceCall {
  addr: number;
  length: number;
  advice: number;
}

export class TestMemory implements MemorySystem {
  readonly name = 'test-memory';
  readonly cores: number;
  readonly calls = { mmap: 0, munmap: 0, madvise: 0, touch: 0, dontneed: 0, free: 0 };
  /** Length of every successful mmap, in order. */
  readonly mmapLengths: number[] = [];
  /** Every madvise, in order. */
  readonly advice: AdviceCall[] = [];
  /** Mapped regions. */
  readonly mapped = new MappedRegions();
  readonly resident = new Set<number>();
  private next: number;
  private readonly limit: number;
  private readonly hugeAlign: boolean;

  constructor(options: TestMemoryOptions = {}) {
    this.cores = options.cores ?? 4;
    this.next = options.base ?? 0x10_0000_0000;
    this.limit = this.next + (options.addressSpaceBytes ?? 2 ** 40);
    this.hugeAlign = options.hugeAlign ?? true;
  }

  /** Mapped regions, sorted and disjoint: [start, end). */
  get regions(): ReadonlyArray<[number, number]> {
    return this.mapped.list;
  }

  boot(): void {}

  mmap(core: number, length: number, _prot: number, _flags: number): AddressResult {
    if (!isCoreIndex(core, this.cores) || !isPageSize(length)) return Errno.EINVAL;
    const align = this.hugeAlign && length >= HUGE_SIZE ? HUGE_SIZE : PAGE_SIZE;
    const start = Math.ceil(this.next / align) * align;
    if (start + length > this.limit) return Errno.ENOMEM;
    this.next = start + length;
    this.mapped.map(start, start + length);
    this.calls.mmap++;
    this.mmapLengths.push(length);
    return start;
  }

  munmap(core: number, addr: number, length: number): ErrnoStatus {
    if (!this.validRange(core, addr, length)) return Errno.EINVAL;
    const end = addr + length;
    this.mapped.unmap(addr, end);
    for (let page = addr; page < end; page += PAGE_SIZE) this.resident.delete(page);
    this.calls.munmap++;
    return Ok;
  }

  mprotect(core: number, addr: number, length: number): ErrnoStatus {
    if (!isCoreIndex(core, this.cores)) return Errno.EINVAL;
    return this.mapped.covers(addr, length) ? Ok : Errno.ENOMEM;
  }

  madvise(core: number, addr: number, length: number, advice: number): ErrnoStatus {
    if (!this.validRange(core, addr, length)) return Errno.EINVAL;
    if (!this.mapped.covers(addr, length)) return Errno.ENOMEM;
    this.calls.madvise++;
    this.advice.push({ addr, length, advice });
    if (advice === Advice.DONTNEED) {
      this.calls.dontneed++;
      for (let page = addr; page < addr + length; page += PAGE_SIZE) this.resident.delete(page);
    } else if (advice === Advice.FREE) {
      this.calls.free++;
    }
    return Ok;
  }

  touch(core: number, addr: number, _write: boolean): ErrnoStatus {
    if (!isCoreIndex(core, this.cores)) return Errno.EINVAL;
    if (!this.mapped.covers(addr, 1)) return Errno.EFAULT;
    this.calls.touch++;
    this.resident.add(Math.floor(addr / PAGE_SIZE) * PAGE_SIZE);
    return Ok;
  }

  stats(): MemoryStats {
    return {
      freePhysBytes: 0,
      totalPhysBytes: 0,
      pageTableBytes: 0,
      metadataBytes: 0,
      mappedBytes: this.mapped.bytes(),
    };
  }

  /** Bytes of resident (touched, not dropped) pages. */
  get residentBytes(): number {
    return this.resident.size * PAGE_SIZE;
  }

  /** True when [addr, addr + length) lies inside mapped regions. */
  isMapped(addr: number, length: number): boolean {
    return this.mapped.covers(addr, length);
  }

  private validRange(core: number, addr: number, length: number): boolean {
    return isCoreIndex(core, this.cores) && isPageSize(length) && addr % PAGE_SIZE === 0;
  }
}
