// UnikernelMemory: the memory subsystem of a unikernel (OSv's core/mmu.cc and mempool.cc, as
// restructured by the thesis) assembled from any FrameAllocator and any VmAllocator on the
// simulated machine, implementing MemorySystem. This file checks options and arguments and
// binds the calling core for each call (its CoreHandle, restored in a finally: the mechanisms'
// parts without a core parameter charge the bound core); each mechanism is in its own file (boot,
// mmap, protect, advise, fault, populate, unpopulate, tlb-flush, lazy-free) and the Kernel API
// in kernel-api.ts. Invariant: before boot() only the constructor and `name`/`cores` are usable.
// Outside this package the booted parts are never reachable: callers observe the subsystem
// through `stats()` and three narrow, uncharged reads (translate, tablePages, freeVirtualBytes);
// only this package's own tests see the parts, through `bootedParts` (not in the index).

import {
  type AddressResult,
  Errno,
  type ErrnoStatus,
  isCoreIndex,
  type Lock,
  type MemorySystem,
  PAGE_SIZE,
} from '@unimem/core';
import { OsvMutex, PageSize, type Translation } from '@unimem/hw';
import { madvise } from './advise.js';
import {
  type BootReport,
  DEFAULT_ADDRESS_LIMIT,
  LINEAR_BASE,
  TLB_GATHER_PAGES,
  type UnikernelMemoryOptions,
  type UnikernelStats,
  VMA_BYTES,
} from './api.js';
import { boot } from './boot.js';
import type { MemoryContext, Settings, SubsystemParts } from './context.js';
import { touch } from './fault.js';
import { UnikernelKernelApi } from './kernel-api.js';
import { mmap, munmap } from './mmap.js';
import { mprotect } from './protect.js';

/** The booted parts of every booted UnikernelMemory, for bootedParts (kept off the class). */
const partsOf = new WeakMap<UnikernelMemory, SubsystemParts>();

export class UnikernelMemory implements MemorySystem {
  readonly name: string;
  readonly cores: number;
  /** Physical memory in bytes. */
  readonly memoryBytes: number;
  private readonly options: UnikernelMemoryOptions;
  private readonly settings: Settings;
  private readonly runCores: readonly number[];
  private readonly linearPageBytes: number;
  private ctx: MemoryContext | null = null;
  private api: UnikernelKernelApi | null = null;
  private report: BootReport | null = null;

  constructor(options: UnikernelMemoryOptions) {
    const { machine } = options ?? {};
    if (machine === undefined || machine === null || typeof machine.charge !== 'function') {
      throw new RangeError(
        `machine ${machine} is not a Machine (a simulated machine is required; native use is out of scope)`,
      );
    }
    if (typeof options.frames !== 'function') {
      throw new RangeError(`frames ${options.frames} is not a frame allocator factory`);
    }
    if (typeof options.vm !== 'function') {
      throw new RangeError(`vm ${options.vm} is not a VM allocator factory`);
    }
    this.options = options;
    this.name = options.name ?? 'unikernel';
    this.cores = machine.cores;
    this.memoryBytes = options.memoryBytes ?? machine.profile.memoryBytes.value;
    if (!Number.isSafeInteger(this.memoryBytes) || this.memoryBytes <= 0) {
      throw new RangeError(`memoryBytes ${this.memoryBytes} must be a positive integer`);
    }
    if (this.memoryBytes % PAGE_SIZE !== 0) {
      throw new RangeError(`memoryBytes ${this.memoryBytes} must be a multiple of 4096`);
    }
    this.linearPageBytes = options.linearPageBytes ?? PageSize.Size2M;
    if (this.linearPageBytes !== PageSize.Size2M && this.linearPageBytes !== PageSize.Size1G) {
      throw new RangeError(`linearPageBytes ${this.linearPageBytes} must be 2 MiB or 1 GiB`);
    }
    this.runCores = resolveRunCores(options.runCores, machine.cores);
    this.settings = resolveSettings(options);
  }

  /**
   * Boots the subsystem on core 0 (see boot.ts): frame allocator, linear map, VM allocator.
   * Throws if already booted or if a part is misconfigured.
   */
  boot(): void {
    if (this.ctx !== null) throw new Error(`${this.name}: boot() called twice`);
    const mutex =
      this.options.mutex ?? ((name: string): Lock => new OsvMutex(this.options.machine, name));
    const { ctx, report } = boot({
      options: this.options,
      memoryBytes: this.memoryBytes,
      linearPageBytes: this.linearPageBytes,
      runCores: this.runCores,
      settings: this.settings,
      tlbFlushMutex: mutex('tlb_flush'),
      ptHighMutex: mutex('pt_high'),
    });
    this.ctx = ctx;
    this.report = report;
    this.api = new UnikernelKernelApi(ctx);
    partsOf.set(this, ctx);
  }

