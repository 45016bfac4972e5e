// The traced process as the simulated system sees it: each traced memory syscall becomes the
// MemorySystem call on the corresponding simulated range (AddressMap), each traced page fault a
// touch of the corresponding simulated address. Policies for what the trace cannot translate:
//
// - A fault outside every traced mapping (brk heap, thread stacks, the binary, mappings made
//   before the capture window) lazily gets one anonymous read-write "background" mapping for its
//   2 MiB-aligned region, made on first touch by the faulting core and counted separately.
// - MAP_FIXED over traced mappings unmaps the overlapped simulated pieces and maps a fresh range
//   (the simulated pieces of several traced mappings need not be contiguous). File mappings are
//   replayed as anonymous ones (DuckDB maps no files; docs/reference/duckdb.md §3).
// - brk is counted, not replayed (its pages fault into background regions); mremap maps the new
//   range fresh and unmaps the old one (page contents are not modelled).
// - Failed traced calls (result < 0) are skipped; madvise advice other than DONTNEED, FREE,
//   HUGEPAGE and NOHUGEPAGE is counted and ignored.
// - A touch the simulated system refuses (a fault racing an mprotect in the trace's order) is
//   counted as rejected.
//
// Invariant: after teardown() no simulated mapping made here remains.

import { Advice, errnoName, MapFlags, type MemorySystem, PAGE_SIZE, Prot } from '@unimem/core';
import type {
  FaultEvent,
  MadviseEvent,
  MmapEvent,
  MprotectEvent,
  MremapEvent,
  MunmapEvent,
} from '@unimem/duckdb-driver/trace';
import { AddressMap, type Segment } from './address-map.js';

export const BACKGROUND_REGION_BYTES = 2 * 2 ** 20;
const FORWARDED_ADVICE = new Set<number>([
  Advice.DONTNEED,
  Advice.FREE,
  Advice.HUGEPAGE,
  Advice.NOHUGEPAGE,
]);
const PROT_MASK = Prot.READ | Prot.WRITE | Prot.EXEC;
const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;

/** What the replay did besides the simulated system's own counters. */
export interface ProcessCounts {
  traceFaults: number;
  backgroundFaults: number;
  backgroundRegions: number;
  rejectedTouches: number;
  syscalls: number;
  skippedFailedSyscalls: number;
  failedSimCalls: number;
  ignoredAdvice: number;
  brks: number;
  fixedMaps: number;
  teardownMunmaps: number;
  /** Traced syscalls of DuckDB's allocators, not replayed when allocations go through a malloc. */
  allocatorSyscalls: number;
}

export function emptyCounts(): ProcessCounts {
  return {
    traceFaults: 0,
    backgroundFaults: 0,
    backgroundRegions: 0,
    rejectedTouches: 0,
    syscalls: 0,
    skippedFailedSyscalls: 0,
    failedSimCalls: 0,
    ignoredAdvice: 0,
    brks: 0,
    fixedMaps: 0,
    teardownMunmaps: 0,
    allocatorSyscalls: 0,
  };
}

function pageUp(bytes: number): number {
  return Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE;
}

export class SimulatedProcess {
  readonly counts = emptyCounts();
  private readonly map = new AddressMap();
  /** 2 MiB region index of the traced address → simulated start of its background mapping. */
  private readonly background = new Map<number, number>();

  constructor(private readonly memory: MemorySystem) {}

  /** Simulated mappings still held (segments + background regions). */
  get heldMappings(): number {
    return this.map.size + this.background.size;
  }

  mmap(core: number, event: MmapEvent): void {
    if (this.skipFailed(event.result)) return;
    const length = pageUp(event.length);
    if (length === 0) return;
    if ((event.flags & MapFlags.FIXED) !== 0) {
      this.counts.fixedMaps++;
      this.unmapRange(core, event.result, event.result + length);
    }
    this.mapFresh(core, event.result, length, event.prot & PROT_MASK, event.flags);
  }

  munmap(core: number, event: MunmapEvent): void {
    if (this.skipFailed(event.result)) return;
    this.unmapRange(core, event.addr, event.addr + pageUp(event.length));
  }

  mprotect(core: number, event: MprotectEvent): void {
    if (this.skipFailed(event.result)) return;
    const prot = event.prot & PROT_MASK;
    for (const segment of this.map.overlapping(event.addr, event.addr + pageUp(event.length))) {
      segment.prot = prot;
      this.check(this.memory.mprotect(core, segment.simStart, lengthOf(segment), prot));
    }
  }

