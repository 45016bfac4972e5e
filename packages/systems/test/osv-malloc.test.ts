// OSv's malloc in the model: which path each size takes and what it hands out (pools, whole
// pages, malloc_large with its header, the LLFree build's power-of-two blocks, populated
// mappings), cross-CPU frees through the garbage sinks, OSv's page retention rules, and the
// footprint as OSv's stats::free() sees it.

import { Errno, HUGE_SIZE, KiB, MiB, Ok, PAGE_SIZE } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { LINEAR_BASE } from '@unimem/kernel-api';
import { LARGE_OFFSET, type OsvMalloc, SIGNAL_THRESHOLD } from '@unimem/osv';
import { describe, expect, it } from 'vitest';
import { buildOsvPreset, type OsvPresetName, type OsvPresetOptions } from '../src/index.js';

function booted(name: OsvPresetName, cores = 2, options: OsvPresetOptions = {}) {
  const machine = new Machine({ cores });
  const preset = buildOsvPreset(name, machine, { memoryBytes: 128 * MiB, ...options });
  preset.memory.boot();
  const malloc = preset.malloc() as OsvMalloc;
  return { machine, preset, malloc, memory: preset.memory };
}

const linear = (addr: number) => addr >= LINEAR_BASE && addr < LINEAR_BASE + 128 * MiB;

