// mmap and munmap of anonymous memory (OSv `map_anon`, `allocate`, `evacuate`, `munmap`).
//
// mmap: reserve address space (VmAllocator.reserveRange: the superblock fork's core-local first
// fit, or find_hole), take vmaLock(addr) for write, insert the VMA, populate under the lock for
// MAP_POPULATE, unlock. MAP_FIXED: validate (may claim superblocks), vmaLock for write, take the
// parts of the range no VMA holds with allocateRange under freeRangesLock, then evacuate the
// overlapped VMAs — split at the edges, unpopulate, erase — whose address space the new VMA
// keeps. munmap: the range's vma locks for write, carve the VMAs, unpopulate each (one TLB
// gather per VMA, as OSv's evacuate), give each range back with freeRange under its
// freeRangesLock. Lock order everywhere: vma lock, then free-ranges lock.
//
// Failures are values and change nothing: Errno.EINVAL for bad arguments (MAP_FIXED below
// MMAP_MIN_ADDR among them), Errno.ENOMEM when the
// address space or (MAP_POPULATE) memory runs out. One exception, as in Linux: a MAP_FIXED|
// MAP_POPULATE that runs out of memory has already evacuated what it overlapped.

import {
  type AddressResult,
  alignUp,
  Errno,
  type ErrnoStatus,
  HUGE_SIZE,
  MapFlags,
  Ok,
  PAGE_SIZE,
} from '@unimem/core';
import { carve } from '@unimem/vma-tree';
import type { KernelVma } from './api.js';
import type { MemoryContext } from './context.js';
import { type PopulateParts, populateRange } from './populate.js';
import { RangeLocks, type RegionParts } from './range-locks.js';
import { unpopulate } from './unpopulate.js';

/** What mmap and munmap use: populating (MAP_POPULATE), unpopulating and the VM regions. */
export type MmapParts = PopulateParts & RegionParts;

const PROT_BITS = 7;

/**
 * Lowest address MAP_FIXED may map: 64 KiB, the x86-64 default of Linux's vm.mmap_min_addr
 * (CONFIG_DEFAULT_MMAP_MIN_ADDR), so that page 0 stays unmapped and a null pointer faults.
 * Mapping at 0 would also return 0, which reads like Ok. Linux answers EPERM; errors here are
 * EINVAL or ENOMEM, so it is EINVAL (bad argument).
 */
export const MMAP_MIN_ADDR = 0x10000;

/** mmap(length, prot, flags, addr?) for `core`, the machine's bound core. */
export function mmap(
  ctx: MmapParts,
  core: number,
  length: number,
  prot: number,
  flags: number,
  addr?: number,
): AddressResult {
  if (!validLength(length) || !validProt(prot) || !validFlags(flags)) return Errno.EINVAL;
  const size = alignUp(length, PAGE_SIZE);
  if ((flags & MapFlags.FIXED) !== 0) {
    if (
      addr === undefined ||
      !Number.isSafeInteger(addr) ||
      addr < MMAP_MIN_ADDR ||
      addr % PAGE_SIZE !== 0
    ) {
      return Errno.EINVAL;
    }
    if (addr + size > ctx.settings.addressLimit) return Errno.ENOMEM;
    return mmapFixed(ctx, core, addr, size, prot, flags);
  }
  if (size > ctx.settings.addressLimit) return Errno.ENOMEM;
  const { vm } = ctx;
  const align = ctx.settings.hugeAlign && size >= HUGE_SIZE ? HUGE_SIZE : PAGE_SIZE;
  const held = vm.reserveLock?.(core);
  held?.writeLock(core);
  const start = vm.reserveRange(core, size, align);
  if (start < 0) {
    held?.writeUnlock(core);
    return Errno.ENOMEM;
  }
  const lock = vm.vmaLock(start);
  if (held === undefined) lock.writeLock(core);
  else if (lock !== held) {
    throw new Error(`VM allocator: reserveLock(${core}) is not vmaLock(0x${start.toString(16)})`);
  }
  const vma: KernelVma = { start, end: start + size, prot, flags };
  const index = ctx.index(start);
  index.insert(vma);
  let status: ErrnoStatus = Ok;
  if ((flags & MapFlags.POPULATE) !== 0) {
    status = populateRange(ctx, core, vma, vma.start, vma.end);
    if (status !== Ok) {
      index.erase(vma);
      freeRange(ctx, core, start, size);
    }
  }
  lock.writeUnlock(core);
  return status === Ok ? start : status;
}

