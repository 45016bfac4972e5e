// Storage that grows as a machine does (the speed work keeps it small until it is used): line
// records in chunks, a lock timeline's intervals. Growth must never change what the model
// computes: a line past a chunk boundary behaves as any fresh line, and a timeline forgets only
// when its capacity is reached, as if its storage had been full-size from the start.
import { describe, expect, it } from 'vitest';
import { BusyTimeline, epyc9654pGuest, Machine } from '../src/index.js';
import { LINE_CHUNK } from '../src/line-timelines.js';

const C = {
  hit: epyc9654pGuest.costs.l1Hit.value,
  dram: epyc9654pGuest.costs.dram.value,
  sameCcd: epyc9654pGuest.costs.lineSameCcd.value,
};

describe('CacheLines storage in chunks', () => {
  it('gives lines on both sides of a chunk boundary the state of a fresh line', () => {
    const machine = new Machine({ profile: epyc9654pGuest, cores: 4 });
    const { lines } = machine;
    const first = lines.allocLines(LINE_CHUNK - 1, 'below the boundary');
    const next = lines.allocLines(3, 'across it');
    expect(next).toBe(first + LINE_CHUNK - 1);
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
  it("keeps every line's state when the first chunk grows (it starts small and doubles)", () => {
    const machine = new Machine({ profile: epyc9654pGuest, cores: 4 });
    const { lines } = machine;
    const line = lines.allocLines(10, 'small') + 3;
    machine.current = 0;
    lines.write(line); // owner 0, busy [0, dram)
    lines.allocLines(3 * LINE_CHUNK, 'growth'); // the first chunk doubles to full size, then more
    expect(lines.ownerOf(line)).toBe(0);
    const before = machine.now(0);
    lines.read(line); // core 0's copy is still current: the version survived the copy
    expect(machine.now(0) - before).toBe(C.hit);
    machine.current = 1;
    lines.write(line); // core 1 at 0 waits for the window copied with the record
    expect(machine.now(1)).toBe(C.dram + C.sameCcd);
    expect(lines.ownerOf(line)).toBe(1);
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
