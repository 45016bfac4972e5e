// The release log of a lock (src/locks/wakes.ts) keeps its latest LOG_CAPACITY releases in time
// order, dropping forgotten ones in batches. Checked against a plain sorted array that does what the log promises (insert
// in time order, forget the earliest when full, a wake charged to the latest release at exactly
// the waking time, not to the sleeper itself, minus what that release already paid), over
// random streams that fill the log many times over and insert out of order.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Machine } from '../src/index.js';
import { LOG_CAPACITY, ReleaseLog } from '../src/locks/wakes.js';

const WAKER = 1000;
const CORES = 4;
/** No round of these tests was woken while its CPU polled (idle-poll.ts; tested in lock-wakes). */
const NOT_POLLED: readonly number[] = new Array(4 * LOG_CAPACITY).fill(0);

/** The log's contract as a sorted array (what ReleaseLog did before it became a ring). */
class ReferenceLog {
  readonly entries: Array<{ time: number; core: number; paid: number }> = [];
  readonly clocks = new Float64Array(CORES);
  wakes = 0;

  released(time: number, core: number, paid: number): void {
    let at = this.entries.length;
    while (at > 0 && this.entries[at - 1].time > time) at--;
    if (this.entries.length === LOG_CAPACITY) {
      if (at === 0) return;
      this.entries.shift();
      at--;
    }
    this.entries.splice(at, 0, { time, core, paid });
  }

  chargeWakes(sleeper: number, wakes: number[]): void {
    for (const time of wakes) {
      let k = this.entries.length - 1;
      while (k >= 0 && this.entries[k].time > time) k--;
      if (k < 0 || this.entries[k].time !== time) continue;
      const entry = this.entries[k];
      if (entry.core === sleeper) continue;
      this.clocks[entry.core] += WAKER - entry.paid;
      entry.paid = 0;
      this.wakes++;
    }
  }
}

type Op =
  | { kind: 'release'; time: number; core: number; paid: number }
  | { kind: 'wake'; sleeper: number; back: number[] };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('release' as const),
      // Mostly increasing times (the common case), some far back; repeats happen.
      time: fc.integer({ min: -40, max: 3 }),
      core: fc.integer({ min: 0, max: CORES - 1 }),
      paid: fc.constantFrom(0, 0, 300),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('wake' as const),
      sleeper: fc.integer({ min: 0, max: CORES - 1 }),
      back: fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 3 }),
    }),
  },
);

describe('ReleaseLog', () => {
  it('charges the same wakes as a sorted array, however often it forgets', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 100, maxLength: 600 }), (ops) => {
        const machine = new Machine({ cores: CORES });
        const log = new ReleaseLog(machine, WAKER);
        const reference = new ReferenceLog();
        let now = 0;
        for (const o of ops) {
          if (o.kind === 'release') {
            now += 3;
            const time = now + o.time * 3;
            log.released(time, o.core, o.paid);
            reference.released(time, o.core, o.paid);
          } else {
            // Times of releases back in the log (and some that are not in it).
            const wakes = o.back.map((b) => now - b * 3);
            log.chargeWakes(o.sleeper, wakes, NOT_POLLED, wakes.length);
            reference.chargeWakes(o.sleeper, wakes);
          }
        }
        expect(Array.from(machine.clocks)).toEqual(Array.from(reference.clocks));
        expect(machine.counters.totalOf('lockWakes')).toBe(reference.wakes);
      }),
      { numRuns: 200, seed: 15 },
    );
  });

  it('forgets the earliest release once full, and finds the rest', () => {
    const machine = new Machine({ cores: 2 });
    const log = new ReleaseLog(machine, WAKER);
    const total = 3 * LOG_CAPACITY + 5;
    for (let i = 0; i < total; i++) log.released(10 * i, 1, 0);
    log.chargeWakes(0, [10 * (total - LOG_CAPACITY - 1)], NOT_POLLED, 1); // forgotten
    expect(machine.clocks[1]).toBe(0);
    log.chargeWakes(0, [10 * (total - LOG_CAPACITY), 10 * (total - 1)], NOT_POLLED, 2); // oldest, newest kept
    expect(machine.clocks[1]).toBe(2 * WAKER);
    // A release earlier than everything kept in a full log is forgotten at once.
    log.released(5, 1, 0);
    log.chargeWakes(0, [5], NOT_POLLED, 1);
    expect(machine.clocks[1]).toBe(2 * WAKER);
  });
});