function mmapFixed(
  ctx: MmapParts,
  core: number,
  addr: number,
  size: number,
  prot: number,
  flags: number,
): AddressResult {
  const { vm } = ctx;
  if (!vm.validate(core, addr, size)) return Errno.EINVAL;
  const end = addr + size;
  const lock = vm.vmaLock(addr);
  const index = ctx.index(addr);
  lock.writeLock(core);
  const old = index.findIntersecting(addr, size);
  if (!takeGaps(ctx, core, addr, end, old)) {
    lock.writeUnlock(core);
    return Errno.ENOMEM;
  }
  for (const dead of carve(index, addr, size)) evacuate(ctx, core, dead);
  const vma: KernelVma = { start: addr, end, prot, flags };
  index.insert(vma);
  let status: ErrnoStatus = Ok;
  if ((flags & MapFlags.POPULATE) !== 0) {
    status = populateRange(ctx, core, vma, addr, end);
    if (status !== Ok) {
      index.erase(vma);
      freeRange(ctx, core, addr, size);
    }
  }
  lock.writeUnlock(core);
  return status === Ok ? addr : status;
}

/**
 * Takes every part of [addr, end) that no VMA in `old` covers out of the free ranges. On a
 * failure (part of it is reserved without a VMA: the linear map, or a Kernel API reservation)
 * gives back what it took and returns false.
 */
function takeGaps(
  ctx: MmapParts,
  core: number,
  addr: number,
  end: number,
  old: readonly KernelVma[],
): boolean {
  const frl = ctx.vm.freeRangesLock(addr);
  frl.writeLock(core);
  const taken: number[] = [];
  let at = addr;
  let ok = true;
  for (let i = 0; i <= old.length && ok; i++) {
    const gapEnd = i < old.length ? Math.max(at, old[i].start) : end;
    if (gapEnd > at) {
      ok = ctx.vm.allocateRange(at, gapEnd - at) === Ok;
      if (ok) taken.push(at, gapEnd);
    }
    if (i < old.length) at = Math.max(at, old[i].end);
  }
  if (!ok) {
    for (let i = 0; i < taken.length; i += 2) {
      checkFree(ctx.vm.freeRange(taken[i], taken[i + 1] - taken[i]), taken[i]);
    }
  }
  frl.writeUnlock(core);
  return ok;
}

/** munmap(addr, length) for `core`. Unmapped parts of the range are fine (Ok, no change). */
export function munmap(ctx: MmapParts, core: number, addr: number, length: number): ErrnoStatus {
  if (!validRange(ctx, addr, length)) return Errno.EINVAL;
  const end = addr + alignUp(length, PAGE_SIZE);
  const locks = new RangeLocks(ctx, core, addr, end, true);
  for (const { start, end: segmentEnd, index } of locks.segments) {
    for (const dead of carve(index, start, segmentEnd - start)) {
      evacuate(ctx, core, dead);
      freeRange(ctx, core, dead.start, dead.end - dead.start);
    }
  }
  locks.unlock(core);
  return Ok;
}

/** Unpopulates a VMA already taken out of its index (one TLB gather). */
function evacuate(ctx: MmapParts, core: number, dead: KernelVma): void {
  ctx.gather.begin(core);
  unpopulate(ctx, ctx.gather, core, dead.start, dead.end);
  ctx.gather.finish();
}

/** Gives [addr, addr + size) back under its freeRangesLock. */
function freeRange(ctx: MmapParts, core: number, addr: number, size: number): void {
  const frl = ctx.vm.freeRangesLock(addr);
  frl.writeLock(core);
  checkFree(ctx.vm.freeRange(addr, size), addr);
  frl.writeUnlock(core);
}

function checkFree(status: ErrnoStatus, addr: number): void {
  if (status !== Ok) {
    throw new Error(
      `VM allocator: freeRange of a mapped range at 0x${addr.toString(16)} failed (${status})`,
    );
  }
}

/** A page-aligned, non-empty range inside the address space (munmap, mprotect, madvise). */
export function validRange(
  ctx: Pick<MemoryContext, 'settings'>,
  addr: number,
  length: number,
): boolean {
  return (
    Number.isSafeInteger(addr) &&
    addr >= 0 &&
    addr % PAGE_SIZE === 0 &&
    validLength(length) &&
    addr + alignUp(length, PAGE_SIZE) <= ctx.settings.addressLimit
  );
}

function validLength(length: number): boolean {
  return Number.isSafeInteger(length) && length > 0;
}

function validProt(prot: number): boolean {
  return Number.isInteger(prot) && prot >= 0 && (prot & ~PROT_BITS) === 0;
}

/** Anonymous, and exactly one of SHARED and PRIVATE (file mappings are not modelled). */
function validFlags(flags: number): boolean {
  if (!Number.isInteger(flags) || (flags & MapFlags.ANONYMOUS) === 0) return false;
  return ((flags & MapFlags.SHARED) !== 0) !== ((flags & MapFlags.PRIVATE) !== 0);
}
