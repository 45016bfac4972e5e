// The presets: the MemorySystem contract for the vma_list assemblies (the superblock ones run it
// in @unimem/kernel-api), faults of many cores in one VMA serialising on vma_list_mutex's
// reader mutex but not on a per-core superblock bucket, find_hole making mmap O(#VMAs), and the
// preset API (names, counters, bad input).

import { MapFlags, MiB, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { memorySystemSuite } from '@unimem/core/testing';
import { Machine, type SimRwLock } from '@unimem/hw';
import { OsvVmAllocator } from '@unimem/osv';
import { describe, expect, it } from 'vitest';
import { buildOsvPreset, OSV_PRESETS, type OsvPresetName } from '../src/index.js';

const RW = Prot.READ | Prot.WRITE;
const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;

memorySystemSuite(
  'osv preset (page ranges + pools, vma_list)',
  ({ cores, memoryBytes }) => buildOsvPreset('osv', new Machine({ cores }), { memoryBytes }).memory,
);
memorySystemSuite(
  'osv-llfree preset (LLFree, vma_list, atomics rwlock)',
  ({ cores, memoryBytes }) =>
    buildOsvPreset('osv-llfree', new Machine({ cores }), { memoryBytes, rwlock: 'atomics' }).memory,
  { numRuns: 20 },
);

/** Read-lock wait per fault when `cores` cores fault 4 KiB pages of one VMA. */
function faultWait(name: OsvPresetName, cores: number): number {
  const machine = new Machine({ cores });
  const preset = buildOsvPreset(name, machine, {
    memoryBytes: 64 * MiB,
    memory: { hugePages: false },
  });
  preset.memory.boot();
  const pages = 64;
  const base = preset.memory.mmap(0, cores * pages * PAGE_SIZE, RW, ANON);
  const lock = preset.memory.kernel.vmaLock(base) as SimRwLock;
  const before = lock.readStats.waitCycles;
  machine.run((core) =>
    (function* () {
      for (let i = 0; i < pages; i++) {
        expect(preset.memory.touch(core, base + (core * pages + i) * PAGE_SIZE, true)).toBe(Ok);
        yield;
      }
    })(),
  );
  return (lock.readStats.waitCycles - before) / (cores * pages);
}

describe('page faults of many cores in one VMA', () => {
  it("serialise on vma_list_mutex's reader mutex in osv, not on a superblock bucket", () => {
    // From 4 cores the readers fall into a convoy on the internal mutex at once; with 2 it
    // depends on when their sections first collide.
    const counts = [1, 4, 8];
    const osv = counts.map((cores) => faultWait('osv', cores));
    const superblock = counts.map((cores) => faultWait('osv-superblock', cores));
    expect(osv[0]).toBe(0);
    for (let i = 1; i < counts.length; i++) {
      expect(osv[i], `osv at ${counts[i]} cores`).toBeGreaterThan(osv[i - 1]);
      expect(superblock[i], `osv-superblock at ${counts[i]} cores`).toBeLessThan(osv[i] / 50);
    }
    // Roughly linear: every reader queues behind the others on the internal mutex.
    expect(osv[2]).toBeGreaterThan(1.5 * osv[1]);
  });
});

describe('mmap through find_hole', () => {
  it('costs more with more VMAs below the hole in osv, and does not in osv-superblock', () => {
    const mmapCost = (name: OsvPresetName, vmas: number) => {
      const machine = new Machine({ cores: 1 });
      const preset = buildOsvPreset(name, machine, { memoryBytes: 64 * MiB });
      preset.memory.boot();
      for (let i = 0; i < vmas; i++) preset.memory.mmap(0, PAGE_SIZE, RW, ANON);
      // The median of five: a VMA-tree node split now and then costs fresh lines.
      const costs = Array.from({ length: 5 }, () => {
        const before = machine.now(0);
        expect(preset.memory.mmap(0, PAGE_SIZE, RW, ANON)).toBeGreaterThan(0);
        return machine.now(0) - before;
      });
      return costs.sort((a, b) => a - b)[2];
    };
    const osv = [10, 300, 3000].map((n) => mmapCost('osv', n));
    const superblock = [10, 300, 3000].map((n) => mmapCost('osv-superblock', n));
    expect(osv[1]).toBeGreaterThan(2 * osv[0]);
    expect(osv[2]).toBeGreaterThan(5 * osv[1]);
    expect(superblock[2]).toBeLessThan(2 * superblock[0]);
  });

  it('walks every VMA from the hint: lastVisits counts them', () => {
    const preset = buildOsvPreset('osv-llfree', new Machine({ cores: 1 }), {
      memoryBytes: 64 * MiB,
    });
    preset.memory.boot();
    const vm = preset.vm;
    if (!(vm instanceof OsvVmAllocator)) throw new Error(`osv-llfree's VM allocator is ${vm}`);
    for (let i = 0; i < 50; i++) preset.memory.mmap(0, PAGE_SIZE, RW, ANON);
    // 50 VMAs and the entries of the three linear maps (main, page, mempool; the walk's end).
    expect(vm.ranges.lastVisits).toBe(50);
    expect(vm.ranges.count).toBe(53);
  });
});

describe('preset API', () => {
  it('builds every preset, boots it, and mallocs through it', () => {
    for (const name of OSV_PRESETS) {
      const machine = new Machine({ cores: 2 });
      const preset = buildOsvPreset(name, machine, { memoryBytes: 128 * MiB });
      expect(preset.name).toBe(name);
      expect(preset.memory.name).toBe(name);
      preset.memory.boot();
      const malloc = preset.malloc();
      expect(preset.malloc()).toBe(malloc);
      // The methods are bound: assemblers copy them onto other objects.
      const { freePhysBytes } = preset;
      const free = freePhysBytes();
      const ptr = malloc.malloc(1, 100_000);
      expect(ptr, name).toBeGreaterThan(0);
      expect(preset.memory.touch(1, ptr, true)).toBe(Ok);
      expect(malloc.free(0, ptr)).toBe(Ok);
      expect(preset.freePhysBytes()).toBeLessThanOrEqual(free);
      const counters = preset.counters();
      for (const value of Object.values(counters)) expect(Number.isFinite(value)).toBe(true);
      if (name === 'osv' || name === 'osv+jemalloc') {
        expect(counters['pools.l1Gets']).toBeGreaterThanOrEqual(0);
        expect(preset.pools!.pooledFrames()).toBeGreaterThan(0); // prefilled at boot
      } else {
        expect(preset.pools).toBeNull();
      }
      expect(
        Object.keys(counters).some((key) =>
          key.startsWith(name.includes('jemalloc') ? 'jemalloc.' : 'malloc.'),
        ),
      ).toBe(true);
    }
  });

  it('uses OSv rwlock_t with the reader mutex for vma_list and the atomics one for superblocks', () => {
    const lockOf = (name: OsvPresetName, rwlock?: 'mutex' | 'atomics') => {
      const preset = buildOsvPreset(name, new Machine({ cores: 2 }), {
        memoryBytes: 64 * MiB,
        rwlock,
      });
      preset.memory.boot();
      return preset.memory.kernel.vmaLock(0x2000_0000_0000) as SimRwLock;
    };
    expect(lockOf('osv').readerMutex).toBe(true);
    expect(lockOf('osv-llfree').readerMutex).toBe(true);
    expect(lockOf('osv', 'atomics').readerMutex).toBe(false);
    expect(lockOf('osv-superblock').readerMutex).toBe(false);
    expect(lockOf('osv-superblock', 'mutex').readerMutex).toBe(true);
  });

  it('refuses unknown names and bad options', () => {
    const machine = new Machine({ cores: 2 });
    expect(() => buildOsvPreset('linux' as OsvPresetName, machine)).toThrow(/preset "linux"/);
    expect(() =>
      buildOsvPreset('osv', machine, { rwlock: 'spin' as 'mutex' }).memory.boot(),
    ).toThrow(/rwlock "spin"/);
    expect(() => buildOsvPreset('osv', machine).malloc()).toThrow(/not booted/);
    expect(() => new OsvVmAllocator({ cores: 0 })).toThrow(/cores 0/);
    expect(() => new OsvVmAllocator({ cores: 1, hint: 3 })).toThrow(/hint 3/);
  });
});
