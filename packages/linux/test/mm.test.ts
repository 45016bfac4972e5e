// The Linux memory system: the MemorySystem contract, and what Linux adds to UnikernelMemory —
// syscall costs, mmap_lock vs per-VMA locks in faults, THP modes, targeted shootdowns.
import { Advice, Errno, HUGE_SIZE, MapFlags, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { memorySystemSuite } from '@unimem/core/testing';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { LinuxMemory, type LinuxMemoryOptions } from '../src/index.js';

const RW = Prot.READ | Prot.WRITE;
const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;
const MiB = 2 ** 20;

memorySystemSuite('linux (buddy, per-VMA locks, THP madvise)', ({ cores, memoryBytes }) => {
  return new LinuxMemory({ machine: new Machine({ cores }), memoryBytes });
});
memorySystemSuite(
  'linux (mmap_lock faults, THP always)',
  ({ cores, memoryBytes }) =>
    new LinuxMemory({
      machine: new Machine({ cores }),
      memoryBytes,
      perVmaLocks: false,
      thp: 'always',
    }),
  { numRuns: 20 },
);
memorySystemSuite(
  'linux (anon_vma fallback, THP never)',
  ({ cores, memoryBytes }) =>
    new LinuxMemory({
      machine: new Machine({ cores }),
      memoryBytes,
      anonVmaFallback: true,
      thp: 'never',
    }),
  { numRuns: 20 },
);

function booted(cores: number, extra: Partial<LinuxMemoryOptions> = {}) {
  const machine = new Machine({ cores });
  const linux = new LinuxMemory({ machine, memoryBytes: 256 * MiB, ...extra });
  linux.boot();
  const now = Math.max(...machine.clocks);
  for (let c = 0; c < cores; c++) machine.clocks[c] = now;
  return { machine, linux };
}

/**
 * Cores 1..n-1 fault in pages of one shared mapping, round robin, while core 0 maps and unmaps
 * small regions elsewhere (a malloc growing and shrinking its heap). Returns the fault cores'
 * mmap_lock read wait and their total cycles.
 */
function faultStorm(cores: number, perVmaLocks: boolean) {
  const { machine, linux } = booted(cores, { perVmaLocks });
  const pages = 64;
  const shared = linux.mmap(0, pages * (cores - 1) * PAGE_SIZE, RW, ANON);
  expect(shared).toBeGreaterThan(0);
  const start = Math.max(...machine.clocks);
  for (let c = 0; c < cores; c++) machine.clocks[c] = start;
  const lock = linux.mmapLock.mmapLock;
  const readWait0 = lock.readStats.waitCycles;
  for (let i = 0; i < pages; i++) {
    const region = linux.mmap(0, 16 * PAGE_SIZE, RW, ANON | MapFlags.POPULATE);
    expect(region).toBeGreaterThan(0);
    for (let c = 1; c < cores; c++) {
      expect(linux.touch(c, shared + (i * (cores - 1) + c - 1) * PAGE_SIZE, true)).toBe(Ok);
    }
    expect(linux.munmap(0, region, 16 * PAGE_SIZE)).toBe(Ok);
  }
  let faultCycles = 0;
  for (let c = 1; c < cores; c++) faultCycles += machine.clocks[c] - start;
  return {
    readWait: lock.readStats.waitCycles - readWait0,
    readAcquisitions: lock.readStats.acquisitions,
    faultCycles,
    counts: { ...linux.mmapLock.counts },
  };
}

describe('LinuxMemory', () => {
  it('faults of many cores in one mapping contend on mmap_lock without per-VMA locks', () => {
    const without = faultStorm(8, false);
    const withLocks = faultStorm(8, true);
    if (process.env.MM_PRINT) console.log({ without, withLocks });
    expect(without.counts.mmapLockReads).toBe(64 * 7);
    expect(without.readWait).toBeGreaterThan(0);
    expect(withLocks.counts.vmaLockReads).toBe(64 * 7);
    expect(withLocks.counts.mmapLockReads).toBe(0);
    expect(withLocks.readWait).toBe(0);
    expect(withLocks.faultCycles).toBeLessThan(without.faultCycles);
  });

  it('charges syscall entry/exit on mmap, munmap, mprotect and madvise but not on touch', () => {
    const { machine, linux } = booted(1, { thp: 'never' });
    const syscall = machine.costs.syscall;
    const addr = linux.mmap(0, PAGE_SIZE, RW, ANON);
    expect(linux.touch(0, addr, true)).toBe(Ok);
    const before = machine.clocks[0];
    // A call that fails at once still enters the kernel.
    expect(linux.munmap(0, addr + 1, PAGE_SIZE)).toBe(Errno.EINVAL);
    expect(machine.clocks[0] - before).toBe(syscall);
    const t = machine.clocks[0];
    expect(linux.touch(0, addr, true)).toBe(Ok); // TLB hit: no syscall, no fault
    expect(machine.clocks[0] - t).toBeLessThan(syscall);
  });

  it('maps 2 MiB pages only after MADV_HUGEPAGE in madvise mode', () => {
    for (const [thp, advise, huge] of [
      ['madvise', false, 0],
      ['madvise', true, 1],
      ['always', false, 1],
      ['never', true, 0],
    ] as const) {
      const { linux } = booted(2, { thp });
      const addr = linux.mmap(0, 2 * HUGE_SIZE, RW, ANON);
      const aligned = Math.ceil(addr / HUGE_SIZE) * HUGE_SIZE;
      if (advise) expect(linux.madvise(0, addr, 2 * HUGE_SIZE, Advice.HUGEPAGE)).toBe(Ok);
      expect(linux.touch(1, aligned, true)).toBe(Ok);
      expect(linux.stats().populatedBytes, `${thp} ${advise}`).toBe(huge ? HUGE_SIZE : PAGE_SIZE);
    }
  });

  it('shoots down only the cores that run the process', () => {
    const { machine, linux } = booted(8, { runCores: [0, 1, 2] });
    const addr = linux.mmap(0, 4 * PAGE_SIZE, RW, ANON);
    for (const core of [0, 1, 2]) expect(linux.touch(core, addr, true)).toBe(Ok);
    const ipis = machine.counters.totals().ipisSent ?? 0;
    expect(linux.munmap(0, addr, 4 * PAGE_SIZE)).toBe(Ok);
    expect((machine.counters.totals().ipisSent ?? 0) - ipis).toBe(2);
  });

  it('refuses bad options', () => {
    const machine = new Machine({ cores: 1 });
    expect(() => new LinuxMemory({ machine, thp: 'sometimes' as never })).toThrow(RangeError);
    expect(() => new LinuxMemory({ machine: undefined as never })).toThrow(RangeError);
  });
});
