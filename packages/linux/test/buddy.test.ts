// Linux behaviour of the model: pcp refill batches, drains at high, orders that bypass the pcp
// lists, coalescing, tuning formulas, and what the simulator charges.

import { GiB, MAX_ORDER, Ok } from '@unimem/core';
import { builtinProfile, defaultProfile, Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import {
  BuddyAllocator,
  type BuddyCosts,
  defaultBuddyCosts,
  linuxTuning,
  profileTuning,
  zoneBatchsize,
} from '../src/index.js';

describe('per-CPU lists', () => {
  it('refill max(batch >> order, 2) blocks under the zone lock; hits take no lock', () => {
    const alloc = new BuddyAllocator({ frames: 1 << 15, cores: 2 });
    const cases: Array<[number, number]> = [
      [0, 63],
      [1, 31],
      [2, 15],
      [3, 7],
      [9, 2],
    ];
    for (const [order, blocks] of cases) {
      const before = alloc.freeLists().pcp[0];
      const locks = alloc.stats().zoneLocks;
      alloc.get(0, order);
      expect(alloc.freeLists().pcp[0] - before, `order ${order}`).toBe((blocks - 1) * 2 ** order);
      expect(alloc.stats().zoneLocks - locks).toBe(1);
      alloc.get(0, order);
      expect(alloc.stats().zoneLocks - locks, `order ${order} hit`).toBe(1);
      expect(alloc.stats().pcpHits).toBeGreaterThan(0);
    }
  });

  it('orders 4..8 and 10 bypass the pcp lists and take the zone lock every time', () => {
    const alloc = new BuddyAllocator({ frames: 1 << 15, cores: 1 });
    for (const order of [4, 5, 6, 7, 8, 10]) {
      const locks = alloc.stats().zoneLocks;
      const frame = alloc.get(0, order);
      expect(alloc.put(0, frame, order)).toBe(Ok);
      expect(alloc.stats().zoneLocks - locks, `order ${order}`).toBe(2);
      expect(alloc.freeLists().pcp[0]).toBe(0);
    }
  });

  it('drain in batches at high pages, scaling the batch while frees continue', () => {
    const alloc = new BuddyAllocator({ frames: 1 << 15, cores: 2 });
    expect(alloc.pcpBatch).toBe(63);
    expect(alloc.pcpHigh).toBe(252); // 4 * batch: 128 MiB's low watermark (452) over 2 CPUs is less
    const held = Array.from({ length: 2000 }, () => alloc.get(0, 0));
    const drained: number[] = [];
    for (const frame of held) {
      const before = alloc.freeLists().pcp[0];
      expect(alloc.put(0, frame, 0)).toBe(Ok);
      const after = alloc.freeLists().pcp[0];
      expect(after).toBeLessThan(252);
      if (after < before) drained.push(before + 1 - after);
    }
    // nr_pcp_free(): batch << free_factor, clamped to [batch, high - batch].
    expect(drained.slice(0, 4)).toEqual([63, 126, 189, 189]);
  });

  it('hand the refill list out in address order and take frees back LIFO', () => {
    const alloc = new BuddyAllocator({ frames: 1 << 15, cores: 1 });
    const first = Array.from({ length: 10 }, () => alloc.get(0, 0));
    expect(first).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(alloc.put(0, 4, 0)).toBe(Ok);
    expect(alloc.get(0, 0)).toBe(4);
  });
});

describe('buddy lists', () => {
  it('coalesce completely once every block is freed and the pcp lists drained', () => {
    const alloc = new BuddyAllocator({ frames: 1 << 14, cores: 2 });
    const held: Array<[number, number]> = [];
    for (let i = 0; i < 600; i++) {
      const order = [0, 0, 1, 3, 5, 9][i % 6];
      const frame = alloc.get(i % 2, order);
      if (frame >= 0) held.push([frame, order]);
    }
    for (const [frame, order] of held.reverse()) expect(alloc.put(1, frame, order)).toBe(Ok);
    alloc.drain(0);
    alloc.drain(1);
    expect(alloc.freeLists().buddy).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 << 14]);
    expect(alloc.check()).toEqual([]);
  });

  it('metadata is one 64 B struct page per frame plus a per_cpu_pages per core', () => {
    expect(new BuddyAllocator({ frames: 4096, cores: 3 }).metadataBytes()).toBe(
      4096 * 64 + 3 * 256,
    );
  });

  it('manages 60 GiB (15.7 M frames) and allocates struct-page lines only where touched', () => {
    const machine = new Machine({ cores: 2 });
    const frames = (60 * GiB) / 4096;
    const alloc = new BuddyAllocator({ frames, cores: 2, machine });
    expect(alloc.totalFrames()).toBe(15_728_640);
    expect(machine.lines.allocated).toBeLessThan(1000);
    for (let i = 0; i < 1000; i++) alloc.get(i % 2, i % 3 === 0 ? 9 : 0);
    // 334 huge frames touch one 512-line chunk each; the order-0 frames share a few chunks.
    expect(alloc.structPageLines()).toBeGreaterThanOrEqual(334 * 512);
    expect(alloc.structPageLines()).toBeLessThan(400 * 512);
    expect(alloc.freeFrames()).toBe(frames - 334 * 512 - 666);
  });
});

