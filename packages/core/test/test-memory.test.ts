// The shared test doubles of @unimem/core/testing: MappedRegions keeps sorted, disjoint ranges;
// TestMemory maps bump-allocated address space, rejects bad arguments with EINVAL, and keeps a
// page resident only while it is mapped and not dropped by MADV_DONTNEED.

import { describe, expect, it } from 'vitest';
import { Advice, Errno, MiB, Ok, PAGE_SIZE } from '../src/index.js';
import { MappedRegions, TestMemory } from '../src/testing/index.js';

describe('MappedRegions', () => {
  it('maps, cuts holes and answers whether a range is covered', () => {
    const regions = new MappedRegions();
    regions.map(100, 200);
    regions.map(0, 50);
    regions.unmap(120, 130);
    expect(regions.list).toEqual([
      [0, 50],
      [100, 120],
      [130, 200],
    ]);
    expect(regions.covers(100, 20)).toBe(true);
    expect(regions.covers(100, 21)).toBe(false);
    expect(regions.covers(40, 20)).toBe(false);
    expect(regions.bytes()).toBe(50 + 20 + 70);
  });
});

describe('TestMemory', () => {
  it('aligns large mappings to 2 MiB and tracks residency while mapped', () => {
    const memory = new TestMemory({ cores: 2, base: 0x10_0000_1000 });
    const small = memory.mmap(0, PAGE_SIZE, 0, 0);
    const huge = memory.mmap(1, 2 * MiB, 0, 0);
    expect(small).toBe(0x10_0000_1000);
    expect(huge % (2 * MiB)).toBe(0);
    expect(memory.touch(0, huge + 5, true)).toBe(Ok);
    expect(memory.residentBytes).toBe(PAGE_SIZE);
    expect(memory.madvise(0, huge, 2 * MiB, Advice.DONTNEED)).toBe(Ok);
    expect(memory.residentBytes).toBe(0);
    expect(memory.touch(0, huge, true)).toBe(Ok);
    expect(memory.munmap(0, huge, 2 * MiB)).toBe(Ok);
    expect(memory.residentBytes).toBe(0);
    expect(memory.touch(0, huge, false)).toBe(Errno.EFAULT);
    expect(memory.stats().mappedBytes).toBe(PAGE_SIZE);
    expect(memory.calls).toMatchObject({ mmap: 2, munmap: 1, madvise: 1, dontneed: 1, touch: 2 });
  });

  it('rejects bad cores, lengths and addresses and runs out of address space', () => {
    const memory = new TestMemory({ cores: 1, addressSpaceBytes: 4 * PAGE_SIZE });
    expect(memory.mmap(1, PAGE_SIZE, 0, 0)).toBe(Errno.EINVAL);
    expect(memory.mmap(0, 100, 0, 0)).toBe(Errno.EINVAL);
    expect(memory.munmap(0, 1, PAGE_SIZE)).toBe(Errno.EINVAL);
    expect(memory.mmap(0, 5 * PAGE_SIZE, 0, 0)).toBe(Errno.ENOMEM);
    expect(memory.calls.mmap).toBe(0);
  });
});
