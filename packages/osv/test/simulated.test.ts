// Behaviour in the hardware model: what the pools are for shows up in the model's own counters.
// N cores allocating single pages through the pools take the global mutex about once per batch
// of 32 pages, while the page-range allocator alone takes it for every page and its waits grow
// with the number of cores. Runs are deterministic.
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { bulkExperiment, PagePools, PageRangeAllocator } from '../src/index.js';

const PAGES = 2048;

describe('bulk order-0 allocation in the model', () => {
  it('through the pools takes the global mutex about once per 32 pages', () => {
    for (const cores of [1, 4, 8]) {
      const result = bulkExperiment({ system: 'pools', cores, pagesPerCore: PAGES });
      for (const phase of [result.alloc, result.free]) {
        expect(phase.mutexAcquiresPerOp, `${cores} cores`).toBeGreaterThan(1 / 40);
        expect(phase.mutexAcquiresPerOp, `${cores} cores`).toBeLessThan(1 / 28);
        expect(phase.mutexBusy).toBeLessThanOrEqual(1);
      }
    }
  });

  it('through page-ranges alone serialises on the mutex: waits grow with cores', () => {
    const waits = [1, 2, 4, 8].map((cores) => {
      const result = bulkExperiment({ system: 'page-ranges', cores, pagesPerCore: PAGES });
      expect(result.alloc.mutexAcquiresPerOp).toBe(1);
      return result.alloc.mutexWaitPerOp;
    });
    expect(waits[0]).toBe(0);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThan(waits[i - 1]);
  });

  it('the pools beat page-ranges alone from 2 cores on, and are deterministic', () => {
    const alone = bulkExperiment({ system: 'page-ranges', cores: 4, pagesPerCore: PAGES });
    const pools = bulkExperiment({ system: 'pools', cores: 4, pagesPerCore: PAGES });
    expect(pools.alloc.cyclesPerOp).toBeLessThan(alone.alloc.cyclesPerOp / 4);
    expect(pools.alloc.mutexWaitPerOp).toBeLessThan(alone.alloc.mutexWaitPerOp / 4);
    const again = bulkExperiment({ system: 'pools', cores: 4, pagesPerCore: PAGES });
    expect(again.alloc).toEqual(pools.alloc);
    expect(again.free).toEqual(pools.free);
  });
});

describe('charging', () => {
  it('charges the calling core for the lines a page-range operation touches', () => {
    const machine = new Machine({ cores: 2 });
    const alloc = new PageRangeAllocator({ frames: 1 << 12, cores: 2, machine });
    const before = machine.counters.perCore(1).lineAccesses ?? 0;
    const frame = alloc.get(1, 0);
    expect(frame).toBe(0);
    const after = machine.counters.perCore(1);
    // Mutex line twice, list/huge heads, not_empty, bitmap header and words, range headers,
    // the back-pointer of the new tail range.
    expect(after.lineAccesses - before).toBeGreaterThanOrEqual(8);
    expect(machine.now(1)).toBeGreaterThan(machine.costs.dram); // a fresh header line: DRAM
    expect(machine.now(0)).toBe(0);
    expect(alloc.mutex.stats.acquisitions).toBe(1);
  });

  it('a pool hit touches no line another core wrote, except the shared stats line', () => {
    const machine = new Machine({ cores: 4 });
    const alloc = new PageRangeAllocator({ frames: 1 << 14, cores: 4, machine });
    const pools = new PagePools({ allocator: alloc, machine });
    pools.prefill();
    const transfers = machine.counters.totalOf('lineTransfers');
    const acquisitions = alloc.mutex.stats.acquisitions;
    // Cores 0 and 2 (different pool_stats lines) take 50 pages each from their own L1.
    machine.run(
      (core) =>
        (function* () {
          for (let i = 0; i < 50; i++) {
            pools.get(core, 0);
            yield;
          }
        })(),
      { cores: [0, 2] },
    );
    expect(alloc.mutex.stats.acquisitions).toBe(acquisitions);
    expect(machine.counters.totalOf('lineTransfers') - transfers).toBeLessThanOrEqual(4);
  });

  it('charges nothing for the boot-time range, and initial_add only when asked', () => {
    const machine = new Machine({ cores: 1 });
    const alloc = new PageRangeAllocator({ frames: 1 << 20, cores: 1, machine });
    expect(machine.now(0)).toBe(0);
    alloc.chargeInitialAdd(0);
    // A 4 GiB bitmap is 128 KiB: 2048 lines written.
    expect(machine.now(0)).toBeGreaterThanOrEqual(2048 * machine.costs.l1Hit);
  });
});
