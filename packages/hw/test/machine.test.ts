import { describe, expect, it } from 'vitest';
import { Machine, waitUntil } from '../src/index.js';

describe('Machine scheduler', () => {
  it('always resumes the core with the smallest clock', () => {
    const machine = new Machine({ cores: 3 });
    const order: number[] = [];
    machine.run((core) =>
      (function* () {
        for (let i = 0; i < 3; i++) {
          order.push(core);
          machine.charge(10 * (core + 1));
          yield;
        }
      })(),
    );
    // Core c charges 10(c+1) per step. Each step's clock must be the minimum over the cores that
    // still have steps; ties (all at 0, 0 and 1 at 20, 0 and 2 at 30, ...) go either way.
    const clock = [0, 0, 0];
    const steps = [0, 0, 0];
    for (const core of order) {
      for (let other = 0; other < 3; other++) {
        if (steps[other] < 3) expect(clock[core]).toBeLessThanOrEqual(clock[other]);
      }
      clock[core] += 10 * (core + 1);
      steps[core]++;
    }
    expect(steps).toEqual([3, 3, 3]);
    expect([...machine.clocks]).toEqual([30, 60, 90]);
  });

  it('breaks ties by a seeded draw: same seed same order, many orders reachable', () => {
    const orderOf = (seed: number) => {
      const machine = new Machine({ cores: 4, seed });
      const order: number[] = [];
      machine.run((core) =>
        (function* () {
          order.push(core);
          yield;
        })(),
      );
      return order.join('');
    };
    expect(orderOf(5)).toBe(orderOf(5));
    const seen = new Set(Array.from({ length: 40 }, (_, seed) => orderOf(seed)));
    expect(seen.size).toBeGreaterThan(10);
  });

  it('releases a barrier at the latest arrival', () => {
    const machine = new Machine({ cores: 4 });
    const barrier = machine.barrier(4);
    const after: number[] = [];
    machine.run((core) =>
      (function* () {
        machine.charge(100 * core);
        yield barrier;
        after.push(machine.now());
      })(),
    );
    expect(after).toEqual([300, 300, 300, 300]);
  });

  it('resumes a waiting core no earlier than the step that satisfied it', () => {
    const machine = new Machine({ cores: 2 });
    let flag = false;
    let seen = -1;
    machine.run((core) =>
      (function* () {
        if (core === 0) {
          yield waitUntil(() => flag);
          seen = machine.now();
        } else {
          machine.charge(500);
          yield;
          flag = true;
          machine.charge(20);
        }
      })(),
    );
    expect(seen).toBe(520);
  });

  it('sleeps for a yielded number of cycles and reports the makespan', () => {
    const machine = new Machine({ cores: 2 });
    const result = machine.run((core) =>
      (function* () {
        yield 1000 * (core + 1);
      })(),
    );
    expect(result.cycles).toBe(2000);
    expect(result.coreCycles).toEqual([1000, 2000]);
  });

  it('reports a deadlock naming the blocked cores', () => {
    const machine = new Machine({ cores: 2 });
    const barrier = machine.barrier(3);
    expect(() =>
      machine.run(() =>
        (function* () {
          yield barrier;
        })(),
      ),
    ).toThrow(/deadlock.*core 0 \(barrier\).*core 1 \(barrier\)/);
  });

  it('rejects bad core lists naming the value', () => {
    const machine = new Machine({ cores: 2 });
    const noop = () => (function* () {})();
    expect(() => machine.run(noop, { cores: 3 })).toThrow(/run cores 3/);
    expect(() => machine.run(noop, { cores: [0, 0] })).toThrow(/run core 0/);
    expect(() => new Machine({ cores: 0 })).toThrow(/cores 0/);
  });
});

describe('Counters.valuesOf', () => {
  it('is the counter itself: adds through it are what get and totals report, reset zeroes it', () => {
    const machine = new Machine({ cores: 2 });
    const { counters } = machine;
    const id = counters.define('probe');
    const values = counters.valuesOf(id);
    values[1] += 3;
    counters.add(1, id, 2);
    expect(counters.get(1, id)).toBe(5);
    expect(counters.totals().probe).toBe(5);
    counters.reset();
    expect(values[1]).toBe(0);
    expect(counters.valuesOf(id)).toBe(values);
    expect(() => counters.valuesOf(id + 1)).toThrow(RangeError);
  });
  it("holds the line model's counters: a miss and a hit show up in lineAccesses", () => {
    const machine = new Machine({ cores: 2 });
    const line = machine.lines.allocLines(1);
    machine.lines.readBy(1, line);
    machine.lines.readBy(1, line);
    expect(machine.counters.perCore(1)).toMatchObject({ lineAccesses: 2, lineMisses: 1 });
  });
});
