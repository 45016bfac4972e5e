// MADV_FREE as a lazy free: pages stay mapped until memory runs out; then the clean ones are
// reclaimed and the ones written since the advice are kept.

import { Advice, Errno, HUGE_SIZE, MapFlags, MiB, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { bootedParts } from '../src/unikernel-memory.js';
import { checkInvariants } from './invariants.js';
import { optimizedOsv, referenceSystem } from './parts.js';

const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;
const RW = Prot.READ | Prot.WRITE;

describe('MADV_FREE', () => {
  it('keeps the pages mapped and their frames until memory is needed', () => {
    const machine = new Machine({ cores: 2 });
    const system = optimizedOsv(machine, { memoryBytes: 64 * MiB, hugePages: false });
    system.boot();
    const addr = system.mmap(0, 8 * PAGE_SIZE, RW, ANON);
    for (let page = 0; page < 8; page++)
      expect(system.touch(0, addr + page * PAGE_SIZE, true)).toBe(Ok);
    const before = system.stats();
    expect(system.madvise(1, addr, 8 * PAGE_SIZE, Advice.FREE)).toBe(Ok);
    const after = system.stats();
    expect(after.freePhysBytes).toBe(before.freePhysBytes);
    expect(after.populatedBytes).toBe(8 * PAGE_SIZE);
    expect(after.lazyFreeBytes).toBe(8 * PAGE_SIZE);
    const faults = machine.counters.totalOf('faults');
    expect(system.touch(0, addr, false)).toBe(Ok);
    expect(machine.counters.totalOf('faults')).toBe(faults);
    expect(system.munmap(0, addr, 4 * PAGE_SIZE)).toBe(Ok);
    expect(system.stats().lazyFreeBytes).toBe(4 * PAGE_SIZE);
    checkInvariants(system);
  });

  it('reclaims clean pages under pressure and keeps the ones written since', () => {
    const machine = new Machine({ cores: 2 });
    const system = referenceSystem(machine, { memoryBytes: 4 * MiB, hugePages: false });
    system.boot();
    const lazy = system.mmap(0, 8 * PAGE_SIZE, RW, ANON);
    for (let page = 0; page < 8; page++)
      expect(system.touch(0, lazy + page * PAGE_SIZE, true)).toBe(Ok);
    expect(system.madvise(0, lazy, 8 * PAGE_SIZE, Advice.FREE)).toBe(Ok);
    for (let page = 0; page < 3; page++)
      expect(system.touch(1, lazy + page * PAGE_SIZE, true)).toBe(Ok);
    expect(system.touch(1, lazy + 3 * PAGE_SIZE, false)).toBe(Ok);
    // Fill memory: the fault that finds no frame reclaims the 5 clean pages.
    const hog = system.mmap(0, 8 * MiB, RW, ANON);
    let page = 0;
    while (system.touch(0, hog + page * PAGE_SIZE, true) === Ok) page++;
    expect(machine.counters.totalOf('lazyReclaimed')).toBe(5);
    expect(system.stats().lazyFreeBytes).toBe(0);
    const { residency } = bootedParts(system);
    for (let i = 0; i < 8; i++) expect(residency.has(lazy + i * PAGE_SIZE)).toBe(i < 3);
    expect(system.touch(0, hog + page * PAGE_SIZE, true)).toBe(Errno.ENOMEM);
    checkInvariants(system);
    // A reclaimed page is still mapped memory: its next touch faults in a zeroed page.
    expect(system.munmap(0, hog, PAGE_SIZE)).toBe(Ok);
    expect(system.touch(0, lazy + 5 * PAGE_SIZE, false)).toBe(Ok);
  });

  it('marks whole 2 MiB pages only', () => {
    const machine = new Machine({ cores: 2 });
    const system = optimizedOsv(machine, { memoryBytes: 64 * MiB });
    system.boot();
    const addr = system.mmap(0, 4 * MiB, RW, ANON);
    expect(system.touch(0, addr, true)).toBe(Ok);
    expect(system.touch(0, addr + HUGE_SIZE, true)).toBe(Ok);
    expect(system.madvise(0, addr, HUGE_SIZE + MiB, Advice.FREE)).toBe(Ok);
    expect(system.stats().lazyFreeBytes).toBe(HUGE_SIZE);
    expect(system.stats().splitHugePages).toBe(0);
    checkInvariants(system);
  });
});