describe('tuning (Linux 6.0 formulas)', () => {
  it('batch is 63 for every zone of at least 1 GiB', () => {
    expect(zoneBatchsize(262_144)).toBe(63);
    expect(zoneBatchsize(50_331_648)).toBe(63);
    expect(zoneBatchsize(32_768)).toBe(7);
  });

  it('high is the low watermark over the CPUs, at least 4 * batch', () => {
    const xeon = profileTuning(builtinProfile('xeon-gold-5320'));
    // 192 GiB: min_free_kbytes = sqrt(192 GiB in KiB * 16) = 56755; low = min + 0.1 % of the zone.
    expect(xeon.minFreeKbytes).toBe(56_755);
    expect(xeon.lowWmark).toBe(14_188 + 50_331);
    expect(xeon.high).toBe(Math.floor(64_519 / 26));
    expect(xeon.statThreshold).toBe(120);
    const epyc = profileTuning(defaultProfile);
    expect(epyc.high).toBe(252); // 60 GiB over 96 vCPUs: below 4 * batch
    expect(epyc.statThreshold).toBe(125);
    expect(linuxTuning(1 << 30, 8).minFreeKbytes).toBe(262_144); // clamped
  });
});

describe('in the simulator', () => {
  const xeon = builtinProfile('xeon-gold-5320');
  const zero: BuddyCosts = {
    allocCycles: 0,
    freeCycles: 0,
    blockMoveCycles: 0,
    buddyStepCycles: 0,
    tailCheckCycles: 0,
    tailFreeCycles: 0,
  };

  /** Cycles of `pairs` steady-state get+put pairs of `order` on core 0 (after a warm pair). */
  function pairCycles(order: number, costs: BuddyCosts, pairs = 100): number {
    const machine = new Machine({ profile: xeon, cores: 1 });
    const alloc = new BuddyAllocator({ frames: 1 << 14, cores: 1, machine, costs, pcpHigh: 2048 });
    alloc.put(0, alloc.get(0, order), order);
    const start = machine.now(0);
    for (let i = 0; i < pairs; i++) alloc.put(0, alloc.get(0, order), order);
    return (machine.now(0) - start) / pairs;
  }

  it('a pcp-hit pair costs the line accesses plus exactly the per-call costs', () => {
    const lines = pairCycles(0, zero);
    expect(lines).toBeGreaterThan(0);
    const { allocCycles, freeCycles, tailFreeCycles } = defaultBuddyCosts;
    expect(pairCycles(0, defaultBuddyCosts)).toBeCloseTo(lines + allocCycles + freeCycles, 9);
    // A huge frame adds the free-side sweep over its 511 tail struct pages (no check on a hit).
    expect(pairCycles(9, defaultBuddyCosts) - pairCycles(9, zero)).toBeCloseTo(
      allocCycles + freeCycles + 511 * tailFreeCycles,
      9,
    );
  });

  it('charges the calling core, and a refill more than a hit', () => {
    const machine = new Machine({ profile: xeon, cores: 2 });
    const alloc = new BuddyAllocator({ frames: 1 << 14, cores: 2, machine });
    alloc.get(1, 0); // refill on core 1
    const refill = machine.now(1);
    expect(machine.now(0)).toBe(0);
    alloc.get(1, 0);
    const hit = machine.now(1) - refill;
    expect(hit).toBeGreaterThan(0);
    expect(refill).toBeGreaterThan(10 * hit);
    expect(machine.current).toBe(0); // restored
  });

  it('the zone lock is contended only when several cores refill at once', () => {
    const run = (cores: number) => {
      const machine = new Machine({ profile: xeon, cores });
      const alloc = new BuddyAllocator({ frames: 1 << 16, cores, machine });
      machine.run((core) =>
        (function* () {
          for (let i = 0; i < 2000; i++) {
            alloc.get(core, 0);
            yield;
          }
        })(),
      );
      return alloc.zoneLock!.stats;
    };
    expect(run(1).contended).toBe(0);
    const four = run(4);
    expect(four.contended).toBeGreaterThan(0);
    expect(four.waitCycles).toBeGreaterThan(0);
  });

  it('native mode has no lock and charges nothing', () => {
    const alloc = new BuddyAllocator({ frames: 4096, cores: 1 });
    expect(alloc.zoneLock).toBeNull();
    expect(alloc.structPageLines()).toBe(0);
    expect(MAX_ORDER).toBe(alloc.maxOrder);
  });
});