  /** Where boot's cycles went. */
  get bootReport(): BootReport {
    if (this.report === null) throw this.notBooted();
    return this.report;
  }

  /** The Kernel API over this subsystem. */
  get kernel(): UnikernelKernelApi {
    if (this.api === null) throw this.notBooted();
    return this.api;
  }

  /**
   * What the page table maps `addr` to (frame, page size, PTE flags), or undefined. An
   * observation: no core is charged and no Accessed/Dirty bit is set.
   */
  translate(addr: number): Translation | undefined {
    return this.booted().pageTable.translate(addr);
  }

  /** Page-table pages held (the PML4 included). An observation, like translate. */
  tablePages(): number {
    return this.booted().pageTable.tablePages();
  }

  /**
   * Address space the VM allocator has not reserved (its `freeBytes()`). An observation, as
   * stats() is: the bound core's clock is restored after the allocator's bookkeeping is read.
   */
  freeVirtualBytes(): number {
    const { machine, vm } = this.booted();
    const core = machine.current;
    const clock = machine.clocks[core];
    const bytes = vm.freeBytes();
    machine.clocks[core] = clock;
    return bytes;
  }

  /**
   * The host deschedules the vCPU of `core` until cycle `until` (0: it runs), as `Ipis.preempt`
   * of @unimem/hw: a paravirtual TLB flush skips it and defers its flush, any other IPI waits for
   * it. A scenario control for experiments and tests (no preset or benchmark calls it).
   */
  preemptVcpu(core: number, until: number): void {
    this.booted().ipis.preempt(core, until);
  }

  mmap(core: number, length: number, prot: number, flags: number, addr?: number): AddressResult {
    const ctx = this.booted();
    if (!isCoreIndex(core, this.cores)) return Errno.EINVAL;
    const handle = ctx.machine.core(core);
    const outer = handle.bind();
    try {
      return mmap(ctx, core, length, prot, flags, addr);
    } finally {
      handle.unbind(outer);
    }
  }

  munmap(core: number, addr: number, length: number): ErrnoStatus {
    const ctx = this.booted();
    if (!isCoreIndex(core, this.cores)) return Errno.EINVAL;
    const handle = ctx.machine.core(core);
    const outer = handle.bind();
    try {
      return munmap(ctx, core, addr, length);
    } finally {
      handle.unbind(outer);
    }
  }

  mprotect(core: number, addr: number, length: number, prot: number): ErrnoStatus {
    const ctx = this.booted();
    if (!isCoreIndex(core, this.cores)) return Errno.EINVAL;
    const handle = ctx.machine.core(core);
    const outer = handle.bind();
    try {
      return mprotect(ctx, core, addr, length, prot);
    } finally {
      handle.unbind(outer);
    }
  }

  madvise(core: number, addr: number, length: number, advice: number): ErrnoStatus {
    const ctx = this.booted();
    if (!isCoreIndex(core, this.cores)) return Errno.EINVAL;
    const handle = ctx.machine.core(core);
    const outer = handle.bind();
    try {
      return madvise(ctx, core, addr, length, advice);
    } finally {
      handle.unbind(outer);
    }
  }

  touch(core: number, addr: number, write: boolean): ErrnoStatus {
    const ctx = this.booted();
    if (!isCoreIndex(core, this.cores)) return Errno.EINVAL;
    const handle = ctx.machine.core(core);
    const outer = handle.bind();
    try {
      return touch(ctx, core, addr, write);
    } finally {
      handle.unbind(outer);
    }
  }

