// Defects 1 and 2 of the hardware model v2 (issue 15): lock-free races must be able to happen
// between operations that the scheduler runs one at a time, and a line's exclusive accesses must
// never overlap in simulated time, whatever the step lengths.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinuxMutex, Machine, type Program, TracedWords } from '../src/index.js';

/** `cores` cores each add 1 to one shared word `increments` times with a load + CAS loop. */
function casLoop(cores: number, increments: number, seed = 1) {
  const machine = new Machine({ cores, seed });
  const words = new TracedWords(machine, new SharedArrayBuffer(64), 0, 16, 'counter');
  const random = machine.random;
  machine.run(
    () =>
      (function* (): Program {
        for (let i = 0; i < increments; i++) {
          machine.charge(Math.floor(random() * 200)); // private work between increments
          for (;;) {
            const seen = words.load(0);
            if (words.cas(0, seen, seen + 1) === seen) break;
          }
          yield;
        }
      })(),
    { cores },
  );
  return {
    value: words.load(0),
    failures: machine.counters.totalOf('casFailures'),
  };
}

describe('lock-free races (defect 1)', () => {
  it('sees writes made before a run, whatever the clocks', () => {
    const machine = new Machine({ cores: 2 });
    const words = new TracedWords(machine, new SharedArrayBuffer(64), 0, 16);
    machine.charge(10_000, 0); // setup on core 0 ends late
    words.store(0, 42);
    let seen = -1;
    machine.run(
      (core) =>
        (function* (): Program {
          if (core === 1) seen = words.load(0); // core 1 is still at cycle 0
          yield;
        })(),
      { cores: 2 },
    );
    expect(seen).toBe(42);
    expect(machine.counters.totalOf('lineWaitCycles')).toBe(0);
  });

  it('a single-line CAS loop fails and retries under contention, more with more cores', () => {
    const failures = [1, 4, 16, 64].map((cores) => {
      const { value, failures } = casLoop(cores, 40);
      expect(value).toBe(cores * 40); // every increment lands exactly once
      return failures;
    });
    expect(failures[0]).toBe(0); // one core never races with itself
    expect(failures[1]).toBeGreaterThan(0);
    expect(failures[2]).toBeGreaterThan(failures[1]);
    expect(failures[3]).toBeGreaterThan(failures[2]);
  });

  it('a load sees the value as of its own simulated time, not a later write', () => {
    const machine = new Machine({ cores: 2 });
    const words = new TracedWords(machine, new SharedArrayBuffer(64), 0, 16);
    machine.running = true; // as inside machine.run: each core has its own time
    // Core 0 (bound: the machine starts with core 0) is processed first but writes at 10,000.
    machine.advanceTo(10_000, 0);
    words.store(0, 7);
    // Core 1, at cycle 0, reads before that write in simulated time: it sees the old value...
    machine.core(1).bind(); // as the scheduler binds the core whose step runs
    expect(words.load(0)).toBe(0);
    // ...so its CAS from the old value must fail: it lost the race at its own time, without
    // waiting for the write (core 0's write is re-dated to this moment, traced-words.ts).
    expect(words.cas(0, 0, 1)).toBe(7);
    expect(machine.now(1)).toBeLessThan(10_000);
    expect(machine.counters.totalOf('casFailures')).toBe(1);
    // After losing the race, its loads see the new value and its CAS succeeds.
    expect(words.load(0)).toBe(7);
    expect(words.cas(0, 7, 8)).toBe(7);
    expect(machine.counters.totalOf('casFailures')).toBe(1);
  });
});

/** Records every exclusive access the line model places: [start, end) per line. */
function recordExclusive(machine: Machine) {
  const spans = new Map<number, Array<[number, number]>>();
  machine.lines.observe((line, _core, start, end) => {
    let list = spans.get(line);
    if (!list) spans.set(line, (list = []));
    list.push([start, end]);
  });
  return spans;
}

function overlaps(spans: Array<[number, number]>): number {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let count = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i][0] < sorted[i - 1][1]) count++;
  return count;
}

