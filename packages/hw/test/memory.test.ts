// Shared memory resources: the socket's DRAM bandwidth (dram.ts) bounds the aggregate rate of
// zeroing and misses whatever the core count, a core alone keeps its calibrated cost, and the
// L3 of a CCD is finite (l3.ts).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DramChannel,
  epyc9654pGuest,
  L3Caches,
  LINE_BYTES,
  Machine,
  xeonGold5320,
} from '../src/index.js';

const PAGE = 4096;

/** Every core of `cores` zeroes `pages` 4 KiB pages, one per step, with `work` cycles between. */
function zeroPages(machine: Machine, cores: number, pages: number, work = 0) {
  const { zeroPage } = machine.costs;
  const result = machine.run(
    (core) =>
      (function* () {
        for (let i = 0; i < pages; i++) {
          machine.memory.stream(core, PAGE, zeroPage);
          if (work > 0) machine.charge(work, core);
          yield;
        }
      })(),
    { cores },
  );
  const bytes = cores * pages * PAGE;
  return { ...result, bytesPerSecond: bytes / machine.seconds(result.cycles) };
}

const bandwidth = (machine: Machine) => machine.profile.dramBandwidthMBps.value * 1e6;

describe('DRAM bandwidth (machine.memory.stream)', () => {
  it('64 cores zeroing pages never exceed the socket bandwidth', () => {
    const machine = new Machine({ cores: 64 });
    const { bytesPerSecond } = zeroPages(machine, 64, 200);
    // The old per-core fixed cost gave 64 x 4096 B / 150 ns = 1.75 TB/s.
    expect(bytesPerSecond).toBeLessThanOrEqual(bandwidth(machine) * 1.0001);
    // ... and the channel is then the bottleneck: close to the bandwidth, not far below it.
    expect(bytesPerSecond).toBeGreaterThan(bandwidth(machine) * 0.9);
    const totals = machine.counters.totals();
    expect(totals.dramBytes).toBe(64 * 200 * PAGE);
    expect(totals.dramWaitCycles).toBeGreaterThan(0);
  });

  it('a core alone pays exactly the calibrated zeroPage, and few cores do not wait', () => {
    for (const profile of [epyc9654pGuest, xeonGold5320]) {
      const machine = new Machine({ profile, cores: 4 });
      const one = zeroPages(machine, 1, 100);
      expect(one.cycles).toBe(100 * machine.costs.zeroPage);
      expect(machine.counters.totals().dramWaitCycles).toBe(0);
    }
    // 4 cores x 27 GB/s is below 378 GB/s: no wait at all.
    const machine = new Machine({ cores: 4 });
    const four = zeroPages(machine, 4, 100);
    expect(four.cycles).toBe(100 * machine.costs.zeroPage);
  });

  it('throughput grows with cores until the channel saturates, then stays flat', () => {
    const rates: number[] = [];
    for (const cores of [1, 2, 4, 8, 16, 32, 64]) {
      rates.push(zeroPages(new Machine({ cores }), cores, 100).bytesPerSecond);
    }
    expect(rates[1]).toBeCloseTo(2 * rates[0], -6);
    expect(rates[3]).toBeCloseTo(8 * rates[0], -6);
    const limit = bandwidth(new Machine({ cores: 1 }));
    for (const rate of rates) expect(rate).toBeLessThanOrEqual(limit * 1.0001);
    expect(rates[6] / rates[5]).toBeLessThan(1.05);
  });

  it('a huge-page zeroing (2 MiB) is charged zeroHugePage alone and waits under load', () => {
    const machine = new Machine({ cores: 64 });
    const { zeroHugePage } = machine.costs;
    const spent: number[] = [];
    machine.run((core) =>
      (function* () {
        spent[core] = machine.memory.stream(core, 2 * 2 ** 20, zeroHugePage);
        yield;
      })(),
    );
    const makespan = Math.max(...spent);
    expect(Math.min(...spent)).toBeGreaterThanOrEqual(zeroHugePage);
    // 64 x 2 MiB through 157.5 B/cycle takes at least 64 x 2 MiB / 157.5 cycles.
    const bound = (64 * 2 * 2 ** 20) / machine.memory.dram.bytesPerCycle;
    expect(makespan).toBeGreaterThanOrEqual(bound * 0.999);
    // Transfers are served first come within a window, so the last ones finish alone at their
    // own rate: a tail above the bound shorter than one transfer alone.
    expect(makespan).toBeLessThan(bound + zeroHugePage);
  });
});

