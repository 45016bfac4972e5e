// Page faults: 4 KiB and 2 MiB populates, the fallback to 4 KiB, splitting a 2 MiB page when
// part of it is unmapped or reprotected, protection errors, and running out of memory.

import { Advice, Errno, HUGE_SIZE, MapFlags, MiB, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { Machine, PageSize } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { LINEAR_BASE } from '../src/index.js';
import { checkInvariants } from './invariants.js';
import { optimizedOsv, referenceSystem } from './parts.js';

const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;
const RW = Prot.READ | Prot.WRITE;

function booted(extra: Parameters<typeof optimizedOsv>[1] = {}) {
  const machine = new Machine({ cores: 4 });
  const system = optimizedOsv(machine, { memoryBytes: 64 * MiB, ...extra });
  system.boot();
  const counter = (name: string) => machine.counters.totalOf(name);
  return { machine, system, counter };
}

describe('page-fault order', () => {
  it('takes the frames and table pages before it clears the page, as Linux and OSv do', () => {
    for (const [size, hugePages] of [
      [4 * MiB, true],
      [MiB, false],
    ] as const) {
      const { machine, system } = booted({ hugePages });
      const addr = system.mmap(1, size, RW, ANON);
      // The frame allocator (LLFree) at work: a write to one of its lines.
      const events: string[] = [];
      const { lines } = machine;
      const llfree = lines.regions.filter((r) => r.label === 'llfree');
      expect(llfree.length).toBeGreaterThan(0);
      const rmw = lines.rmwBy.bind(lines);
      lines.rmwBy = (core, line) => {
        if (llfree.some((r) => line >= r.first && line < r.first + r.count)) events.push('frame');
        rmw(core, line);
      };
      const stream = machine.memory.stream.bind(machine.memory);
      machine.memory.stream = (core, bytes, own) => {
        events.push('clear');
        return stream(core, bytes, own);
      };
      // A fresh region: the fault needs table pages besides the page itself (and 2 MiB a
      // deposit), each cleared when it is created.
      expect(system.touch(1, addr, true)).toBe(Ok);
      // Every LLFree update (the page, the deposit, the table pages) comes before the first
      // clearing (the table pages' own and the page's).
      expect(events.lastIndexOf('frame')).toBeLessThan(events.indexOf('clear'));
      expect(events.filter((e) => e === 'frame').length).toBeGreaterThanOrEqual(3);
      expect(events.filter((e) => e === 'clear').length).toBeGreaterThanOrEqual(2);
      checkInvariants(system);
    }
  });
});

describe('page faults', () => {
  it('maps a 2 MiB page where the VMA covers the aligned region, once', () => {
    const { system, counter } = booted();
    const addr = system.mmap(1, 4 * MiB, RW, ANON);
    expect(addr % HUGE_SIZE).toBe(0);
    expect(system.touch(1, addr + 12345, true)).toBe(Ok);
    expect(counter('faults')).toBe(1);
    expect(counter('hugeFaults')).toBe(1);
    expect(counter('hugePagesZeroed')).toBe(1);
    expect(system.translate(addr)?.size).toBe(PageSize.Size2M);
    expect(system.stats().populatedBytes).toBe(HUGE_SIZE);
    expect(system.touch(1, addr + HUGE_SIZE - 1, true)).toBe(Ok);
    expect(system.touch(2, addr + 4096, false)).toBe(Ok);
    expect(counter('faults')).toBe(1);
    expect(counter('tlbHits')).toBeGreaterThan(0);
    checkInvariants(system);
  });

  it('uses 4 KiB pages for small VMAs, NOHUGEPAGE, hugePages: false and unaligned regions', () => {
    const small = booted();
    const addr = small.system.mmap(0, MiB, RW, ANON);
    expect(small.system.touch(0, addr, true)).toBe(Ok);
    expect(small.counter('hugeFaults')).toBe(0);
    expect(small.counter('pagesZeroed')).toBe(1);

    const advised = booted();
    const big = advised.system.mmap(0, 4 * MiB, RW, ANON);
    expect(advised.system.madvise(0, big, 2 * MiB, Advice.NOHUGEPAGE)).toBe(Ok);
    expect(advised.system.touch(0, big, true)).toBe(Ok);
    expect(advised.system.touch(0, big + 2 * MiB, true)).toBe(Ok);
    expect(advised.counter('hugeFaults')).toBe(1);
    expect(advised.counter('pagesZeroed')).toBe(1);
    expect(advised.system.stats().vmas).toBe(2);

    const off = booted({ hugePages: false });
    const plain = off.system.mmap(0, 4 * MiB, RW, ANON);
    expect(off.system.touch(0, plain, true)).toBe(Ok);
    expect(off.counter('hugeFaults')).toBe(0);

    const unaligned = booted({ hugeAlign: false });
    const odd = unaligned.system.mmap(0, 2 * MiB + PAGE_SIZE, RW, ANON);
    expect(odd % HUGE_SIZE).not.toBe(0);
    expect(unaligned.system.touch(0, odd, true)).toBe(Ok);
    expect(unaligned.counter('hugeFaults')).toBe(0);
  });

  it('falls back to 4 KiB when no 2 MiB block is free', () => {
    const machine = new Machine({ cores: 2 });
    const system = referenceSystem(machine, { memoryBytes: 16 * MiB });
    system.boot();
    const kernel = system.kernel;
    const taken: number[] = [];
    for (let addr = kernel.framesAlloc(0, 0); addr >= 0; addr = kernel.framesAlloc(0, 0)) {
      taken.push(addr);
    }
    // Give back one frame in every 2 MiB block: plenty of 4 KiB, no 2 MiB.
    const kept = taken.filter((addr) => (addr - LINEAR_BASE) % HUGE_SIZE !== 0);
    for (const addr of taken)
      if ((addr - LINEAR_BASE) % HUGE_SIZE === 0) kernel.framesFree(0, addr, 0);
    const addr = system.mmap(0, 2 * MiB, RW, ANON);
    expect(system.touch(0, addr, true)).toBe(Ok);
    expect(machine.counters.totalOf('hugeFallbacks')).toBe(1);
    expect(machine.counters.totalOf('hugeFaults')).toBe(0);
    expect(system.translate(addr)?.size).toBe(PageSize.Size4K);
    for (const frame of kept) kernel.framesFree(0, frame, 0);
    checkInvariants(system);
  });

  it('splits a 2 MiB page on partial munmap and frees the block with its last piece', () => {
    const { system, counter } = booted();
    const start = system.stats();
    const addr = system.mmap(0, 2 * MiB, RW, ANON);
    expect(system.touch(0, addr, true)).toBe(Ok);
    expect(system.munmap(0, addr + 5 * PAGE_SIZE, 3 * PAGE_SIZE)).toBe(Ok);
    expect(counter('hugeSplits')).toBe(1);
    expect(system.stats().splitHugePages).toBe(1);
    expect(system.stats().populatedBytes).toBe(HUGE_SIZE - 3 * PAGE_SIZE);
    expect(system.touch(1, addr + 5 * PAGE_SIZE, false)).toBe(Errno.EFAULT);
    expect(system.touch(1, addr + 4 * PAGE_SIZE, true)).toBe(Ok);
    expect(system.touch(1, addr + 8 * PAGE_SIZE, true)).toBe(Ok);
    expect(counter('faults')).toBe(2);
    checkInvariants(system);
    expect(system.munmap(0, addr, 2 * MiB)).toBe(Ok);
    expect(system.stats().splitHugePages).toBe(0);
    expect(system.stats().freePhysBytes).toBe(start.freePhysBytes);
    expect(system.stats().pageTableBytes).toBe(start.pageTableBytes);
  });

  it('splits a 2 MiB page on partial mprotect and keeps its frames', () => {
    const { system } = booted();
    const addr = system.mmap(0, 2 * MiB, RW, ANON);
    expect(system.touch(0, addr, true)).toBe(Ok);
    const free = system.stats().freePhysBytes;
    const frame = system.translate(addr + MiB)?.frame;
    expect(system.mprotect(0, addr + MiB, MiB, Prot.READ)).toBe(Ok);
    expect(system.translate(addr + MiB)?.frame).toBe(frame);
    expect(system.touch(2, addr + MiB, true)).toBe(Errno.EACCES);
    expect(system.touch(2, addr + MiB, false)).toBe(Ok);
    expect(system.touch(2, addr, true)).toBe(Ok);
    // The deposited table frame became the page table of the pieces.
    expect(system.stats().freePhysBytes).toBe(free);
    checkInvariants(system);
  });

  it('reports EFAULT outside mappings and EACCES against the protection', () => {
    const { system, counter } = booted();
    expect(system.touch(0, 0x1234_5000, false)).toBe(Errno.EFAULT);
    expect(system.touch(0, -1, false)).toBe(Errno.EFAULT);
    expect(system.touch(0, 2 ** 60, false)).toBe(Errno.EFAULT);
    expect(counter('faults')).toBe(1);
    const none = system.mmap(0, PAGE_SIZE, Prot.NONE, ANON);
    expect(system.touch(0, none, false)).toBe(Errno.EACCES);
    expect(system.stats().populatedBytes).toBe(0);
    const page = system.mmap(0, PAGE_SIZE, RW, ANON);
    expect(system.touch(0, page, true)).toBe(Ok);
    expect(system.mprotect(0, page, PAGE_SIZE, Prot.NONE)).toBe(Ok);
    expect(system.touch(0, page, false)).toBe(Errno.EACCES);
    expect(system.stats().populatedBytes).toBe(PAGE_SIZE);
    expect(system.mprotect(0, page, PAGE_SIZE, Prot.READ)).toBe(Ok);
    expect(system.touch(0, page, false)).toBe(Ok);
  });

  it('reaches the linear map without faults', () => {
    const { system, counter } = booted();
    expect(system.touch(3, LINEAR_BASE + 777 * PAGE_SIZE, true)).toBe(Ok);
    expect(counter('faults')).toBe(0);
  });

  it('returns ENOMEM from a fault when memory is gone, and recovers after a free', () => {
    const machine = new Machine({ cores: 2 });
    const system = referenceSystem(machine, { memoryBytes: 4 * MiB, hugePages: false });
    system.boot();
    const addr = system.mmap(0, 8 * MiB, RW, ANON);
    let page = 0;
    while (system.touch(0, addr + page * PAGE_SIZE, true) === Ok) page++;
    expect(system.touch(0, addr + page * PAGE_SIZE, true)).toBe(Errno.ENOMEM);
    expect(system.stats().freePhysBytes).toBeLessThan(2 * PAGE_SIZE);
    expect(system.madvise(0, addr, PAGE_SIZE, Advice.DONTNEED)).toBe(Ok);
    expect(system.touch(0, addr + page * PAGE_SIZE, true)).toBe(Ok);
    checkInvariants(system);
  });
});
