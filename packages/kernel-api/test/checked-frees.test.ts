// The Kernel API's framesFree contract (unmap first) and its checked mode, and MAP_FIXED at
// addresses below MMAP_MIN_ADDR (page 0 mapped at 0 returned 0, which reads like Ok).

import { AllocError, Errno, MapFlags, MiB, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { Machine, PageSize, PteFlag } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { MMAP_MIN_ADDR } from '../src/mmap.js';
import { oneBucketOsv, optimizedOsv, referenceSystem } from './parts.js';

function booted() {
  const machine = new Machine({ cores: 4 });
  const system = optimizedOsv(machine, { memoryBytes: 64 * MiB });
  system.boot();
  return { system, kernel: system.kernel };
}

/** Maps the frame at linear address `frameAddr` at a fresh address of core 1's. */
function mapOwn(kernel: ReturnType<typeof booted>['kernel'], frameAddr: number) {
  const va = kernel.reserveRange(1, PAGE_SIZE);
  expect(va).toBeGreaterThan(0);
  const flags = PteFlag.Writable;
  expect(kernel.pageTable.map(1, va, kernel.frameOf(frameAddr), PageSize.Size4K, flags)).toBe(Ok);
  return va;
}

describe('checked frees', () => {
  it('are on in this package’s tests (UNIMEM_CHECKED=1)', () => {
    expect(booted().kernel.checkedFrees).toBe(true);
  });

  it('refuse frames a live mapping still uses, and free them once unmapped', () => {
    const { kernel } = booted();
    const frame = kernel.framesAlloc(1, 0);
    const va = mapOwn(kernel, frame);
    expect(kernel.mappingOf(frame, 0)).toMatchObject({ va, frame: kernel.frameOf(frame) });
    const free = kernel.statFreePhysMem();
    expect(kernel.framesFree(1, frame, 0)).toBe(AllocError.Address);
    expect(kernel.statFreePhysMem()).toBe(free);
    kernel.pageTable.unmap(1, va);
    kernel.flushTlbAll(1);
    expect(kernel.mappingOf(frame, 0)).toBeUndefined();
    expect(kernel.framesFree(1, frame, 0)).toBe(Ok);
  });

  it('see a mapping of any frame of a larger block', () => {
    const { kernel } = booted();
    const block = kernel.framesAlloc(2, 4);
    mapOwn(kernel, block + 7 * PAGE_SIZE);
    expect(kernel.framesFree(2, block, 4)).toBe(AllocError.Address);
  });

  it('unchecked (the default outside tests), the violation succeeds and the frame is reused', () => {
    const { kernel } = booted();
    kernel.checkedFrees = false;
    const frame = kernel.framesAlloc(1, 0);
    const va = mapOwn(kernel, frame);
    expect(kernel.framesFree(1, frame, 0)).toBe(Ok);
    // The contract was broken: the next allocation may hand out the frame still mapped at va.
    const again = kernel.framesAlloc(1, 0);
    expect(again).toBe(frame);
    expect(kernel.mappingOf(again, 0)?.va).toBe(va);
  });

  it('ignore the linear maps, which map every frame (OSv has three, 2^44 apart)', () => {
    const { kernel } = booted();
    const frame = kernel.framesAlloc(0, 0);
    expect(kernel.mappingOf(frame, 0)).toBeUndefined();
    // An alias in the next linear area (OSv's page area) is the kernel's, not a live user mapping.
    const alias = frame + 2 ** 44;
    expect(kernel.pageTable.map(0, alias, kernel.frameOf(frame), PageSize.Size4K, 0)).toBe(Ok);
    expect(kernel.mappingOf(frame, 0)).toBeUndefined();
    // The same frame one page off that alias is an ordinary mapping.
    expect(
      kernel.pageTable.map(0, alias + PAGE_SIZE, kernel.frameOf(frame), PageSize.Size4K, 0),
    ).toBe(Ok);
    expect(kernel.mappingOf(frame, 0)?.va).toBe(alias + PAGE_SIZE);
    kernel.pageTable.unmap(0, alias + PAGE_SIZE);
    expect(kernel.framesFree(0, frame, 0)).toBe(Ok);
  });
});

describe('MAP_FIXED below MMAP_MIN_ADDR', () => {
  for (const [name, make] of [
    ['optimized', optimizedOsv],
    ['one-bucket (upstream-like find_hole)', oneBucketOsv],
    ['reference', referenceSystem],
  ] as const) {
    it(`${name}: is refused with EINVAL, at 0 and below 64 KiB`, () => {
      const machine = new Machine({ cores: 2 });
      const system = make(machine, { memoryBytes: 64 * MiB });
      system.boot();
      const flags = MapFlags.PRIVATE | MapFlags.ANONYMOUS | MapFlags.FIXED;
      const rw = Prot.READ | Prot.WRITE;
      expect(system.mmap(0, PAGE_SIZE, rw, flags, 0)).toBe(Errno.EINVAL);
      expect(system.mmap(0, PAGE_SIZE, rw, flags, MMAP_MIN_ADDR - PAGE_SIZE)).toBe(Errno.EINVAL);
    });
  }
});
