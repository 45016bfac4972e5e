// Types of the hardware model: profiles (plain JSON-able data with a source for every figure),
// the shared-word interface allocators use, and the yield protocol of simulated programs.
// Implementations live one mechanism per file (machine.ts, lines.ts, locks.ts, ...).

/** A figure of the cost model together with where it comes from. */
export interface Figure {
  value: number;
  /** Citation, e.g. "docs/reference/costs.md §1: AnandTech Rome review [M]"; estimates say so ([E]). */
  source: string;
}

/** Per-operation costs in cycles of the profile's clock. */
export interface CostTable {
  /** Load hitting the core's private cache. */
  l1Hit: Figure;
  /** Load hitting L2 (used for a line the core had but not in L1: capacity misses). */
  l2Hit: Figure;
  /** Load served by the shared L3 of the core's cache domain (CCD). */
  l3Hit: Figure;
  /** Load served by DRAM. */
  dram: Figure;
  /** Moving a line another core of the same CCD owns (core-to-core latency). */
  lineSameCcd: Figure;
  /** Moving a line a core of another CCD owns. */
  lineCrossCcd: Figure;
  /** Extra cost of a locked read-modify-write (LOCK CMPXCHG/XADD) on a line already owned. */
  atomicRmw: Figure;
  /** Syscall entry plus exit (Linux; a unikernel pays a function call). */
  syscall: Figure;
  /** Page-fault exception entry plus exit, without the handler's work. */
  faultEntry: Figure;
  /** Zeroing one 4 KiB page. */
  zeroPage: Figure;
  /** Zeroing one 2 MiB page in address order, as one extent (OSv's memset of the page). */
  zeroHugePage: Figure;
  /**
   * Zeroing one 2 MiB page as 512 separate 4 KiB pages in Linux's `process_huge_page` order
   * (periphery first, converging on the faulting page; folio_zero_user until 2026), which the
   * prefetcher cannot follow across pages.
   */
  zeroHugePageByPages: Figure;
  /** One memory reference of a page walk (per level). */
  pageWalkRef: Figure;
  /** INVLPG of one page. */
  invlpg: Figure;
  /** Full local TLB flush (CR3 reload), without the refill misses that follow. */
  tlbFlushFull: Figure;
  /** Sending one IPI (guest without AVIC: a VM exit on the ICR write). */
  ipiSend: Figure;
  /** Time from sending an IPI until the target starts handling it. */
  ipiLatency: Figure;
  /** Time a target loses handling an IPI (including the acknowledgement write). */
  ipiHandle: Figure;
  /** A simple VM exit round trip. */
  vmExit: Figure;
  /**
   * One KVM_HC_SEND_IPI hypercall (a VMMCALL/VMCALL exit round trip) of guest Linux's PV
   * send-IPI: one per window of 128 APIC IDs, whatever the number of targets. 0 on bare metal.
   */
  pvIpiHypercall: Figure;
  /** The host's delivery of a PV IPI to one target inside that hypercall. 0 on bare metal. */
  pvIpiTarget: Figure;
  /** One iteration of a lock waiter's spin loop: PAUSE plus a load that hits (docs/locks.md). */
  spinPause: Figure;
  /**
   * Waking a thread that sleeps on a lock (futex wake, scheduler wake-up on its idle core): from
   * the release until the woken thread runs (docs/locks.md).
   */
  threadWakeup: Figure;
}

export interface Profile {
  name: string;
  description: string;
  /** Number of cores (vCPUs) the machine has. A run may use fewer. */
  cores: Figure;
  /** Cores sharing one L3 (a CCD on AMD, the whole socket on a monolithic Xeon). */
  coresPerCcd: Figure;
  /** Clock used to convert cycles to seconds. */
  frequencyGhz: Figure;
  /** Physical memory in bytes. */
  memoryBytes: Figure;
  /** Lines in a core's private cache (L2) for the capacity model. */
  privateCacheLines: Figure;
  /** L1 data TLB entries. */
  tlbL1Entries: Figure;
  /** L2 (unified second-level) TLB entries. */
  tlbL2Entries: Figure;
  /** Sustained DRAM bandwidth of the socket (STREAM-class), in MB/s (10^6 bytes/s). */
  dramBandwidthMBps: Figure;
  /** Streaming bandwidth one core reaches on its own (DRAM-bound stores), in MB/s. */
  coreStreamMBps: Figure;
  /** L3 capacity of one cache domain (a CCD on AMD, the socket on a monolithic Xeon), bytes. */
  l3BytesPerCcd: Figure;
  costs: CostTable;
}

/**
 * 32-bit words shared between threads (native) or between simulated cores (traced). All values
 * are int32 as Atomics returns them on an Int32Array: use `>>> 0` where a word is read unsigned.
 * Every access of allocator code to shared state goes through this interface, so that the same
 * code runs natively on a SharedArrayBuffer and, traced, inside the hardware model.
 */
export interface AtomicWords {
  /** Number of 32-bit words. */
  readonly length: number;
  /** The buffer holding the words (a SharedArrayBuffer natively). */
  readonly buffer: ArrayBufferLike;
  load(index: number): number;
  store(index: number, value: number): void;
  /** Compare-and-swap; returns the value found (equal to `expected` on success). */
  cas(index: number, expected: number, value: number): number;
  /** Fetch-and-add; returns the old value. */
  add(index: number, value: number): number;
  /** Fetch-and-sub; returns the old value. */
  sub(index: number, value: number): number;
  /** Fetch-and-and; returns the old value. */
  and(index: number, value: number): number;
  /** Fetch-and-or; returns the old value. */
  or(index: number, value: number): number;
  /** Atomic exchange; returns the old value. */
  exchange(index: number, value: number): number;
}

/** A barrier for simulated programs: `yield barrier` blocks until all parties arrived. */
export interface Barrier {
  readonly kind: 'barrier';
  readonly parties: number;
}

/** `yield waitUntil(cond)` blocks the core until `cond()` is true after some other core's step. */
export interface WaitUntil {
  readonly kind: 'wait';
  readonly condition: () => boolean;
}

/**
 * What a simulated program may yield between operations: nothing (next operation), a number of
 * cycles to sleep, a barrier, or a wait condition.
 */
export type Yield = undefined | number | Barrier | WaitUntil;

/** One program per core: a generator that yields between operations. */
export type Program = Generator<Yield, void, unknown>;

/** Builds the program for one core. */
export type ProgramFactory = (core: number) => Program;

/**
 * Charges the currently running simulated core for touching cache lines. Modelled components
 * (trees, lists, struct page, lock words) take one of these and touch the lines their real
 * counterpart would touch. Line ids are global within one machine; `allocLines` hands out fresh
 * contiguous ids. `nullTracer` (tracer.ts) does nothing, for native use.
 */
export interface LineTracer {
  /** Reserves `count` contiguous fresh line ids and returns the first. */
  allocLines(count: number, label?: string): number;
  /** A load from the line. */
  read(line: number): void;
  /** A plain store to the line. */
  write(line: number): void;
  /** A locked read-modify-write (CAS, fetch-add) on the line. */
  rmw(line: number): void;
}