  /**
   * An observation, not an operation: it charges no cycles (the bound core's clock is restored
   * after the frame allocator's counters are read; line counters may still see the reads).
   */
  stats(): UnikernelStats {
    const ctx = this.booted();
    const { frames, pageTable, vm, machine } = ctx;
    const core = machine.current;
    const clock = machine.clocks[core];
    let vmas = 0;
    let vmaBytes = 0;
    for (const index of ctx.indexes) {
      vmas += index.size;
      for (const vma of index) vmaBytes += vma.end - vma.start;
    }
    const freeFrames = frames.freeFrames();
    const metadataBytes = frames.metadataBytes() + (vm.metadataBytes?.() ?? 0) + vmas * VMA_BYTES;
    machine.clocks[core] = clock;
    return {
      freePhysBytes: freeFrames * PAGE_SIZE,
      totalPhysBytes: frames.totalFrames() * PAGE_SIZE,
      pageTableBytes: pageTable.tableBytes() + ctx.huge.depositCount * PAGE_SIZE,
      metadataBytes,
      mappedBytes: pageTable.mappedBytes() - ctx.linearBytes,
      vmas,
      vmaBytes,
      linearMapBytes: ctx.linearBytes,
      populatedBytes: ctx.residency.bytes,
      lazyFreeBytes: ctx.lazy.bytes,
      splitHugePages: ctx.huge.splitCount,
    };
  }

  /** Linear-map address of a frame (LINEAR_BASE + frame × 4096). */
  static linearAddress(frame: number): number {
    return LINEAR_BASE + frame * PAGE_SIZE;
  }

  private booted(): MemoryContext {
    if (this.ctx === null) throw this.notBooted();
    return this.ctx;
  }

  private notBooted(): Error {
    return new Error(`${this.name}: not booted (call boot() first)`);
  }
}

/**
 * The booted parts of `memory`, for this package's own whole-state tests (test/invariants.ts).
 * Deliberately not exported from the package's index: other packages observe a UnikernelMemory
 * only through its methods (stats, translate, tablePages, freeVirtualBytes).
 */
export function bootedParts(memory: UnikernelMemory): SubsystemParts {
  const parts = partsOf.get(memory);
  if (parts === undefined) throw new Error(`${memory.name}: not booted (call boot() first)`);
  return parts;
}

function resolveRunCores(cores: number | readonly number[] | undefined, total: number): number[] {
  if (cores === undefined) return Array.from({ length: total }, (_, i) => i);
  if (typeof cores === 'number') {
    if (!Number.isInteger(cores) || cores < 1 || cores > total) {
      throw new RangeError(`runCores ${cores} must be an integer in 1..${total}`);
    }
    return Array.from({ length: cores }, (_, i) => i);
  }
  const seen = new Set<number>();
  for (const core of cores) {
    if (!Number.isInteger(core) || core < 0 || core >= total || seen.has(core)) {
      throw new RangeError(`runCores entry ${core} is out of range 0..${total - 1} or repeated`);
    }
    seen.add(core);
  }
  if (seen.size === 0) throw new RangeError('runCores is an empty list');
  return [...cores];
}

function resolveSettings(options: UnikernelMemoryOptions): Settings {
  const tlbFlush = options.tlbFlush ?? 'global';
  if (tlbFlush !== 'global' && tlbFlush !== 'invlpg') {
    throw new RangeError(`tlbFlush "${tlbFlush}" must be 'global' or 'invlpg'`);
  }
  const invlpgTargets = options.invlpgTargets ?? 'run';
  if (invlpgTargets !== 'run' && invlpgTargets !== 'holders') {
    throw new RangeError(`invlpgTargets "${invlpgTargets}" must be 'run' or 'holders'`);
  }
  const gatherPages = options.tlbGatherPages ?? TLB_GATHER_PAGES;
  if (!Number.isInteger(gatherPages) || gatherPages < 1) {
    throw new RangeError(`tlbGatherPages ${gatherPages} must be a positive integer`);
  }
  const addressLimit = options.addressLimit ?? DEFAULT_ADDRESS_LIMIT;
  if (!Number.isSafeInteger(addressLimit) || addressLimit <= 0 || addressLimit % PAGE_SIZE !== 0) {
    throw new RangeError(`addressLimit ${addressLimit} must be a positive multiple of 4096`);
  }
  const hugeZeroing = options.hugeZeroing ?? 'extent';
  if (hugeZeroing !== 'extent' && hugeZeroing !== 'by-pages') {
    throw new RangeError(`hugeZeroing "${hugeZeroing}" must be 'extent' or 'by-pages'`);
  }
  const costs = options.machine.costs;
  return {
    tlbFlush,
    invlpgTargets,
    gatherPages,
    hugePages: options.hugePages ?? true,
    hugeZeroCycles: hugeZeroing === 'extent' ? costs.zeroHugePage : costs.zeroHugePageByPages,
    hugeAlign: options.hugeAlign ?? true,
    addressLimit,
  };
}
