// A tiny MemorySystem test double: mmap is a bump allocator of address space (2 MiB-aligned for
// mappings of 2 MiB or more, as find_hole and kernel-api do, unless hugeAlign is off), munmap
// and madvise are bookkeeping, touch checks that the address is mapped and marks its page
// resident; DONTNEED drops residency. Every call is counted, madvise per advice.

import {
  type AddressResult,
  Advice,
  Errno,
  type ErrnoStatus,
  type MemoryStats,
  type MemorySystem,
  Ok,
  PAGE_SIZE,
} from '@unimem/core';
import { subtractRange } from '@unimem/core/testing';

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

const HUGE = 2 * 1024 * 1024;

export class TestMemory implements MemorySystem {
  readonly name = 'test-memory';
  readonly cores: number;
  readonly calls = { mmap: 0, munmap: 0, madvise: 0, touch: 0, dontneed: 0, free: 0 };
  /** Length of every successful mmap, in order. */
  readonly mmapLengths: number[] = [];
  /** Every madvise, in order. */
  readonly advice: AdviceCall[] = [];
  /** Mapped regions, sorted and disjoint: [start, end). */
  regions: Array<[number, number]> = [];
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

  boot(): void {}

  mmap(core: number, length: number, _prot: number, _flags: number): AddressResult {
    if (!this.validCore(core) || !validLength(length)) return Errno.EINVAL;
    const align = this.hugeAlign && length >= HUGE ? HUGE : PAGE_SIZE;
    const start = Math.ceil(this.next / align) * align;
    if (start + length > this.limit) return Errno.ENOMEM;
    this.next = start + length;
    this.regions.push([start, start + length]);
    this.regions.sort((a, b) => a[0] - b[0]);
    this.calls.mmap++;
    this.mmapLengths.push(length);
    return start;
  }

  munmap(core: number, addr: number, length: number): ErrnoStatus {
    if (!this.validCore(core) || !validLength(length) || addr % PAGE_SIZE !== 0) {
      return Errno.EINVAL;
    }
    const end = addr + length;
    this.regions = subtractRange(this.regions, addr, end);
    for (let page = addr; page < end; page += PAGE_SIZE) this.resident.delete(page);
    this.calls.munmap++;
    return Ok;
  }

  mprotect(core: number, addr: number, length: number): ErrnoStatus {
    if (!this.validCore(core)) return Errno.EINVAL;
    return this.isMapped(addr, length) ? Ok : Errno.ENOMEM;
  }

  madvise(core: number, addr: number, length: number, advice: number): ErrnoStatus {
    if (!this.validCore(core) || !validLength(length) || addr % PAGE_SIZE !== 0) {
      return Errno.EINVAL;
    }
    if (!this.isMapped(addr, length)) return Errno.ENOMEM;
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
    if (!this.validCore(core)) return Errno.EINVAL;
    if (!this.isMapped(addr, 1)) return Errno.EFAULT;
    this.calls.touch++;
    this.resident.add(Math.floor(addr / PAGE_SIZE) * PAGE_SIZE);
    return Ok;
  }

  stats(): MemoryStats {
    let mapped = 0;
    for (const [s, e] of this.regions) mapped += e - s;
    return {
      freePhysBytes: 0,
      totalPhysBytes: 0,
      pageTableBytes: 0,
      metadataBytes: 0,
      mappedBytes: mapped,
    };
  }

  /** Bytes of resident (touched, not dropped) pages. */
  get residentBytes(): number {
    return this.resident.size * PAGE_SIZE;
  }

  /** True when [addr, addr + length) lies inside mapped regions. */
  isMapped(addr: number, length: number): boolean {
    let at = addr;
    const end = addr + length;
    for (const [s, e] of this.regions) {
      if (e <= at) continue;
      if (s > at) return false;
      at = e;
      if (at >= end) return true;
    }
    return at >= end;
  }

  private validCore(core: number): boolean {
    return Number.isInteger(core) && core >= 0 && core < this.cores;
  }
}

function validLength(length: number): boolean {
  return Number.isSafeInteger(length) && length > 0 && length % PAGE_SIZE === 0;
}