describe('a write late in a long step', () => {
  // Core 0's step does 100,000 cycles of work and then writes the word; core 1, processed after
  // that step but at cycle 1 of simulated time, writes the same word. In time core 1 comes
  // first: it must not wait for core 0's write 100,000 cycles later (until 2026-12-05 every
  // write waited for the word's latest write, so it did), only pay for the race.
  function lateWrite(second: (words: TracedWords) => void) {
    const machine = new Machine({ cores: 2 });
    const words = new TracedWords(machine, new SharedArrayBuffer(64), 0, 16, 'word');
    machine.charge(1, 1); // core 0 runs first
    machine.run(
      (core) =>
        (function* (): Program {
          if (core === 0) {
            machine.charge(100_000);
            words.add(0, 1);
          } else {
            second(words);
          }
          yield;
        })(),
      { cores: 2 },
    );
    return { machine, words };
  }

  it('a fetch-add by a core earlier in time does not wait for it', () => {
    const { machine, words } = lateWrite((w) => w.add(0, 1));
    expect(words.load(0)).toBe(2);
    expect(machine.now(1)).toBeLessThan(1_000);
    expect(machine.counters.totalOf('lineWaitCycles')).toBe(0);
  });

  it('a CAS built on the value of its own time fails once and retries without waiting', () => {
    const { machine, words } = lateWrite((w) => {
      for (;;) {
        const seen = w.load(0);
        if (w.cas(0, seen, seen + 1) === seen) break;
      }
    });
    expect(words.load(0)).toBe(2);
    expect(machine.counters.totalOf('casFailures')).toBe(1);
    expect(machine.now(1)).toBeLessThan(1_000);
    expect(machine.counters.totalOf('lineWaitCycles')).toBe(0);
  });
});

describe('line timelines (defect 2)', () => {
  it('never overlap exclusive accesses, with uneven or bimodal work before each RMW', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 24 }),
        fc.constantFrom('uniform', 'bimodal'),
        fc.integer({ min: 1, max: 1000 }),
        (cores, shape, seed) => {
          const machine = new Machine({ cores, seed });
          const lines = [machine.lines.allocLines(1), machine.lines.allocLines(1)];
          const spans = recordExclusive(machine);
          const random = machine.random;
          const ops = 20;
          const result = machine.run(
            () =>
              (function* (): Program {
                for (let i = 0; i < ops; i++) {
                  const r = random();
                  const work =
                    shape === 'uniform' ? r * 3000 : r < 0.8 ? 20 : 5000 + random() * 5000;
                  machine.charge(Math.floor(work));
                  machine.lines.rmw(lines[i & 1]);
                  machine.charge(Math.floor(random() * 100));
                  machine.lines.rmw(lines[0]);
                  yield;
                }
              })(),
            { cores },
          );
          for (const [line, list] of spans) {
            expect(overlaps(list), `line ${line}`).toBe(0);
            // The makespan can never beat the line's own serialisation bound.
            const busy = list.reduce((sum, [s, e]) => sum + (e - s), 0);
            expect(result.cycles).toBeGreaterThanOrEqual(busy);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('lines inside an exclusive lock hold', () => {
  it('are serialised by the lock alone: the wait is lock wait, not line wait again', () => {
    const machine = new Machine({ cores: 16, seed: 3 });
    const mutex = new LinuxMutex(machine, 'zone');
    const protectedLines = machine.lines.allocLines(4, 'list heads');
    const random = machine.random;
    machine.run(
      (core) =>
        (function* (): Program {
          for (let i = 0; i < 30; i++) {
            machine.charge(Math.floor(random() * 400));
            mutex.lock(core);
            for (let l = 0; l < 4; l++) machine.lines.rmw(protectedLines + l);
            machine.charge(random() < 0.8 ? 20 : 2000); // bimodal critical sections
            mutex.unlock(core);
            yield;
          }
        })(),
      { cores: 16 },
    );
    const totals = machine.counters.totals();
    expect(totals.lockWaitCycles).toBeGreaterThan(0);
    expect(totals.lineWaitCycles ?? 0).toBe(0);
  });
});
