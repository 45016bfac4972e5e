// Upstream OSv's virtual address space (core/mmu.cc at 9c65058f; docs/reference/osv.md §6) as a
// VmAllocator for @unimem/kernel-api's UnikernelMemory: ONE global vma_list (an intrusive set of
// VMAs, here an AvlVmaTree with one line per node) under ONE vma_list_mutex, and the
// vma_range_set of reserved ranges (vma-range-set.ts) under its own rwlock, searched by
// find_hole. It plugs in as the one-bucket variant kernel-api's KernelVmAllocator describes:
// - vmaLock(a) is vma_list_mutex and vmas(a) the vma_list for every address; freeRangesLock(a)
//   is the vma_range_set rwlock; regionEnd is the end of the address space (one region).
// - reserveLock(core) is vma_list_mutex: mmap holds it for write across find_hole, the insert
//   and the populate, as map_anon does.
// - reserveRange is find_hole from the hint 0x2000_0000_0000 below the linear map (upstream's
//   upper_vma_limit 0x4000_0000_0000): the vma_range_set rwlock for read across the walk, then
//   for write to record the range (upstream: insert() after allocate()). Sizes >= 2 MiB prefer a
//   2 MiB-aligned hole when the caller asked for less; if none exists the walk reached its end
//   and the first hole with the required alignment is taken (OSv: the last one, "good_enough").
// - allocateRange records a MAP_FIXED range (ENOMEM if part of it is reserved); evacuating what
//   a MAP_FIXED mapping overlaps is kernel-api's job. freeRange forgets a reserved range
//   (EINVAL unless reserved ranges cover it). validate accepts any range of the address space.
//
// Locks are rwlock_t: with `rwlock: 'mutex'` (default) OSv's lock before 2025-08 whose readers
// take an internal mutex, so every page fault serialises briefly on vma_list_mutex; 'atomics'
// is the later lock. Bad arguments are EINVAL and change nothing.

import {
  type AddressResult,
  Errno,
  type ErrnoStatus,
  HUGE_SIZE,
  isCoreIndex,
  isPageAlign,
  isPageRange,
  isPageSize,
  Ok,
  PAGE_SIZE,
  type RwLock,
  type VmaIndex,
} from '@unimem/core';
import { type LineTracer, type Machine, nullTracer } from '@unimem/hw';
import type { KernelVmAllocator, KernelVma } from '@unimem/kernel-api';
import { AvlVmaTree } from '@unimem/vma-tree';
import type { OsvVmAllocatorOptions } from './api.js';
import { resolveOsvCosts } from './costs.js';
import { osvRwLock } from './native-rwlock.js';
import { VmaRangeSet } from './vma-range-set.js';

/** Where mmap without an address starts looking (OSv `allocate()`, the 32 TiB mark). */
export const OSV_MMAP_HINT = 0x2000_0000_0000;
/** upper_vma_limit: find_hole never returns space at or above it (the linear maps start here). */
export const OSV_MMAP_END = 0x4000_0000_0000;
/** End of the address space (x86-64 lower canonical half). */
export const OSV_ADDRESS_LIMIT = 2 ** 47;
/** Bytes per vma_range_set entry in metadataBytes: a std::set node of a vma_range [E]. */
const RANGE_NODE_BYTES = 64;

export class OsvVmAllocator<V extends KernelVma = KernelVma> implements KernelVmAllocator<V> {
  readonly name = 'osv-vma-list';
  readonly cores: number;
  /** vma_list_mutex: every address's vmaLock. */
  readonly vmaListMutex: RwLock;
  /** The vma_range_set's rwlock: every address's freeRangesLock. */
  readonly rangeSetLock: RwLock;
  /** The global vma_list. */
  readonly vmaList: VmaIndex<V>;
  /** The vma_range_set of reserved ranges, searched by find_hole. */
  readonly ranges: VmaRangeSet;
  readonly hint: number;
  readonly mmapEnd: number;
  readonly limit: number;
  private readonly machine: Machine | null;

