// Storage that grows as a machine does (the speed work keeps it small until it is used): line
// records in chunks, a lock timeline's intervals. Growth must never change what the model
// computes: a line past a chunk boundary behaves as any fresh line, and a timeline forgets only
// when its capacity is reached, as if its storage had been full-size from the start.
import { describe, expect, it } from 'vitest';
import { BusyTimeline, epyc9654pGuest, Machine } from '../src/index.js';

const C = {
  hit: epyc9654pGuest.costs.l1Hit.value,
  dram: epyc9654pGuest.costs.dram.value,
  sameCcd: epyc9654pGuest.costs.lineSameCcd.value,
};

describe('CacheLines storage in chunks', () => {
  it('gives lines on both sides of a chunk boundary the state of a fresh line', () => {
    const machine = new Machine({ profile: epyc9654pGuest, cores: 4 });
    const { lines } = machine;
    const first = lines.allocLines(2 ** 14 - 1, 'below the boundary');
    const next = lines.allocLines(3, 'across it');
    expect(next).toBe(first + 2 ** 14 - 1);
    for (const line of [next, next + 1, next + 2]) {
      expect(lines.ownerOf(line)).toBe(-1);
      machine.current = 0;
      machine.advanceTo(Math.max(...machine.clocks), 0);
      let before = machine.now(0);
      lines.write(line);
      expect(machine.now(0) - before).toBe(C.dram);
      expect(lines.ownerOf(line)).toBe(0);
      machine.current = 1;
      machine.advanceTo(Math.max(...machine.clocks), 1);
      before = machine.now(1);
      lines.read(line);
      expect(machine.now(1) - before).toBe(C.sameCcd);
      before = machine.now(1);
      lines.read(line);
      expect(machine.now(1) - before).toBe(C.hit);
    }
    expect(lines.ownerOf(next + 3)).toBe(-1);
    machine.current = 0;
    expect(() => lines.read(next + 3)).toThrow(/never allocated/);
    expect(() => lines.write(next + 3)).toThrow(/never allocated/);
  });
});

describe('BusyTimeline storage', () => {
  it('keeps intervals up to its capacity and then forgets the oldest quarter, as before growth', () => {
    const timeline = new BusyTimeline(64);
    for (let i = 0; i < 64; i++) timeline.add(10 * i, 10 * i + 5);
    expect(timeline.size).toBe(64);
    expect(timeline.intervals()[0]).toEqual([0, 5]);
    timeline.add(640, 645);
    expect(timeline.size).toBe(49);
    expect(timeline.intervals()[0]).toEqual([160, 165]);
    // Forgotten time counts as busy: nothing is placed before the end of the forgotten ones.
    expect(timeline.freeFrom(0)).toBe(155);
    expect(timeline.fit(0, 3)).toBe(155);
  });
});
