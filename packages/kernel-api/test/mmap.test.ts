// mmap and munmap beyond the conformance suite: MAP_FIXED over several VMAs and over address
// space without a VMA, validate refusing a range of two owners, rollback of a MAP_POPULATE that
// runs out of memory, munmap across owners, argument errors, and misuse before boot.

import { Errno, GiB, MapFlags, MiB, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { LINEAR_BASE, UnikernelMemory } from '../src/index.js';
import { allVmas, checkInvariants } from './invariants.js';
import { optimizedOsv } from './parts.js';

const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;
const RW = Prot.READ | Prot.WRITE;

function booted(memoryBytes = 64 * MiB) {
  const machine = new Machine({ cores: 4 });
  const system = optimizedOsv(machine, { memoryBytes });
  system.boot();
  return { machine, system };
}

describe('mmap and munmap', () => {
  it('MAP_FIXED over two VMAs splits both, frees what it covers, keeps the address space', () => {
    const { system } = booted();
    const a = system.mmap(0, 8 * PAGE_SIZE, RW, ANON);
    const b = system.mmap(0, 8 * PAGE_SIZE, Prot.READ, ANON);
    expect(b + 8 * PAGE_SIZE).toBe(a);
    for (let page = 0; page < 16; page++)
      expect(system.touch(0, b + page * PAGE_SIZE, false)).toBe(Ok);
    const freeVa = system.freeVirtualBytes();
    const populated = system.stats().populatedBytes;
    const fixed = system.mmap(1, 4 * PAGE_SIZE, RW, ANON | MapFlags.FIXED, b + 6 * PAGE_SIZE);
    expect(fixed).toBe(b + 6 * PAGE_SIZE);
    expect(
      allVmas(system).map((v) => [(v.start - b) / PAGE_SIZE, (v.end - b) / PAGE_SIZE, v.prot]),
    ).toEqual([
      [0, 6, Prot.READ],
      [6, 10, RW],
      [10, 16, RW],
    ]);
    expect(system.stats().populatedBytes).toBe(populated - 4 * PAGE_SIZE);
    expect(system.freeVirtualBytes()).toBe(freeVa);
    expect(system.touch(0, fixed, true)).toBe(Ok);
    checkInvariants(system);
  });

  it('MAP_FIXED into free space of an owned superblock takes exactly that range', () => {
    const { system } = booted();
    const a = system.mmap(2, PAGE_SIZE, RW, ANON);
    const freeVa = system.freeVirtualBytes();
    const target = a - 64 * PAGE_SIZE;
    expect(system.mmap(2, 16 * PAGE_SIZE, RW, ANON | MapFlags.FIXED, target)).toBe(target);
    expect(system.freeVirtualBytes()).toBe(freeVa - 16 * PAGE_SIZE);
    expect(system.munmap(2, target, 16 * PAGE_SIZE)).toBe(Ok);
    expect(system.freeVirtualBytes()).toBe(freeVa);
  });

  it('MAP_FIXED over reserved space without a VMA (the linear map) is ENOMEM and changes nothing', () => {
    const { system } = booted();
    const before = system.stats();
    const freeVa = system.freeVirtualBytes();
    expect(system.mmap(0, PAGE_SIZE, RW, ANON | MapFlags.FIXED, LINEAR_BASE)).toBe(Errno.ENOMEM);
    const linearEnd = LINEAR_BASE + 64 * MiB;
    expect(system.mmap(0, 2 * PAGE_SIZE, RW, ANON | MapFlags.FIXED, linearEnd - PAGE_SIZE)).toBe(
      Errno.ENOMEM,
    );
    // Crossing the superblock area's end: validate refuses it.
    expect(system.mmap(0, 2 * PAGE_SIZE, RW, ANON | MapFlags.FIXED, LINEAR_BASE - PAGE_SIZE)).toBe(
      Errno.EINVAL,
    );
    expect(system.stats()).toEqual(before);
    expect(system.freeVirtualBytes()).toBe(freeVa);
    expect(system.touch(0, LINEAR_BASE, true)).toBe(Ok);
  });

  it('MAP_FIXED across superblocks of two cores is refused by validate (EINVAL)', () => {
    const { system } = booted();
    const a = system.mmap(0, PAGE_SIZE, RW, ANON);
    const b = system.mmap(1, PAGE_SIZE, RW, ANON);
    const boundary = Math.max(a, b) - (Math.max(a, b) % GiB);
    expect(Math.abs(a - b)).toBeLessThan(2 * GiB);
    expect(system.mmap(2, 2 * PAGE_SIZE, RW, ANON | MapFlags.FIXED, boundary - PAGE_SIZE)).toBe(
      Errno.EINVAL,
    );
    // munmap may span both owners: each part goes back to its owner.
    const freeVa = system.freeVirtualBytes();
    expect(system.munmap(3, Math.min(a, b), Math.abs(a - b) + PAGE_SIZE)).toBe(Ok);
    expect(system.freeVirtualBytes()).toBe(freeVa + 2 * PAGE_SIZE);
    expect(system.stats().vmas).toBe(0);
  });

  it('rolls a MAP_POPULATE back when memory runs out', () => {
    const { system } = booted(32 * MiB);
    // Core 1 claims its superblock first: superblocks are never returned (as in OSv), so the
    // claim would otherwise show in the metadata.
    expect(system.munmap(1, system.mmap(1, PAGE_SIZE, RW, ANON), PAGE_SIZE)).toBe(Ok);
    const before = system.stats();
    const freeVa = system.freeVirtualBytes();
    const tables = system.tablePages();
    expect(system.mmap(1, 48 * MiB, RW, ANON | MapFlags.POPULATE)).toBe(Errno.ENOMEM);
    expect(system.stats()).toEqual(before);
    expect(system.freeVirtualBytes()).toBe(freeVa);
    expect(system.tablePages()).toBe(tables);
    checkInvariants(system);
    const fits = system.mmap(1, 8 * MiB, RW, ANON | MapFlags.POPULATE);
    expect(fits).toBeGreaterThan(0);
    expect(system.stats().populatedBytes).toBe(8 * MiB);
  });

  it('rejects bad flags, protections, cores and lengths', () => {
    const { system } = booted();
    expect(system.mmap(0, PAGE_SIZE, RW, MapFlags.PRIVATE)).toBe(Errno.EINVAL);
    expect(system.mmap(0, PAGE_SIZE, RW, ANON | MapFlags.SHARED)).toBe(Errno.EINVAL);
    expect(system.mmap(0, PAGE_SIZE, RW, MapFlags.ANONYMOUS)).toBe(Errno.EINVAL);
    expect(system.mmap(0, PAGE_SIZE, 8, ANON)).toBe(Errno.EINVAL);
    expect(system.mmap(0, -PAGE_SIZE, RW, ANON)).toBe(Errno.EINVAL);
    expect(system.mmap(0, 1.5, RW, ANON)).toBe(Errno.EINVAL);
    expect(system.mmap(9, PAGE_SIZE, RW, ANON)).toBe(Errno.EINVAL);
    expect(system.mmap(0, PAGE_SIZE, RW, ANON | MapFlags.FIXED)).toBe(Errno.EINVAL);
    expect(system.mmap(0, 2 ** 48, RW, ANON)).toBe(Errno.ENOMEM);
    expect(system.mmap(0, 2 * PAGE_SIZE, RW, ANON | MapFlags.FIXED, 2 ** 47 - PAGE_SIZE)).toBe(
      Errno.ENOMEM,
    );
    expect(system.munmap(0, 2 ** 47 - PAGE_SIZE, 2 * PAGE_SIZE)).toBe(Errno.EINVAL);
    expect(system.mprotect(0, PAGE_SIZE, PAGE_SIZE, 99)).toBe(Errno.EINVAL);
    expect(system.munmap(-1, PAGE_SIZE, PAGE_SIZE)).toBe(Errno.EINVAL);
    // A length that is not a page multiple is rounded up.
    const addr = system.mmap(0, 100, RW, ANON);
    expect(system.stats().vmaBytes).toBe(PAGE_SIZE);
    expect(system.munmap(0, addr, 1)).toBe(Ok);
    expect(system.stats().vmas).toBe(0);
  });

  it('refuses use before boot, a second boot, and bad options', () => {
    const machine = new Machine({ cores: 2 });
    const system = optimizedOsv(machine, { memoryBytes: 16 * MiB });
    expect(() => system.mmap(0, PAGE_SIZE, RW, ANON)).toThrow(/not booted/);
    expect(() => system.kernel).toThrow(/not booted/);
    system.boot();
    expect(() => system.boot()).toThrow(/twice/);
    const frames = () => {
      throw new Error('unused');
    };
    const vm = frames;
    expect(() => new UnikernelMemory({ machine: undefined as never, frames, vm })).toThrow(
      /machine undefined is not a Machine/,
    );
    expect(() => new UnikernelMemory({ machine, frames, vm, memoryBytes: 1000 })).toThrow(
      /memoryBytes 1000/,
    );
    expect(() => new UnikernelMemory({ machine, frames, vm, linearPageBytes: 4096 })).toThrow(
      /linearPageBytes 4096/,
    );
    expect(() => new UnikernelMemory({ machine, frames, vm, runCores: [0, 0] })).toThrow(
      /runCores entry 0/,
    );
    expect(() => new UnikernelMemory({ machine, frames, vm, tlbFlush: 'lazy' as never })).toThrow(
      /tlbFlush "lazy"/,
    );
    expect(() => new UnikernelMemory({ machine, frames, vm, tlbGatherPages: 0 })).toThrow(
      /tlbGatherPages 0/,
    );
  });
});