  constructor(options: OsvVmAllocatorOptions<V>) {
    const { cores, machine } = options;
    if (!Number.isSafeInteger(cores) || cores < 1) {
      throw new RangeError(`cores ${cores} must be a positive integer`);
    }
    if (machine !== undefined && cores > machine.cores) {
      throw new RangeError(`cores ${cores} exceeds the machine's ${machine.cores} cores`);
    }
    this.hint = options.hint ?? OSV_MMAP_HINT;
    this.mmapEnd = options.mmapEnd ?? OSV_MMAP_END;
    this.limit = options.limit ?? OSV_ADDRESS_LIMIT;
    for (const [name, value] of Object.entries({
      hint: this.hint,
      mmapEnd: this.mmapEnd,
      limit: this.limit,
    })) {
      if (!Number.isSafeInteger(value) || value < 0 || value % PAGE_SIZE !== 0) {
        throw new RangeError(`${name} ${value} must be a non-negative multiple of 4096`);
      }
    }
    if (!(this.hint < this.mmapEnd && this.mmapEnd <= this.limit)) {
      throw new RangeError(
        `hint 0x${this.hint.toString(16)} < mmapEnd 0x${this.mmapEnd.toString(16)} <= limit 0x${this.limit.toString(16)} does not hold`,
      );
    }
    this.cores = cores;
    this.machine = machine ?? null;
    const kind = options.rwlock ?? 'mutex';
    const lock = options.lock ?? ((name: string) => osvRwLock(machine, name, kind));
    this.vmaListMutex = lock('vma_list_mutex');
    this.rangeSetLock = lock('vma_range_set_mutex');
    const tracer: LineTracer = options.tracer ?? machine?.lines ?? nullTracer;
    this.vmaList = options.index?.() ?? new AvlVmaTree<V>({ tracer, label: 'osv.vma_list' });
    const costs = resolveOsvCosts(options.costs);
    const hit = machine?.costs.l1Hit ?? 0;
    const l3 = machine?.costs.l3Hit ?? 0;
    const privateLines = machine?.profile.privateCacheLines.value ?? 0;
    this.ranges = new VmaRangeSet(tracer, {
      charge: (cycles) => this.machine?.charge(cycles),
      visitCycles: machine ? costs.vmaVisit : 0,
      farLineCycles: (entries) => {
        // The share of the set that fits in half the core's private cache hits; the rest is L3.
        const cached = entries === 0 ? 1 : Math.min(1, privateLines / 2 / entries);
        return cached * hit + (1 - cached) * l3;
      },
    });
  }

  /** vma_list_mutex: map_anon holds it for write across find_hole, insert and populate. */
  reserveLock(_core: number): RwLock {
    return this.vmaListMutex;
  }

  reserveRange(core: number, size: number, align: number): AddressResult {
    if (!isCoreIndex(core, this.cores) || !isPageSize(size) || !isPageAlign(align))
      return Errno.EINVAL;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      const lock = this.rangeSetLock;
      lock.readLock(core);
      const addr = this.findHole(size, align);
      lock.readUnlock(core);
      if (addr >= 0) {
        lock.writeLock(core);
        this.ranges.insert(addr, addr + size);
        lock.writeUnlock(core);
      }
      return addr < 0 ? Errno.ENOMEM : addr;
    } finally {
      handle?.unbind(outer);
    }
  }

  /** Records a MAP_FIXED range; the caller holds freeRangesLock (the range-set lock). */
  allocateRange(addr: number, size: number): ErrnoStatus {
    if (!this.validRange(addr, size)) return Errno.EINVAL;
    return this.ranges.insert(addr, addr + size) ? Ok : Errno.ENOMEM;
  }

  /** Forgets a reserved range; the caller holds freeRangesLock (the range-set lock). */
  freeRange(addr: number, size: number): ErrnoStatus {
    if (!this.validRange(addr, size)) return Errno.EINVAL;
    return this.ranges.remove(addr, addr + size) ? Ok : Errno.EINVAL;
  }

  /** MAP_FIXED may go anywhere in the address space (OSv evacuates what it overlaps). */
  validate(core: number, addr: number, size: number): boolean {
    return isCoreIndex(core, this.cores) && this.validRange(addr, size);
  }

  /** Address space not reserved. */
  freeBytes(): number {
    return this.limit - this.ranges.reservedBytes;
  }

  regionEnd(addr: number): number {
    return addr < this.limit ? this.limit : Number.MAX_SAFE_INTEGER;
  }

  vmaLock(_addr: number): RwLock {
    return this.vmaListMutex;
  }

  freeRangesLock(_addr: number): RwLock {
    return this.rangeSetLock;
  }

  vmas(_addr: number): VmaIndex<V> {
    return this.vmaList;
  }

  /** The vma_range_set's nodes (VMA objects are counted by the memory system). */
  metadataBytes(): number {
    return this.ranges.count * RANGE_NODE_BYTES;
  }

  /** find_hole; sizes >= 2 MiB prefer 2 MiB alignment (see the header). */
  private findHole(size: number, align: number): number {
    const { ranges, hint, mmapEnd } = this;
    if (size < HUGE_SIZE || align >= HUGE_SIZE) return ranges.findHole(hint, mmapEnd, size, align);
    const huge = ranges.findHole(hint, mmapEnd, size, HUGE_SIZE);
    return huge >= 0 ? huge : ranges.findHole(hint, mmapEnd, size, align, false);
  }

  private validRange(addr: number, size: number): boolean {
    return isPageRange(addr, size, 0, this.limit);
  }
}
