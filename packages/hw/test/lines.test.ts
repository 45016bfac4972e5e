import { describe, expect, it } from 'vitest';
import { epyc9654pGuest, Machine } from '../src/index.js';

// Costs of the epyc profile in cycles (cores 0-7 are CCD 0, 8-15 CCD 1).
const C = {
  hit: epyc9654pGuest.costs.l1Hit.value,
  l3: epyc9654pGuest.costs.l3Hit.value,
  dram: epyc9654pGuest.costs.dram.value,
  sameCcd: epyc9654pGuest.costs.lineSameCcd.value,
  crossCcd: epyc9654pGuest.costs.lineCrossCcd.value,
  rmw: epyc9654pGuest.costs.atomicRmw.value,
};

function setup() {
  const machine = new Machine({ profile: epyc9654pGuest, cores: 16 });
  const { lines } = machine;
  /**
   * Cycles `core` pays for one access made after every access so far (its clock is first moved
   * to the latest clock, so nothing is in flight unless a test sets clocks itself).
   */
  const cost = (core: number, access: (line: number) => void, line: number, inOrder = true) => {
    if (inOrder) machine.advanceTo(Math.max(...machine.clocks), core);
    const before = machine.now(core);
    // The LineTracer interface charges the bound core: bind `core` for the access.
    const handle = machine.core(core);
    const outer = handle.bind();
    try {
      access.call(lines, line);
    } finally {
      handle.unbind(outer);
    }
    return machine.now(core) - before;
  };
  return { machine, lines, cost };
}

describe('CacheLines', () => {
  it('charges dram for a fresh line, then a hit for the same core', () => {
    const { lines, cost } = setup();
    const line = lines.allocLines(1);
    expect(cost(0, lines.read, line)).toBe(C.dram);
    expect(cost(0, lines.read, line)).toBe(C.hit);
    expect(cost(0, lines.write, line)).toBe(C.hit);
    expect(cost(0, lines.rmw, line)).toBe(C.hit + C.rmw);
  });

  it('charges a transfer by topology distance: same CCD vs another CCD', () => {
    const { lines, cost } = setup();
    const line = lines.allocLines(1);
    cost(0, lines.write, line);
    expect(cost(7, lines.read, line)).toBe(C.sameCcd);
    const other = lines.allocLines(1);
    cost(0, lines.write, other);
    expect(cost(8, lines.read, other)).toBe(C.crossCcd);
    expect(cost(8, lines.read, other)).toBe(C.hit);
  });

  it('lets a write invalidate readers: their next read pays a transfer', () => {
    const { machine, lines, cost } = setup();
    const line = lines.allocLines(1);
    cost(0, lines.write, line);
    expect(cost(1, lines.read, line)).toBe(C.sameCcd);
    expect(cost(1, lines.read, line)).toBe(C.hit);
    // The writer must take the line back from the reader, then the reader's copy is stale.
    expect(cost(0, lines.write, line)).toBe(C.sameCcd);
    expect(cost(1, lines.read, line)).toBe(C.sameCcd);
    expect(machine.counters.totalOf('lineTransfers')).toBe(3);
  });

  it('charges l3 when a core lost its own line to a capacity conflict', () => {
    const { machine, lines, cost } = setup();
    const slots = machine.profile.privateCacheLines.value;
    const first = lines.allocLines(slots + 1);
    cost(0, lines.read, first);
    // Same slot of the direct-mapped private cache: evicts `first`.
    expect(cost(0, lines.read, first + slots)).toBe(C.dram);
    expect(cost(0, lines.read, first)).toBe(C.l3);
    expect(cost(0, lines.read, first)).toBe(C.hit);
  });

  it('charges dram when a line fell out of the finite L3 as well', () => {
    const { machine, lines, cost } = setup();
    const l3Lines = machine.profile.l3BytesPerCcd.value / 64;
    const first = lines.allocLines(l3Lines + 1);
    cost(0, lines.read, first);
    // Touch more than the CCD's L3 holds: `first` is evicted from both caches.
    for (let line = first + 1; line <= first + l3Lines; line++) cost(0, lines.read, line);
    expect(cost(0, lines.read, first)).toBe(C.dram);
    expect(machine.counters.totalOf('l3Misses')).toBeGreaterThan(l3Lines);
  });

  it('serialises exclusive accesses behind the one in flight', () => {
    const { machine, lines, cost } = setup();
    const line = lines.allocLines(1);
    cost(0, lines.rmw, line);
    // Core 1 at clock 0 waits for core 0's RMW (dram + rmw), then pays its transfer (an RMW that
    // takes the line costs the transfer alone: the figure is a CAS bounce, lines.ts).
    expect(cost(1, lines.rmw, line, false)).toBe(C.dram + C.rmw + C.sameCcd);
    expect(machine.counters.totalOf('lineWaitCycles')).toBe(C.dram + C.rmw);
  });

  it('does not queue placed accesses behind busy-until', () => {
    const { machine, lines, cost } = setup();
    const line = lines.allocLines(1);
    cost(0, lines.rmw, line);
    expect(cost(1, lines.rmwPlaced, line, false)).toBe(C.sameCcd);
    machine.clocks[2] = 10_000;
    expect(cost(2, lines.writePlaced, line, false)).toBe(C.sameCcd);
    expect(machine.counters.totalOf('lineWaitCycles')).toBe(0);
    // Placed accesses leave busy-until alone: core 3 at 500 is not queued behind core 2's store
    // at 10,000, only behind core 0's RMW, which ended at dram + rmw < 500.
    machine.clocks[3] = 500;
    expect(cost(3, lines.rmw, line, false)).toBe(C.sameCcd);
  });

  it('throws on a line that was never allocated', () => {
    const { lines, cost } = setup();
    const line = lines.allocLines(2);
    expect(() => cost(0, lines.read, line + 2)).toThrow(/line 2 was never allocated/);
    expect(() => cost(0, lines.rmw, -1)).toThrow(RangeError);
    expect(() => lines.allocLines(-1)).toThrow(/allocLines count -1/);
  });
});
