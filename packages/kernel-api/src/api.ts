// Options, stats and constants of @unimem/kernel-api: the unikernel memory subsystem assembled
// from a FrameAllocator, a VmAllocator and the hardware model, and the Kernel API over it. Only
// types and constants live here; the mechanisms are one per file (boot.ts, mmap.ts, fault.ts,
// populate.ts, unpopulate.ts, tlb-flush.ts, kernel-api.ts, ...).

import type { FrameAllocator, Lock, MemoryStats, RwLock, VmAllocator, Vma } from '@unimem/core';
import type { IpiMode, Machine, TlbOptions } from '@unimem/hw';

/**
 * Start of the linear map of all physical memory: frame f is at LINEAR_BASE + f × 4096. OSv's
 * `main_mem_area_base` (0x4000_0000_0000), the end of the superblock area. OSv maps RAM three
 * times (main, page, mempool areas); one linear map is modelled.
 */
export const LINEAR_BASE = 0x4000_0000_0000;

/** Distance between OSv's linearly mapped areas (main 0x4000…, page 0x5000…, mempool 0x6000…). */
export const LINEAR_AREA_STRIDE = 0x1000_0000_0000;
/** Default end of the address space mmap may use: the top of x86-64's lower canonical half. */
export const DEFAULT_ADDRESS_LIMIT = 2 ** 47;
/** Pages OSv's `tlb_gather` collects before it flushes (`tlb_gather::max_pages`). */
export const TLB_GATHER_PAGES = 20;
/** Above this many pages a targeted flush becomes a full flush (Linux `tlb_single_page_flush_ceiling`). */
export const INVLPG_CEILING = 33;
/**
 * Bytes charged per VMA in `stats().metadataBytes`: OSv's `class vma` (vtable, intrusive set
 * hook, range, perm, flags, page ops) is about 90 bytes, allocated from the 128-byte malloc pool
 * [E]; index nodes are not counted separately.
 */
export const VMA_BYTES = 128;

/** A VMA of the unikernel: the core Vma plus the per-VMA huge-page advice. */
export interface KernelVma extends Vma {
  /** MADV_NOHUGEPAGE was given: faults map 4 KiB pages only. */
  noHugePages?: boolean;
}

/**
 * What the unikernel needs from a VM allocator: core's VmAllocator plus two optional members.
 * Every method is called with the calling core bound (`machine.core(core).bind()`, @unimem/hw).
 *
 * Contract beyond core's VmAllocator (both the superblock allocator and a one-list allocator
 * such as upstream OSv's satisfy it):
 * - `vmaLock(a)`, `freeRangesLock(a)` and `vmas(a)` change only together, and only at
 *   `regionEnd` boundaries: two addresses with the same vmaLock object have the same index and
 *   the same free-ranges lock. munmap, mprotect and madvise walk their range region by region.
 * - After `validate(core, addr, size)` returned true, vmaLock, freeRangesLock and vmas are the
 *   same for every address of [addr, addr + size) (one owner), and `allocateRange` of any free
 *   part of the range succeeds.
 * - `reserveRange` returns address space no VMA and no other reservation holds; it takes the
 *   locks it needs itself (a free-ranges lock), unless `reserveLock` says otherwise.
 * - Locks are never recursive: the subsystem takes each lock at most once per operation, in the
 *   order vma lock(s) (in address order of first use), then one free-ranges lock at a time.
 *
 * **Original OSv (one global vma_list + find_hole)** plugs in as: one bucket — every address has
 * the same vmaLock (`vma_list_mutex`, a SimRwLock with `readerMutex: true` and `spinCycles: 0`),
 * the same index (the `vma_list`) and the same freeRangesLock (the `vma_range_set` rwlock);
 * `reserveLock(core)` returns that vma lock, so mmap holds it for write across find_hole, the
 * insert and the populate, as `map_anon` does; `reserveRange` = `find_hole` (a linear walk of the
 * reserved ranges from the hint, 2 MiB alignment for sizes >= 2 MiB) that also records the range
 * as reserved, under the freeRangesLock it takes itself; `allocateRange` = record a MAP_FIXED
 * range as reserved (Errno.ENOMEM if part of it is reserved); `freeRange` = forget a reservation;
 * `validate` = true for any range inside the address space; `regionEnd` = the end of the
 * address space (one region); `freeBytes` = the address space not reserved.
 */
export interface KernelVmAllocator<V extends Vma = Vma> extends VmAllocator<V> {
  /**
   * A lock mmap takes for write BEFORE calling reserveRange and keeps as the new VMA's lock
   * until the mapping is inserted and populated (upstream OSv: `vma_list_mutex` across
   * find_hole). It must be `vmaLock(a)` for every address `a` reserveRange may return, and
   * reserveRange must not take it again. Absent: reserveRange runs with no lock held (the
   * superblock allocator: the core's own free-ranges lock inside), then mmap takes
   * `vmaLock(addr)` for write.
   */
  reserveLock?(core: number): RwLock;
  /** Bytes of the allocator's own metadata (free ranges, owner table). Absent: 0. */
  metadataBytes?(): number;
}

/** What the part factories get: the machine and the geometry being booted. */
export interface PartsContext {
  machine: Machine;
  /** 4 KiB frames of physical memory (memoryBytes / 4096). */
  frames: number;
  /** Cores of the machine. */
  cores: number;
}

/** How unpopulate invalidates stale translations. */
export type TlbFlushPolicy = 'global' | 'invlpg';