describe('size paths', () => {
  it('serves <= 1 KiB from power-of-two pools, naturally aligned, in the linear map', () => {
    const { malloc } = booted('osv');
    for (const [size, usable] of [
      [0, 8],
      [1, 8],
      [8, 8],
      [9, 16],
      [100, 128],
      [1000, 1024],
      [1024, 1024],
    ]) {
      const ptr = malloc.malloc(0, size);
      expect(linear(ptr), `malloc(${size})`).toBe(true);
      expect(malloc.usableSize(ptr), `usableSize of malloc(${size})`).toBe(usable);
      expect(ptr % usable, `alignment of malloc(${size})`).toBe(0);
      // Objects sit above the 40-byte page header.
      expect(ptr % PAGE_SIZE).toBeGreaterThanOrEqual(40);
    }
    expect(malloc.stats().poolPages).toBe(4); // one page each for classes 8, 16, 128, 1024
  });

  it('gives (1 KiB, 4 KiB] a whole page from the page pools', () => {
    const { malloc, preset } = booted('osv');
    const gets = preset.pools!.stats().l1Gets;
    const ptr = malloc.malloc(1, 1025);
    expect(ptr % PAGE_SIZE).toBe(0);
    expect(malloc.usableSize(ptr)).toBe(PAGE_SIZE);
    expect(preset.pools!.stats().l1Gets).toBe(gets + 1);
    expect(malloc.free(0, ptr)).toBe(Ok); // into core 0's L1, as free_page does
    expect(malloc.usableSize(ptr)).toBe(Errno.EINVAL);
  });

  it('upstream malloc_large: exact pages plus the header, under free_page_ranges_lock', () => {
    const { malloc, preset } = booted('osv');
    const mutex = preset.ranges!.mutex;
    for (const [size, pages] of [
      [4097, 2],
      [8192, 3],
      [64 * KiB, 17],
      [HUGE_SIZE - 4096 - LARGE_OFFSET, 511],
    ]) {
      const before = mutex.stats.acquisitions;
      const free = preset.ranges!.freeFrames();
      const ptr = malloc.malloc(0, size);
      expect(ptr % PAGE_SIZE, `malloc(${size})`).toBe(LARGE_OFFSET);
      expect(malloc.usableSize(ptr)).toBe(pages * PAGE_SIZE - LARGE_OFFSET);
      expect(preset.ranges!.freeFrames()).toBe(free - pages);
      expect(mutex.stats.acquisitions).toBe(before + 1);
      expect(malloc.free(1, ptr)).toBe(Ok);
      expect(preset.ranges!.freeFrames()).toBe(free);
    }
  });

  it('upstream: 2 MiB and more is a populated mapping with a header, unmapped with a global flush', () => {
    const { malloc, memory, machine } = booted('osv');
    const vmas = memory.stats().vmas;
    const ptr = malloc.malloc(0, 3 * MiB);
    expect(linear(ptr)).toBe(false);
    expect(ptr % PAGE_SIZE).toBe(LARGE_OFFSET);
    expect(malloc.usableSize(ptr)).toBe(3 * MiB + PAGE_SIZE - LARGE_OFFSET);
    expect(memory.stats().vmas).toBe(vmas + 1);
    expect(memory.stats().populatedBytes).toBeGreaterThanOrEqual(3 * MiB);
    const ipis = machine.counters.totalOf('ipisSent');
    expect(malloc.free(0, ptr)).toBe(Ok);
    expect(memory.stats().vmas).toBe(vmas);
    expect(machine.counters.totalOf('ipisSent')).toBeGreaterThan(ipis);
    expect(malloc.stats().mappedAllocs).toBe(1);
  });

  it('the LLFree build rounds malloc_large up to power-of-two blocks up to 4 MiB', () => {
    const { malloc, memory } = booted('osv-llfree');
    // The frame allocator's free frames, as the Kernel API reports them.
    const freeFrames = () => memory.kernel.statFreePhysMem() / PAGE_SIZE;
    for (const [size, order] of [
      [4097, 1],
      [8192, 2],
      [16 * KiB, 3],
      [HUGE_SIZE, 10],
      [3 * MiB, 10],
    ]) {
      const free = freeFrames();
      const ptr = malloc.malloc(0, size);
      expect(ptr % PAGE_SIZE, `malloc(${size})`).toBe(LARGE_OFFSET);
      expect(malloc.usableSize(ptr)).toBe(2 ** order * PAGE_SIZE - LARGE_OFFSET);
      expect(freeFrames()).toBe(free - 2 ** order);
      expect(malloc.free(0, ptr)).toBe(Ok);
    }
    const big = malloc.malloc(1, 5 * MiB);
    expect(big % PAGE_SIZE).toBe(0); // mapped without a header
    expect(malloc.usableSize(big)).toBe(5 * MiB);
    expect(malloc.free(1, big)).toBe(Ok);
    expect(malloc.stats()).toMatchObject({ largeAllocs: 5, mappedAllocs: 1, largeBlocks: 0 });
  });

  it('rejects interior pointers, double frees and unknown addresses without changing anything', () => {
    const { malloc } = booted('osv');
    const small = malloc.malloc(0, 64);
    const large = malloc.malloc(0, 10_000);
    const stats = malloc.stats();
    for (const ptr of [
      small + 8,
      small + 64 * 64,
      large - LARGE_OFFSET,
      large + PAGE_SIZE,
      LINEAR_BASE,
    ]) {
      expect(malloc.free(0, ptr), `free(0x${ptr.toString(16)})`).toBe(Errno.EINVAL);
    }
    expect(malloc.free(1, small)).toBe(Ok);
    expect(malloc.free(1, small)).toBe(Errno.EINVAL); // queued for core 0 already
    expect(malloc.free(0, large)).toBe(Ok);
    expect(malloc.free(0, large)).toBe(Errno.EINVAL);
    expect(malloc.stats().poolPages).toBe(stats.poolPages);
  });
});

