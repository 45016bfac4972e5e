// The booted memory subsystem's assembly: its parts and shared bookkeeping, built once by boot.
// It owns nothing a mechanism should decide: it only wires the parts together, names the machine
// counters, and checks frees (a failed put of a frame the kernel owns is a bug in the kernel or
// the allocator, so it throws). No mechanism sees it whole: each declares the few members it
// uses as a narrow type (UnpopulateParts, ReclaimParts, PopulateParts, FaultParts, RegionParts,
// MmapParts, ProtectParts, AdviseParts, TlbGatherParts, KernelApiParts) and is handed this
// object through that type. Outside the package nothing is exposed; the package's own tests read
// `SubsystemParts` through bootedParts (unikernel-memory.ts).

import { type FrameAllocator, type Lock, Ok, type VmaIndex } from '@unimem/core';
import type { Ipis, Machine, PageTable, Tlb } from '@unimem/hw';
import type { InvlpgTargets, KernelVmAllocator, KernelVma, TlbFlushPolicy } from './api.js';
import { HugeFrames } from './huge-frames.js';
import { LazyFree } from './lazy-free.js';
import { Residency } from './residency.js';
import type { DeferredTableFrees } from './table-frees.js';
import { TlbGather } from './tlb-flush.js';

/** Resolved behaviour options. */
export interface Settings {
  tlbFlush: TlbFlushPolicy;
  invlpgTargets: InvlpgTargets;
  gatherPages: number;
  hugePages: boolean;
  /** Cycles of clearing one 2 MiB page at a fault (the profile figure HugeZeroing selects). */
  hugeZeroCycles: number;
  hugeAlign: boolean;
  addressLimit: number;
}

export interface Parts {
  machine: Machine;
  frames: FrameAllocator;
  pageTable: PageTable;
  tableFrees: DeferredTableFrees;
  tlb: Tlb;
  ipis: Ipis;
  vm: KernelVmAllocator<KernelVma>;
  tlbFlushMutex: Lock;
  ptHighMutex: Lock;
  settings: Settings;
  linearBytes: number;
  runCores: readonly number[];
}

/** Machine counter ids of the subsystem's events. */
export interface CounterIds {
  /** Page-fault entries (all of them, including those that end in EFAULT/EACCES). */
  faults: number;
  /** Faults that mapped a 2 MiB page. */
  hugeFaults: number;
  /** 2 MiB populations that fell back to 4 KiB (no huge frame, or the region was in use). */
  hugeFallbacks: number;
  /** 4 KiB pages zeroed. */
  pagesZeroed: number;
  /** 2 MiB pages zeroed. */
  hugePagesZeroed: number;
  /** Huge mappings split into 4 KiB pieces. */
  hugeSplits: number;
  /** Leaves unmapped by unpopulate (4 KiB or 2 MiB). */
  pagesUnpopulated: number;
  /** TLB flush batches (one global flush or one targeted shootdown each). */
  tlbFlushBatches: number;
  /** Pages marked by MADV_FREE. */
  lazyFreePages: number;
  /** MADV_FREE pages reclaimed when memory ran out. */
  lazyReclaimed: number;
}

export class MemoryContext {
  readonly machine: Machine;
  readonly frames: FrameAllocator;
  readonly pageTable: PageTable;
  /** Page-table pages freed by the table, held until the next flush. */
  readonly tableFrees: DeferredTableFrees;
  readonly tlb: Tlb;
  readonly ipis: Ipis;
  readonly vm: KernelVmAllocator<KernelVma>;
  readonly tlbFlushMutex: Lock;
  readonly ptHighMutex: Lock;
  readonly settings: Settings;
  readonly linearBytes: number;
  readonly runCores: readonly number[];
  readonly counters: CounterIds;
  readonly residency = new Residency();
  readonly huge = new HugeFrames();
  readonly lazy = new LazyFree();
  /** Every VMA index the VM allocator has handed out (for stats and checks). */
  readonly indexes = new Set<VmaIndex<KernelVma>>();
  /** The batch of the running operation (operations never nest). */
  readonly gather: TlbGather;
  /** The batch of a MADV_FREE reclaim, which runs inside a populate. */
  readonly reclaimGather: TlbGather;

  constructor(parts: Parts) {
    this.machine = parts.machine;
    this.frames = parts.frames;
    this.pageTable = parts.pageTable;
    this.tableFrees = parts.tableFrees;
    this.tlb = parts.tlb;
    this.ipis = parts.ipis;
    this.vm = parts.vm;
    this.tlbFlushMutex = parts.tlbFlushMutex;
    this.ptHighMutex = parts.ptHighMutex;
    this.settings = parts.settings;
    this.linearBytes = parts.linearBytes;
    this.runCores = parts.runCores;
    const c = parts.machine.counters;
    this.counters = {
      faults: c.define('faults'),
      hugeFaults: c.define('hugeFaults'),
      hugeFallbacks: c.define('hugeFallbacks'),
      pagesZeroed: c.define('pagesZeroed'),
      hugePagesZeroed: c.define('hugePagesZeroed'),
      hugeSplits: c.define('hugeSplits'),
      pagesUnpopulated: c.define('pagesUnpopulated'),
      tlbFlushBatches: c.define('tlbFlushBatches'),
      lazyFreePages: c.define('lazyFreePages'),
      lazyReclaimed: c.define('lazyReclaimed'),
    };
    this.gather = new TlbGather(this);
    this.reclaimGather = new TlbGather(this);
  }

  /** The VMA index responsible for `addr` (recorded for stats). */
  index(addr: number): VmaIndex<KernelVma> {
    const index = this.vm.vmas(addr);
    this.indexes.add(index);
    return index;
  }

  /** Frees a block the kernel owns; a failure is a bug, so it throws naming the block. */
  putFrame(core: number, frame: number, order: number): void {
    const status = this.frames.put(core, frame, order);
    if (status !== Ok) {
      throw new Error(
        `${this.frames.name}: put(core ${core}, frame ${frame}, order ${order}) failed (${status})`,
      );
    }
  }

  /** Adds `amount` to a counter of `core`. */
  count(core: number, id: number, amount = 1): void {
    this.machine.counters.add(core, id, amount);
  }
}

/** The booted parts this package's tests inspect (bootedParts in unikernel-memory.ts). */
export type SubsystemParts = Pick<
  MemoryContext,
  | 'frames'
  | 'vm'
  | 'pageTable'
  | 'tableFrees'
  | 'tlb'
  | 'ipis'
  | 'indexes'
  | 'residency'
  | 'huge'
  | 'linearBytes'
>;
