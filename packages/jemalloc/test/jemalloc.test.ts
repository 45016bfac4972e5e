// Behaviour of the model beyond the Malloc contract: arena choice, cross-core frees, slab and
// region order, large placement (cache-oblivious), retained growth, stats identities, the thread
// cache, and bad options.

import { type Lock, PAGE_SIZE } from '@unimem/core';
import { TestMemory } from '@unimem/core/testing';
import { describe, expect, it } from 'vitest';
import { Jemalloc, type JemallocOptions, type JemallocStats } from '../src/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;

function make(options: Partial<JemallocOptions> = {}, cores = 4) {
  const memory = new TestMemory({ cores });
  return { memory, je: new Jemalloc({ memory, ...options }) };
}

/** Every mapped byte is an extent (in some state) or a base block; mapped as jemalloc counts. */
function checkIdentities(stats: JemallocStats): void {
  expect(stats.mmapBytes).toBe(
    stats.active + stats.dirty + stats.muzzy + stats.retained + stats.metadataMapped,
  );
  expect(stats.mapped).toBe(stats.active + stats.dirty + stats.muzzy + stats.metadataMapped);
  expect(stats.allocated).toBeLessThanOrEqual(stats.active);
  expect(stats.metadata).toBeLessThanOrEqual(stats.metadataMapped);
  expect(stats.metadataResident).toBeLessThanOrEqual(stats.metadataMapped);
}

describe('arenas', () => {
  it('gives each core its own arena with percpu_arena, and shares them round robin otherwise', () => {
    const percpu = make().je;
    expect(percpu.narenas).toBe(4);
    expect([0, 1, 2, 3].map((c) => percpu.arenaIndexOf(c))).toEqual([0, 1, 2, 3]);
    const two = make({ percpuArena: false, narenas: 2 }).je;
    expect([0, 1, 2, 3].map((c) => two.arenaIndexOf(c))).toEqual([0, 1, 0, 1]);
    expect(make({ percpuArena: false }).je.narenas).toBe(16);
    // Two cores sharing an arena share its slabs: consecutive regions.
    const a = two.malloc(0, 64);
    const b = two.malloc(2, 64);
    expect(b - a).toBe(64);
    const c = percpu.malloc(0, 64);
    const d = percpu.malloc(2, 64);
    expect(Math.abs(d - c)).toBeGreaterThanOrEqual(PAGE_SIZE);
  });

  it('returns a cross-core free to the owning arena, which hands the region out again', () => {
    const { je } = make();
    const ptrs = [0, 1, 2].map(() => je.malloc(0, 64));
    expect(je.free(3, ptrs[1])).toBe(0);
    expect(je.stats().allocated).toBe(2 * 64);
    expect(je.malloc(3, 64)).not.toBe(ptrs[1]);
    expect(je.malloc(0, 64)).toBe(ptrs[1]);
  });

  it('hands out the lowest free region and the oldest/lowest slab first', () => {
    const { je } = make();
    const ptrs = Array.from({ length: 130 }, () => je.malloc(0, 32));
    for (let i = 1; i < 128; i++) expect(ptrs[i] - ptrs[i - 1]).toBe(32);
    expect(je.free(0, ptrs[5])).toBe(0);
    expect(je.free(0, ptrs[2])).toBe(0);
    expect(je.free(0, ptrs[129])).toBe(0);
    expect(je.malloc(0, 32)).toBe(ptrs[2]);
    expect(je.malloc(0, 32)).toBe(ptrs[5]);
    expect(je.malloc(0, 32)).toBe(ptrs[129]);
  });

  it('returns an emptied slab to the dirty extents and reuses it', () => {
    const { je } = make();
    const ptrs = Array.from({ length: 4 }, () => je.malloc(0, 4096));
    expect(je.stats().active).toBe(4 * PAGE_SIZE);
    for (const ptr of ptrs) expect(je.free(0, ptr)).toBe(0);
    const stats = je.stats();
    expect(stats.active).toBe(0);
    expect(stats.dirty).toBe(4 * PAGE_SIZE);
    expect(je.malloc(0, 4096)).toBe(ptrs[0]);
    checkIdentities(je.stats());
  });
});

describe('large allocations', () => {
  it('places them at a random cache-line offset in a padding page (cache-oblivious)', () => {
    const { je } = make();
    const offsets = new Set<number>();
    for (let i = 0; i < 32; i++) {
      const ptr = je.malloc(0, 16 * KiB);
      expect(ptr % 64).toBe(0);
      expect(je.usableSize(ptr)).toBe(16 * KiB);
      offsets.add(ptr % PAGE_SIZE);
    }
    expect(offsets.size).toBeGreaterThan(8);
    expect(je.stats().active).toBe(32 * (16 * KiB + PAGE_SIZE));
  });

  it('page-aligns them with exact class sizes without cache-oblivious placement', () => {
    const { je } = make({ cacheOblivious: false });
    for (const size of [16 * KiB, 20_000, MiB, 9 * MiB]) {
      const ptr = je.malloc(1, size);
      expect(ptr % PAGE_SIZE).toBe(0);
      expect(je.usableSize(ptr)).toBeGreaterThanOrEqual(size);
    }
    expect(je.stats().active).toBe(16 * KiB + 20 * KiB + MiB + 10 * MiB);
  });

  it('grows retained memory by page-size classes from 2 MiB, never unmapping', () => {
    const { memory, je } = make();
    const ptrs = Array.from({ length: 64 }, () => je.malloc(0, 256 * KiB));
    const stats = je.stats();
    // Base 0 and arena 0's base (2 MiB each), the first extent mapping (2 MiB), base 0's block
    // for the first rtree leaf (4 MiB), then extent growth 2.5, 3, 3.5, 4, 5 MiB.
    expect(memory.mmapLengths.map((n) => n / MiB)).toEqual([2, 2, 2, 4, 2.5, 3, 3.5, 4, 5]);
    for (const ptr of ptrs) expect(je.free(0, ptr)).toBe(0);
    je.decay(0, true);
    expect(memory.calls.munmap).toBe(0);
    expect(je.stats().retained).toBeGreaterThan(stats.retained);
    checkIdentities(je.stats());
  });
});

