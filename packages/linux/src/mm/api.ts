// Options and constants of the Linux memory system (src/mm): LinuxMemory is @unimem/kernel-api's
// UnikernelMemory configured with Linux's parts — buddy frames, one mm with mmap_lock and the
// maple tree, per-VMA locks for faults, targeted shootdowns, THP in madvise mode — plus the
// syscall entry/exit that a unikernel does not pay. Only types and constants live here.

import type { FrameAllocator } from '@unimem/core';
import type { Machine, TlbOptions } from '@unimem/hw';
import type { PartsContext } from '@unimem/kernel-api';

/** Transparent huge pages: /sys/kernel/mm/transparent_hugepage/enabled. */
export type ThpMode = 'always' | 'madvise' | 'never';

/**
 * Pages one mmu_gather collects before it must flush: MAX_GATHER_BATCH_COUNT (19) batches of
 * MAX_GATHER_BATCH (510) pages (mm/mmu_gather.c, 4 KiB pages). Below it Linux flushes once per
 * munmap/madvise call; above INVLPG_CEILING (33) pages the flush is a full one.
 */
export const LINUX_GATHER_PAGES = 19 * 510;

/** First address of the mm's mmap area (the bottom of the top-down search). */
export const MMAP_MIN_ADDR = 0x1000_0000;

export interface LinuxMemoryOptions {
  /** The simulated machine every cost is charged to. */
  machine: Machine;
  /** Name in results (default 'linux'). */
  name?: string;
  /** Physical memory in bytes (default: the profile's). */
  memoryBytes?: number;
  /**
   * Makes the frame allocator (default: BuddyAllocator with this machine, Linux 6.0's page
   * allocator with pcp lists and zone->lock).
   */
  frames?: (context: PartsContext) => FrameAllocator;
  /**
   * 6.4+ per-VMA locks (default true): a fault read-locks the VMA's own lock and takes
   * mmap_lock only when no VMA covers the address. false: every fault takes mmap_lock for read.
   */
  perVmaLocks?: boolean;
  /**
   * Before ~6.10 the first anonymous fault in a VMA (no anon_vma yet) fell back to mmap_lock for
   * read. Default false (6.10+).
   */
  anonVmaFallback?: boolean;
  /** THP mode (default 'madvise': 2 MiB faults only in VMAs given MADV_HUGEPAGE). */
  thp?: ThpMode;
  /**
   * Cores that run the process: its mm_cpumask, the targets of every shootdown (default all
   * cores of the machine).
   */
  runCores?: number | readonly number[];
  /** Pages gathered before a forced flush (default LINUX_GATHER_PAGES). */
  tlbGatherPages?: number;
  /** End of the user address space (default 2^47). */
  addressLimit?: number;
  /** TLB geometry (default: the profile's). */
  tlb?: TlbOptions;
}
