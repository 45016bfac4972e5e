// The Kernel API back end: exmap's ideas (Leis et al., SIGMOD 2023, §4) on the unikernel's
// Kernel API. The region is address space from `reserveRange` with a VMA the pool inserts
// itself (under its `vmaLock` for write), so the kernel's mmap never hands it out and a stray
// fault would find it. A page becomes resident by `framesAlloc` and a page-table write the pool
// makes itself — no fault, no zeroing: the storage read overwrites the frame — under the VMA
// lock for read, as the kernel's own fault path holds it (it keeps munmap/mprotect/madvise of
// the range, which hold it for write, out while the tables change). An eviction batch unmaps its
// pages under one read hold, INVLPGs them locally, sends ONE shootdown to the cores that may
// hold one of the translations (CoreSets; or every other core with `shootdown: 'all'`), and only
// then frees the frames (`framesFree`), so no frame is reused while a TLB may still translate to
// it. Invariant: every frame this back end took is either mapped at exactly one page of the
// region or back in the frame allocator; after close() the region, its VMA and every table page
// are gone.

import { AllocError, Errno, errnoName, MapFlags, Ok, Prot } from '@unimem/core';
import { type Machine, PageSize } from '@unimem/hw';
import {
  INVLPG_CEILING,
  type KernelVma,
  pteFlagsOf,
  type UnikernelKernelApi,
} from '@unimem/kernel-api';
import { PAGE_BYTES, type PageBackend, type Step } from './api.js';
import type { CoreSets } from './core-sets.js';

const HUGE_ALIGN = 2 * 1024 * 1024;

export class KernelApiBackend implements PageBackend {
  readonly name = 'kernel-api' as const;
  readonly base: number;
  private readonly vma: KernelVma;
  /** Linear-map address of each resident page's frame (0: none). */
  private readonly frames: Float64Array;
  private readonly pteFlags = pteFlagsOf(Prot.READ | Prot.WRITE);
  private readonly targetMark: Uint8Array;
  private readonly targets: number[] = [];
  private readonly batchVas: number[] = [];
  private readonly invlpgAction = (target: number) => {
    for (const va of this.batchVas) this.kernel.tlb.invlpg(target, va);
  };
  private readonly flushAction = (target: number) => this.kernel.tlb.flushAll(target);
  private mapped = 0;
  private shootdowns = 0;
  private shootdownTargets = 0;

  /** Reserves the region for `core` and inserts its VMA; throws an Error naming a failed call. */
  constructor(
    private readonly machine: Machine,
    private readonly kernel: UnikernelKernelApi,
    private readonly dataPages: number,
    private readonly coreSets: CoreSets | null,
    core: number,
  ) {
    const bytes = dataPages * PAGE_BYTES;
    const base = kernel.reserveRange(core, bytes, HUGE_ALIGN);
    if (base < 0) {
      throw new Error(
        `vmcache kernel-api: reserveRange(${bytes} bytes) failed with ${errnoName(base)}`,
      );
    }
    this.base = base;
    this.vma = {
      start: base,
      end: base + bytes,
      prot: Prot.READ | Prot.WRITE,
      flags: MapFlags.PRIVATE,
      noHugePages: true,
    };
    const lock = kernel.vmaLock(base);
    lock.writeLock(core);
    kernel.insert(this.vma); // caller holds vmaLock(base) for write
    lock.writeUnlock(core);
    this.frames = new Float64Array(dataPages);
    this.targetMark = new Uint8Array(machine.cores);
  }

  pageIn(core: number, pid: number): number {
    const linear = this.kernel.framesAlloc(core, 0);
    if (linear < 0) return linear === AllocError.Memory ? Errno.ENOMEM : linear;
    const va = this.base + pid * PAGE_BYTES;
    const lock = this.kernel.vmaLock(va);
    lock.readLock(core); // as the kernel's fault path: excludes munmap/mprotect of the range
    const status = this.kernel.pageTable.map(
      core,
      va,
      this.kernel.frameOf(linear),
      PageSize.Size4K,
      this.pteFlags,
    );
    lock.readUnlock(core);
    if (status !== Ok) {
      this.kernel.framesFree(core, linear, 0);
      return status;
    }
    this.frames[pid] = linear;
    this.mapped++;
    return Ok;
  }

  noteAccess(core: number, pid: number): void {
    this.coreSets?.add(core, pid);
  }

  *evict(core: number, pids: readonly number[]): Step<void> {
    const { kernel } = this;
    const vas = this.batchVas;
    vas.length = 0;
    const lock = kernel.vmaLock(this.base);
    lock.readLock(core);
    for (const pid of pids) {
      const va = this.base + pid * PAGE_BYTES;
      if (kernel.pageTable.unmap(core, va) === undefined) {
        lock.readUnlock(core);
        throw new Error(`vmcache kernel-api: page ${pid} was not mapped at eviction`);
      }
      vas.push(va);
    }
    lock.readUnlock(core);
    const full = vas.length > INVLPG_CEILING;
    if (full) kernel.tlb.flushAll(core);
    else for (const va of vas) kernel.tlb.invlpg(core, va);
    this.shootDown(core, pids, full);
    for (const pid of pids) {
      // Each free is a system call touching the frame allocator's shared words: other cores
      // act between them, at their own times.
      yield;
      const status = kernel.framesFree(core, this.frames[pid], 0);
      if (status !== Ok)
        throw new Error(`vmcache kernel-api: framesFree of page ${pid} failed (${status})`);
      this.frames[pid] = 0;
    }
    this.mapped -= pids.length;
  }

  /** One shootdown of the batch to the cores that may hold one of its translations. */
  private shootDown(core: number, pids: readonly number[], full: boolean): void {
    const mark = this.targetMark;
    const targets = this.targets;
    targets.length = 0;
    if (this.coreSets === null) {
      for (let c = 0; c < this.machine.cores; c++) if (c !== core) targets.push(c);
    } else {
      for (const pid of pids) this.coreSets.takeInto(pid, mark);
      for (let c = 0; c < mark.length; c++) {
        if (mark[c] === 1 && c !== core) targets.push(c);
        mark[c] = 0;
      }
    }
    if (targets.length === 0) return;
    this.kernel.ipis.shootdown(core, targets, full ? this.flushAction : this.invlpgAction);
    this.shootdowns++;
    this.shootdownTargets += targets.length;
  }

  close(core: number): void {
    if (this.mapped !== 0)
      throw new Error(`vmcache kernel-api: close with ${this.mapped} pages mapped`);
    const { kernel } = this;
    const lock = kernel.vmaLock(this.base);
    lock.writeLock(core);
    kernel.erase(this.vma); // caller holds vmaLock for write
    lock.writeUnlock(core);
    const ranges = kernel.freeRangesLock(this.base);
    ranges.writeLock(core);
    const status = kernel.freeRange(this.base, this.dataPages * PAGE_BYTES); // caller holds freeRangesLock
    ranges.writeUnlock(core);
    if (status !== Ok)
      throw new Error(`vmcache kernel-api: freeRange failed with ${errnoName(status)}`);
    kernel.flushTlbAll(core); // frees the table pages the unmaps emptied
  }

  mappedPages(): number {
    return this.mapped;
  }

  stats(): Record<string, number> {
    return { shootdowns: this.shootdowns, shootdownTargets: this.shootdownTargets };
  }
}
