// The Kernel API: frames by linear-map address, address space and VMAs by hand, the locks of the
// owner, and the README's buffer pool, which maps its own pages and evicts with one shootdown.

import { AllocError, Errno, MapFlags, MiB, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { Machine, SimMutex } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { LINEAR_BASE } from '../src/index.js';
import { bootedParts } from '../src/unikernel-memory.js';
import { BufferPool } from './buffer-pool.js';
import { checkInvariants } from './invariants.js';
import { optimizedOsv } from './parts.js';

function booted(cores = 8) {
  const machine = new Machine({ cores });
  const system = optimizedOsv(machine, { memoryBytes: 64 * MiB });
  system.boot();
  return { machine, system, kernel: system.kernel };
}

describe('Kernel API', () => {
  it('hands out frames by their linear-map address', () => {
    const { system, kernel } = booted();
    const free = kernel.statFreePhysMem();
    expect(kernel.statTotalPhysMem()).toBe(64 * MiB);
    const huge = kernel.framesAlloc(3, 9);
    expect(huge).toBeGreaterThanOrEqual(LINEAR_BASE);
    expect((huge - LINEAR_BASE) % (2 * MiB)).toBe(0);
    expect(kernel.statFreePhysMem()).toBe(free - 2 * MiB);
    expect(system.touch(3, huge + 12345, true)).toBe(Ok);
    expect(kernel.frameOf(huge)).toBe((huge - LINEAR_BASE) / PAGE_SIZE);
    expect(kernel.linearAddress(kernel.frameOf(huge))).toBe(huge);
    expect(kernel.framesFree(3, huge + PAGE_SIZE, 9)).toBe(AllocError.Address);
    expect(kernel.framesFree(3, 0x1000, 0)).toBe(AllocError.Address);
    expect(kernel.framesFree(3, huge, 9)).toBe(Ok);
    expect(kernel.statFreePhysMem()).toBe(free);
    expect(kernel.framesAlloc(0, 11)).toBe(AllocError.Argument);
  });

  it('reserves address space, inserts and finds VMAs, and gives them back', () => {
    const { system, kernel } = booted();
    const size = 16 * PAGE_SIZE;
    const addr = kernel.reserveRange(2, size);
    expect(addr).toBeGreaterThan(0);
    const vma = { start: addr, end: addr + size, prot: Prot.READ, flags: MapFlags.PRIVATE };
    const lock = kernel.vmaLock(addr);
    expect(lock).toBe(bootedParts(system).vm.vmaLock(addr));
    lock.writeLock(2);
    kernel.insert(vma);
    lock.writeUnlock(2);
    lock.readLock(2);
    expect(kernel.findIntersectingVma(addr + 5 * PAGE_SIZE)).toBe(vma);
    expect(kernel.findIntersectingVma(addr + size)).toBeUndefined();
    expect(kernel.findIntersectingVmas(addr - PAGE_SIZE, 2 * PAGE_SIZE)).toEqual([vma]);
    expect(kernel.findIntersectingVmas(addr, 0)).toEqual([]);
    lock.readUnlock(2);
    // A fault in a Kernel API VMA populates it like an anonymous mapping.
    expect(system.touch(2, addr, false)).toBe(Ok);
    expect(system.touch(2, addr, true)).toBe(Errno.EACCES);
    expect(system.munmap(2, addr, size)).toBe(Ok);
    expect(kernel.findIntersectingVma(addr)).toBeUndefined();
    expect(kernel.erase(vma)).toBe(false);
    checkInvariants(system);
  });

  it('places a range at a fixed address under the free-ranges lock', () => {
    const { kernel } = booted();
    const near = kernel.reserveRange(1, PAGE_SIZE);
    const fixed = near - 8 * PAGE_SIZE;
    expect(kernel.validate(1, fixed, 4 * PAGE_SIZE)).toBe(true);
    const ranges = kernel.freeRangesLock(fixed);
    ranges.writeLock(1);
    expect(kernel.allocateRange(fixed, 4 * PAGE_SIZE)).toBe(Ok);
    expect(kernel.allocateRange(fixed, 4 * PAGE_SIZE)).toBe(Errno.ENOMEM);
    expect(kernel.freeRange(fixed, 4 * PAGE_SIZE)).toBe(Ok);
    ranges.writeUnlock(1);
  });

  it('flushes every TLB of the run and exposes the pt_high mutex', () => {
    const { machine, kernel } = booted();
    kernel.flushTlbAll(4);
    expect(machine.counters.totalOf('ipisSent')).toBe(7);
    expect(kernel.ptHighMutex()).toBeInstanceOf(SimMutex);
    expect(kernel.ptHighMutex().name).toBe('pt_high');
  });

  it('runs the README buffer pool: own mappings, one shootdown per eviction batch', () => {
    const { machine, system, kernel } = booted();
    const start = system.stats();
    const freeVa = system.freeVirtualBytes();
    const pool = BufferPool.create(kernel, 0, 64);
    if (typeof pool === 'number') throw new Error(`pool: ${pool}`);
    for (let i = 0; i < 10; i++) {
      const va = pool.fix(i % 4, i);
      expect(system.touch(i % 4, va, true)).toBe(Ok);
    }
    expect(machine.counters.totalOf('faults')).toBe(0);
    expect(system.stats().mappedBytes).toBe(10 * PAGE_SIZE);
    expect(system.stats().populatedBytes).toBe(0);
    pool.evict(0, [0, 1, 2, 3, 4]);
    expect(machine.counters.totalOf('shootdowns')).toBe(1);
    expect(system.translate(pool.base)).toBeUndefined();
    expect(system.touch(5, pool.base + 7 * PAGE_SIZE, false)).toBe(Ok);

    const fixed = BufferPool.createAt(kernel, 0, pool.base - 128 * PAGE_SIZE, 32);
    if (typeof fixed === 'number') throw new Error(`fixed pool: ${fixed}`);
    expect(fixed.fix(1, 31)).toBe(pool.base - 97 * PAGE_SIZE);
    expect(BufferPool.createAt(kernel, 0, fixed.base, 4)).toBe(Errno.ENOMEM);

    pool.close(0);
    fixed.close(1);
    expect(system.stats().freePhysBytes).toBe(start.freePhysBytes);
    expect(system.stats().pageTableBytes).toBe(start.pageTableBytes);
    expect(system.stats().vmas).toBe(0);
    expect(system.freeVirtualBytes()).toBe(freeVa);
  });
});
