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
    // Core c charges 10(c+1) per step; ties go to the lower id: 0@0 1@0 2@0 0@10 0@20
    // (tie with 1@20) 1@20 2@30 (0 finishes at 30 first) 1@40 2@60.
    expect(order).toEqual([0, 1, 2, 0, 0, 1, 2, 1, 2]);
    expect([...machine.clocks]).toEqual([30, 60, 90]);
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