describe('DramChannel', () => {
  it('never places more bytes in a window than it carries, in any order of requests', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            start: fc.integer({ min: 0, max: 20_000 }),
            bytes: fc.integer({ min: 1, max: 100_000 }),
            ownCycles: fc.integer({ min: 0, max: 20_000 }),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        (requests) => {
          const channel = new DramChannel(16, { windowCycles: 256 });
          const placed = new Map<number, number>();
          for (const { start, bytes, ownCycles } of requests) {
            const end = channel.place(start, bytes, ownCycles);
            expect(end).toBeGreaterThanOrEqual(start + ownCycles);
            // Not faster than the channel alone allows.
            expect(end - start).toBeGreaterThanOrEqual(bytes / 16 - 2 * 256);
          }
          for (let window = 0; window < 600; window++) {
            const used = channel.usedAt(window * 256);
            placed.set(window, used);
            expect(used).toBeLessThanOrEqual(16 * 256 + 1e-6);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a transfer alone ends at start + ownCycles, across windows', () => {
    const channel = new DramChannel(100, { windowCycles: 1000 });
    expect(channel.place(500, 50_000, 3000)).toBe(3500);
    expect(channel.place(10_000, 1, 0)).toBe(10_000);
  });

  it('does not account windows past 2^52 cycles, where float spacing exceeds a window', () => {
    const channel = new DramChannel(1, { windowCycles: 1024 });
    const start = 2 ** 60;
    expect(channel.place(start, 10_000_000, 100)).toBe(start + 100);
    expect(channel.forgotten).toBe(1);
  });

  it('queues behind a full window', () => {
    const channel = new DramChannel(1, { windowCycles: 100 });
    expect(channel.place(0, 100, 10)).toBe(10); // fills window 0
    // Window 0 is full: the next transfer starts in window 1 and runs at its own rate.
    expect(channel.place(5, 50, 5)).toBe(105);
    expect(channel.usedAt(0)).toBe(100);
    expect(channel.usedAt(100)).toBe(50);
  });

  it('rejects a bad configuration naming the value', () => {
    expect(() => new DramChannel(0)).toThrow(/bandwidth 0/);
    expect(() => new DramChannel(1, { windowCycles: 1.5 })).toThrow(/windowCycles 1.5/);
    expect(() => new DramChannel(1, { slots: 0 })).toThrow(/slots 0/);
    const channel = new DramChannel(1);
    expect(() => channel.place(0, 64, Number.NaN)).toThrow(/in NaN cycles/);
    expect(() => channel.place(0, -1, 5)).toThrow(/-1 bytes/);
  });
});

describe('L3 per CCD', () => {
  it('a working set within the L3 hits after the first pass; a larger one misses to DRAM', () => {
    const machine = new Machine({ cores: 8 });
    const { l3 } = machine.memory;
    const fits = Math.floor(l3.linesPerCcd / 2);
    const tooBig = 2 * l3.linesPerCcd;
    const pass = (base: number, lines: number) => {
      let misses = 0;
      for (let i = 0; i < lines; i++) if (!l3.lookup(0, base + i)) misses++;
      return misses;
    };
    expect(pass(0, fits)).toBe(fits); // cold
    expect(pass(0, fits)).toBe(0); // warm: it fits
    const base = 10 * l3.linesPerCcd;
    expect(pass(base, tooBig)).toBe(tooBig);
    expect(pass(base, tooBig)).toBe(tooBig); // streaming twice the L3: every line misses again
    expect(l3.linesPerCcd * LINE_BYTES).toBe(32 * 2 ** 20);
  });

  it('each CCD has its own L3', () => {
    const machine = new Machine({ cores: 16 });
    const { l3 } = machine.memory;
    expect(l3.lookup(0, 42)).toBe(false);
    expect(l3.lookup(0, 42)).toBe(true);
    expect(l3.lookup(1, 42)).toBe(false);
    expect(l3.holds(1, 42)).toBe(true);
    expect(l3.holds(0, 43)).toBe(false);
  });

  it('missCycles: l3Hit for a line the CCD holds, DRAM latency (and bandwidth) otherwise', () => {
    const machine = new Machine({ cores: 16 });
    const { memory, costs, counters } = machine;
    expect(memory.missCycles(3, 7)).toBe(costs.dram);
    expect(memory.missCycles(5, 7)).toBe(costs.l3Hit); // same CCD as core 3
    expect(memory.missCycles(9, 7)).toBe(costs.dram); // another CCD
    expect(counters.totals().l3Misses).toBe(2);
    expect(counters.totals().l3Hits).toBe(1);
    expect(counters.totals().dramBytes).toBe(2 * LINE_BYTES);
  });

  it('a miss waits when zeroing on other cores holds the channel', () => {
    const machine = new Machine({ cores: 64 });
    const { memory, costs } = machine;
    // Cores 1..63 each zero 64 KiB at once at time 0: far more than a window carries.
    for (let core = 1; core < 64; core++) memory.stream(core, 65536, 0);
    expect(memory.missCycles(0, 123)).toBeGreaterThan(costs.dram);
  });

  it('is a set-associative array of the profile size, checked', () => {
    const l3 = new L3Caches(2, 64 * 1024, { ways: 4 });
    expect(l3.sets).toBe(256);
    // Five lines of one set in a 4-way cache: the first is evicted (FIFO).
    for (let i = 0; i < 5; i++) l3.lookup(0, i * 256);
    expect(l3.holds(0, 0)).toBe(false);
    expect(l3.holds(0, 4 * 256)).toBe(true);
    expect(() => new L3Caches(0, 1024)).toThrow(/ccds 0/);
    expect(() => new L3Caches(1, 64, { ways: 16 })).toThrow(/size 64/);
    expect(() => l3.lookup(2, 1)).toThrow(/ccd 2/);
  });
});