/** Which cores a targeted (invlpg) shootdown reaches. */
export type InvlpgTargets = 'run' | 'holders';

/**
 * How a fault clears a 2 MiB page: 'extent', one memset of the whole page in address order
 * (OSv's page providers; profile zeroHugePage), or 'by-pages', 512 clear_page calls in Linux's
 * process_huge_page order (folio_zero_user until 2026; profile zeroHugePageByPages).
 */
export type HugeZeroing = 'extent' | 'by-pages';

export interface UnikernelMemoryOptions<V extends KernelVma = KernelVma> {
  /** The simulated machine every cost is charged to. Required: native use is out of scope. */
  machine: Machine;
  /**
   * Makes the frame allocator at boot (charged to core 0 inside boot()). An allocator that
   * starts with every frame allocated (freeFrames() === 0, e.g. LLFree with init 'allocated')
   * is initialised by freeing all memory in maxOrder blocks, as OSv does at boot.
   */
  frames: (context: PartsContext) => FrameAllocator;
  /** Makes the VM allocator at boot, after the linear map (charged to core 0). */
  vm: (context: PartsContext) => KernelVmAllocator<V>;
  /** Name of the system in results (default 'unikernel'). */
  name?: string;
  /** Physical memory in bytes, a positive multiple of 4 KiB (default: the profile's). */
  memoryBytes?: number;
  /** Page size of the linear map: 2 MiB (default, OSv's `nr_page_sizes=2`) or 1 GiB. */
  linearPageBytes?: number;
  /** Cores of the run: the cores a global flush IPIs (OSv: CPUs running app threads). */
  runCores?: number | readonly number[];
  /** 'global' (default): OSv's batched flush_tlb_all. 'invlpg': targeted INVLPG shootdowns. */
  tlbFlush?: TlbFlushPolicy;
  /**
   * Targets of an invlpg shootdown: 'run' (default) every other core of the run, as Linux's
   * mm_cpumask for one address space that every core runs; 'holders' only the cores whose TLB
   * holds a translation of a flushed page (an oracle: the lower bound of any tracking scheme).
   */
  invlpgTargets?: InvlpgTargets;
  /** Pages gathered before a flush (default TLB_GATHER_PAGES = 20). */
  tlbGatherPages?: number;
  /**
   * How many times boot maps all physical memory linearly (default 1, Linux's direct map). OSv
   * maps it three times, in its main, page and mempool areas (include/osv/mmu-defs.hh,
   * arch/x64/arch-setup.cc); the areas are LINEAR_AREA_STRIDE apart from LINEAR_BASE.
   */
  linearMaps?: number;
  /**
   * Work of background threads that boot starts (OSv's page_pool L1/L2 threads filling the
   * pools, core/mempool.cc): run on core 0 after boot() has taken its time, so it is not part of
   * the boot report's cycles (`backgroundCycles` says how long it took).
   */
  afterBoot?: (frames: FrameAllocator) => void;
  /**
   * How IPIs are sent: 'per-target' (default: OSv, one ICR write — in a guest without AVIC one
   * VM exit — per target) or 'paravirtual' (guest Linux under KVM: PV TLB flush and PV
   * send-IPI; hw ipi.ts).
   */
  ipiMode?: IpiMode;
  /** Map 2 MiB pages where a VMA covers an aligned 2 MiB region (default true). */
  hugePages?: boolean;
  /** How a 2 MiB page is cleared at a fault (default 'extent', OSv's; see HugeZeroing). */
  hugeZeroing?: HugeZeroing;
  /** Align mmap reservations of >= 2 MiB to 2 MiB, as upstream find_hole does (default true). */
  hugeAlign?: boolean;
  /** End of the address space mmap and munmap accept (default 2^47). */
  addressLimit?: number;
  /** TLB geometry (default: the profile's). */
  tlb?: TlbOptions;
  /**
   * Makes the subsystem's own mutexes, `tlb_flush` and `pt_high`. Default: SimMutex with
   * spinCycles 0 (OSv's lockfree::mutex sleeps at once).
   */
  mutex?: (name: string) => Lock;
}

/** Where boot's simulated time went (core 0's clock). */
export interface BootReport {
  /** Total cycles of boot(). */
  cycles: number;
  /** Making the frame allocator and freeing the initial memory. */
  frameInitCycles: number;
  /** Mapping all physical memory. */
  linearMapCycles: number;
  /** Making the VM allocator and reserving the linear map's address range. */
  vmInitCycles: number;
  /** Page-table pages after boot (the PML4 and the linear map's tables). */
  tablePages: number;
  /** Linear maps of all physical memory (OSv: 3). */
  linearMaps: number;
  /** Background work after boot (afterBoot, e.g. pool prefill), not in `cycles`. */
  backgroundCycles: number;
}

export interface UnikernelStats extends MemoryStats {
  /** VMAs in all indexes. */
  vmas: number;
  /** Bytes covered by VMAs. */
  vmaBytes: number;
  /** Bytes of the linear map (all physical memory). */
  linearMapBytes: number;
  /** Bytes the kernel populated (4 KiB and 2 MiB pages, split pieces included). */
  populatedBytes: number;
  /** Bytes marked MADV_FREE and not yet reclaimed or written. */
  lazyFreeBytes: number;
  /** 2 MiB frames mapped as 4 KiB pieces after a partial munmap/mprotect/madvise. */
  splitHugePages: number;
}