describe('OSv pool behaviour', () => {
  it('queues cross-CPU frees and the owner collects them at its next malloc after a signal', () => {
    const { malloc, machine } = booted('osv', 3);
    const ptrs = Array.from({ length: SIGNAL_THRESHOLD + 40 }, () => malloc.malloc(0, 64));
    const pages = malloc.stats().poolPages;
    for (const ptr of ptrs) expect(malloc.free(1, ptr)).toBe(Ok);
    let stats = malloc.stats();
    expect(stats).toMatchObject({ remoteFrees: ptrs.length, queuedObjects: ptrs.length });
    expect(stats.signals).toBe(1); // after more than 256 pushes into sink [0][1]
    expect(stats.collections).toBe(0);
    expect(malloc.usableSize(ptrs[0])).toBe(Errno.EINVAL);
    // Another core's malloc does not collect; the owner's does.
    malloc.malloc(2, 64);
    expect(malloc.stats().queuedObjects).toBe(ptrs.length);
    const again = malloc.malloc(0, 64);
    stats = malloc.stats();
    expect(stats).toMatchObject({ queuedObjects: 0, collections: 1 });
    expect(ptrs).toContain(again); // the objects are back on core 0's pages
    expect(stats.poolPages).toBeLessThanOrEqual(pages + 1);
    expect(machine.counters.totalOf('mallocRemoteFrees')).toBe(ptrs.length);
    expect(machine.counters.totalOf('mallocCollections')).toBe(1);
  });

  it('frees a lone page when its last object is freed (have_full_pages sees it at the back)', () => {
    const { malloc } = booted('osv');
    for (let i = 0; i < 5; i++) expect(malloc.free(0, malloc.malloc(0, 32))).toBe(Ok);
    expect(malloc.stats()).toMatchObject({ poolPagesAdded: 5, poolPagesFreed: 5, poolPages: 0 });
  });

  it('keeps emptied pages that are not at the back of the list', () => {
    const { malloc } = booted('osv');
    // Two full pages of 1 KiB objects (3 per page) and one more object on a third page.
    const ptrs = Array.from({ length: 7 }, () => malloc.malloc(0, 1024));
    expect(malloc.stats().poolPages).toBe(3);
    for (const ptr of ptrs.slice(0, 6)) expect(malloc.free(0, ptr)).toBe(Ok);
    // The third page (one object handed out) stays at the back: the emptied pages stay listed.
    expect(malloc.stats()).toMatchObject({ poolPages: 3, poolPagesFreed: 0 });
    expect(malloc.free(0, ptrs[6])).toBe(Ok);
    expect(malloc.stats()).toMatchObject({ poolPages: 2, poolPagesFreed: 1 });
  });
});

describe('footprint (OSv memory::stats::free())', () => {
  const bytes = 256;
  const count = 1000;
  const pages = Math.ceil(count / Math.floor((PAGE_SIZE - 40) / bytes)); // 15 objects per page

  it('without page pools: exactly the pool pages, about 256 KB', () => {
    for (const name of ['osv-llfree', 'osv-superblock'] as const) {
      const { malloc, preset } = booted(name, 1);
      const before = preset.freePhysBytes();
      for (let i = 0; i < count; i++) expect(malloc.malloc(0, bytes)).toBeGreaterThan(0);
      const used = before - preset.freePhysBytes();
      expect(used, name).toBe(pages * PAGE_SIZE);
      expect(used / (count * bytes)).toBeGreaterThan(1);
      expect(used / (count * bytes)).toBeLessThan(1.1);
    }
  });

  it('with page pools: the pool pages plus every page the pools took from the page ranges', () => {
    for (const prefillPools of [false, true]) {
      // One linear map: boot's table pages come from the pools in this model (OSv takes them
      // from the page ranges before the pools exist), and three maps' worth would leave the L1
      // partly filled even without the prefill.
      const { malloc, preset, memory } = booted('osv', 1, {
        prefillPools,
        memory: { linearMaps: 1 },
      });
      const freeFrames = () => memory.kernel.statFreePhysMem() / PAGE_SIZE;
      const pools = preset.pools!;
      const before = preset.freePhysBytes();
      const free = freeFrames();
      const pooled = pools.pooledFrames();
      const ranges = preset.ranges!.freeFrames();
      for (let i = 0; i < count; i++) malloc.malloc(0, bytes);
      const used = before - preset.freePhysBytes();
      expect(free - freeFrames(), 'pages handed out').toBe(pages);
      expect(used).toBe((pages + pools.pooledFrames() - pooled) * PAGE_SIZE);
      // OSv's free memory is what the page ranges hold: pooled pages are used.
      expect(used).toBe((ranges - preset.ranges!.freeFrames()) * PAGE_SIZE);
      // Fresh pools refill from the page ranges, and those pages count as used; after boot's
      // prefill the L1 still holds enough, so nothing more leaves the page ranges.
      if (prefillPools) expect(used).toBe(0);
      else expect(used).toBeGreaterThan(pages * PAGE_SIZE);
    }
  });
});
