import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epyc9654pGuest, lineRegionCounterNames, Machine } from '../src/index.js';

type Access = { core: number; line: number; kind: 'read' | 'write' | 'rmw'; work: number };

/** Runs `accesses` on a fresh 16-core machine with lines in three regions, two sharing a label. */
function run(accesses: Access[], byRegion: boolean) {
  const machine = new Machine({ profile: epyc9654pGuest, cores: 16 });
  const { lines } = machine;
  lines.allocLines(3, 'a');
  lines.allocLines(2, 'b');
  lines.allocLines(4, 'a');
  lines.countByRegion(byRegion);
  for (const { core, line, kind, work } of accesses) {
    // Uneven work before each access, so that exclusive accesses queue and reads wait.
    machine.core(core).charge(work);
    if (kind === 'read') lines.readBy(core, line);
    else if (kind === 'write') lines.writeBy(core, line);
    else lines.rmwBy(core, line);
  }
  return machine;
}

const accesses = fc.array(
  fc.record({
    core: fc.integer({ min: 0, max: 15 }),
    line: fc.integer({ min: 0, max: 8 }),
    kind: fc.constantFrom<Access['kind']>('read', 'write', 'rmw'),
    work: fc.integer({ min: 0, max: 400 }),
  }),
  { maxLength: 200 },
);

describe('CacheLines.countByRegion', () => {
  it('counts each miss, transfer and wait under exactly one label, and changes no cost', () => {
    fc.assert(
      fc.property(accesses, (list) => {
        const counted = run(list, true);
        const plain = run(list, false);
        expect(Array.from(counted.clocks)).toEqual(Array.from(plain.clocks));
        const { counters } = counted;
        for (const [total, part] of [
          ['lineMisses', 'misses'],
          ['lineTransfers', 'transfers'],
          ['lineWaitCycles', 'waitCycles'],
        ] as const) {
          const sum =
            counters.totalOf(lineRegionCounterNames('a')[part]) +
            counters.totalOf(lineRegionCounterNames('b')[part]);
          expect(sum).toBe(counters.totalOf(total));
          expect(plain.counters.totalOf(total)).toBe(counters.totalOf(total));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('names the region a transfer and its wait land on', () => {
    const machine = run(
      [
        { core: 0, line: 3, kind: 'write', work: 0 }, // region b: a miss, no transfer
        { core: 8, line: 3, kind: 'rmw', work: 0 }, // b: a transfer from another CCD
        { core: 1, line: 0, kind: 'read', work: 0 }, // a: a miss
      ],
      true,
    );
    const { counters } = machine;
    const a = lineRegionCounterNames('a');
    const b = lineRegionCounterNames('b');
    expect(counters.totalOf(b.misses)).toBe(2);
    expect(counters.totalOf(b.transfers)).toBe(1);
    expect(counters.totalOf(a.misses)).toBe(1);
    expect(counters.totalOf(a.transfers)).toBe(0);
    // Core 8 started at 0 while core 0's write held the line: it waited for it, on b.
    expect(counters.totalOf(b.waitCycles)).toBeGreaterThan(0);
    expect(counters.totalOf(b.waitCycles)).toBe(counters.totalOf('lineWaitCycles'));
  });

  it('counts nothing by region while off', () => {
    const machine = run([{ core: 0, line: 3, kind: 'write', work: 0 }], false);
    expect(machine.counters.totalOf(lineRegionCounterNames('b').misses)).toBe(0);
    expect(machine.counters.totalOf('lineMisses')).toBe(1);
  });
});