describe('base blocks', () => {
  it('are 2 MiB-aligned, trimming an unaligned mapping with munmap (pages_map)', () => {
    const memory = new TestMemory({ hugeAlign: false, base: 0x10_0000_1000 });
    const je = new Jemalloc({ memory });
    je.malloc(0, 64);
    const stats = je.stats();
    expect(stats.munmaps).toBeGreaterThan(0);
    expect(memory.calls.munmap).toBe(stats.munmaps);
    expect(stats.metadataMapped).toBe(8 * MiB); // bases 0 and arena 0, the rtree leaf block
    const bases = memory.regions.filter(([s, e]) => e - s === 2 * MiB);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const [start] of bases) expect(start % (2 * MiB)).toBe(0);
    checkIdentities(stats);
  });
});

describe('stats', () => {
  it('keeps its identities through a mixed workload on every core', () => {
    const { je } = make({ dirtyDecayMs: 0 });
    const live: Array<[number, number]> = [];
    let allocated = 0;
    for (let i = 0; i < 3000; i++) {
      const core = i % 4;
      if (live.length > 0 && i % 3 === 0) {
        const [ptr] = live.splice((i * 7919) % live.length, 1)[0];
        allocated -= je.usableSize(ptr);
        expect(je.free((core + 1) % 4, ptr)).toBe(0);
      } else {
        const size = [8, 100, 3000, 4096, 20_000, 300_000, 9 * MiB][i % 7];
        const ptr = je.malloc(core, size);
        live.push([ptr, size]);
        allocated += je.usableSize(ptr);
      }
    }
    const stats = je.stats();
    expect(stats.allocated).toBe(allocated);
    expect(stats.dirty).toBe(0);
    expect(stats.metadata).toBeGreaterThan(0);
    checkIdentities(stats);
  });
});

describe('thread cache', () => {
  function counting() {
    const counts = new Map<string, number>();
    const mutex = (name: string): Lock => ({
      name,
      lock() {
        counts.set(name, (counts.get(name) ?? 0) + 1);
      },
      unlock() {},
    });
    return { counts, mutex };
  }

  it('is off by default: every small malloc takes the bin lock', () => {
    const { counts, mutex } = counting();
    const { je } = make({ mutex });
    je.malloc(0, 64); // keeps the slab: a fresh slab costs a second lock (unlock, map, relock)
    expect(counts.get('arena 0 bin 64')).toBe(2);
    for (let i = 0; i < 10; i++) je.free(0, je.malloc(0, 64));
    expect(counts.get('arena 0 bin 64')).toBe(22);
  });

  it('serves hits without the bin lock, fills half and flushes half', () => {
    const { counts, mutex } = counting();
    const { je } = make({ mutex, tcache: true });
    const first = je.malloc(0, 64); // fills 64 regions under one bin-lock hold (plus a relock)
    const fill = counts.get('arena 0 bin 64');
    expect(fill).toBe(2);
    for (let i = 0; i < 50; i++) je.free(0, je.malloc(0, 64));
    expect(counts.get('arena 0 bin 64')).toBe(fill);
    expect(je.free(0, first)).toBe(0);
    expect(je.free(0, first), 'a cached pointer freed again').toBe(-22);
    expect(je.usableSize(first)).toBe(-22);
    // 64 B: 64 regions per slab, so 128 cache slots; 200 frees flush at 128, 64 lines each.
    const ptrs = Array.from({ length: 200 }, () => je.malloc(0, 64));
    for (const ptr of ptrs) expect(je.free(0, ptr)).toBe(0);
    expect(counts.get('arena 0 bin 64')).toBeGreaterThan(3);
    je.flushTcache(0);
    expect(je.stats().allocated).toBe(0);
  });
});

describe('bad options', () => {
  const memory = new TestMemory();
  it.each([
    [{ narenas: 3 }, /narenas 3 conflicts/],
    [{ percpuArena: false, narenas: 0 }, /narenas 0/],
    [{ dirtyDecayMs: -2 }, /dirtyDecayMs -2/],
    [{ muzzyDecayMs: 1.5 }, /muzzyDecayMs 1.5/],
    [{ oversizeThreshold: 4096 }, /oversizeThreshold 4096/],
    [{ tcacheMax: 2 ** 30 }, /tcacheMax 1073741824/],
    [{ decayTicks: 0 }, /decayTicks 0/],
    [{ costs: { entry: -1 } }, /costs.entry -1/],
    [{ costs: { nope: 1 } as never }, /costs.nope/],
  ])('%o throws a RangeError naming the value', (options, message) => {
    expect(() => new Jemalloc({ memory, ...options })).toThrow(message);
  });
  it('rejects a missing memory system', () => {
    expect(() => new Jemalloc({} as never)).toThrow(RangeError);
  });
});