  madvise(core: number, event: MadviseEvent): void {
    if (this.skipFailed(event.result)) return;
    if (!FORWARDED_ADVICE.has(event.advice)) {
      this.counts.ignoredAdvice++;
      return;
    }
    for (const segment of this.map.overlapping(event.addr, event.addr + pageUp(event.length))) {
      this.check(this.memory.madvise(core, segment.simStart, lengthOf(segment), event.advice));
    }
  }

  brk(): void {
    this.counts.syscalls++;
    this.counts.brks++;
  }

  mremap(core: number, event: MremapEvent): void {
    if (this.skipFailed(event.result)) return;
    const oldEnd = event.addr + pageUp(event.length);
    const prot = this.map.overlapping(event.addr, oldEnd)[0]?.prot ?? Prot.READ | Prot.WRITE;
    const length = pageUp(event.newLength);
    this.unmapRange(core, event.addr, oldEnd);
    this.unmapRange(core, event.result, event.result + length);
    if (length > 0) this.mapFresh(core, event.result, length, prot, 0);
  }

  /** A traced syscall that the preset's malloc replaces (counted, not replayed). */
  countAllocatorSyscall(): void {
    this.counts.syscalls++;
    this.counts.allocatorSyscalls++;
  }

  /**
   * A traced fault; `write` from the trace when it tells (version 2), else a write wherever the
   * mapping allows one.
   */
  fault(core: number, event: FaultEvent, write?: boolean): void {
    const segment = this.map.find(event.addr);
    let simAddr: number;
    let access = write ?? true;
    if (segment) {
      this.counts.traceFaults++;
      simAddr = segment.simStart + (event.addr - segment.start);
      access = (write ?? true) && (segment.prot & Prot.WRITE) !== 0;
    } else {
      this.counts.backgroundFaults++;
      simAddr = this.backgroundAddress(core, event.addr);
    }
    if (this.memory.touch(core, simAddr, access) !== 0) this.counts.rejectedTouches++;
  }

  /** Unmaps every simulated mapping still held, on `core`. */
  teardown(core: number): void {
    for (const segment of this.map.all()) {
      this.check(this.memory.munmap(core, segment.simStart, lengthOf(segment)));
      this.counts.teardownMunmaps++;
    }
    this.map.remove(this.map.all());
    for (const simStart of this.background.values()) {
      this.check(this.memory.munmap(core, simStart, BACKGROUND_REGION_BYTES));
      this.counts.teardownMunmaps++;
    }
    this.background.clear();
  }

  /** Maps `length` fresh simulated bytes for the traced range starting at `start`. */
  private mapFresh(core: number, start: number, length: number, prot: number, flags: number): void {
    const simStart = this.memory.mmap(core, length, prot, ANON | (flags & MapFlags.POPULATE));
    if (simStart < 0) {
      throw new Error(
        `replay on ${this.memory.name}: mmap(core ${core}, ${length}) failed with ${errnoName(simStart)}`,
      );
    }
    this.map.insert({ start, end: start + length, simStart, prot });
  }

  private unmapRange(core: number, start: number, end: number): void {
    const pieces = this.map.overlapping(start, end);
    for (const segment of pieces) {
      this.check(this.memory.munmap(core, segment.simStart, lengthOf(segment)));
    }
    this.map.remove(pieces);
  }

  private backgroundAddress(core: number, addr: number): number {
    const region = Math.floor(addr / BACKGROUND_REGION_BYTES);
    let simStart = this.background.get(region);
    if (simStart === undefined) {
      simStart = this.memory.mmap(core, BACKGROUND_REGION_BYTES, Prot.READ | Prot.WRITE, ANON);
      if (simStart < 0) {
        throw new Error(
          `replay on ${this.memory.name}: background mmap(core ${core}, 2 MiB) failed with ${errnoName(simStart)}`,
        );
      }
      this.background.set(region, simStart);
      this.counts.backgroundRegions++;
    }
    return simStart + (addr - region * BACKGROUND_REGION_BYTES);
  }

  /** Counts the syscall; true when the traced call failed (nothing to replay). */
  private skipFailed(result: number): boolean {
    this.counts.syscalls++;
    if (result >= 0) return false;
    this.counts.skippedFailedSyscalls++;
    return true;
  }

  private check(status: number): void {
    if (status !== 0) this.counts.failedSimCalls++;
  }
}

function lengthOf(segment: Segment): number {
  return segment.end - segment.start;
}
