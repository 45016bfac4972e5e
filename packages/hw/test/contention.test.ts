// Scalability must come out of the model's mechanisms (line ownership and busy times, lock
// holds), so these tests only set up workloads and check the shape of the outcome.

import { describe, expect, it } from 'vitest';
import {
  epyc9654pGuest,
  Machine,
  SimMutex,
  SimRwLock,
  SimSpinlock,
  TracedWords,
} from '../src/index.js';

const CORE_COUNTS = [1, 2, 4, 8, 16, 32, 64];
const OPS = 200;

/** Operations per simulated second of a run (all cores together). */
function throughput(machine: Machine, cycles: number, ops: number): number {
  return ops / machine.seconds(cycles);
}

/** Every core does OPS atomic adds on word `wordOf(core)` of one TracedWords. */
function hammer(cores: number, wordOf: (core: number) => number): number {
  const machine = new Machine({ profile: epyc9654pGuest, cores });
  const words = new TracedWords(machine, new SharedArrayBuffer(64 * cores));
  const result = machine.run((core) =>
    (function* () {
      for (let i = 0; i < OPS; i++) {
        words.add(wordOf(core), 1);
        yield;
      }
    })(),
  );
  for (let core = 0; core < cores; core++) expect(words.load(wordOf(core))).toBeGreaterThan(0);
  return throughput(machine, result.cycles, cores * OPS);
}

describe('contention emerges from the model', () => {
  it('does not scale N cores doing atomic adds on one line', () => {
    // Each add by a core that does not own the line is one transfer, and the line serialises
    // them. N = 2 already pays the cheapest transfer (same CCD) on every add; more cores can only
    // add cross-CCD transfers (core 8 and up). So for every N >= 2 the total rate may not exceed
    // N = 2's by more than 20% (slack for the first access from DRAM and the run's edges), and one
    // core, which owns the line throughout, is faster than any N >= 2.
    const rates = CORE_COUNTS.map((n) => hammer(n, () => 0));
    const two = rates[1];
    for (let i = 1; i < CORE_COUNTS.length; i++) expect(rates[i]).toBeLessThanOrEqual(1.2 * two);
    for (let i = 1; i < CORE_COUNTS.length; i++) expect(rates[0]).toBeGreaterThan(rates[i]);
    // Crossing CCDs makes it strictly worse than staying in one.
    expect(rates[CORE_COUNTS.indexOf(64)]).toBeLessThan(rates[CORE_COUNTS.indexOf(8)]);
  });

  it('scales N cores doing atomic adds on private lines linearly', () => {
    const one = hammer(1, () => 0);
    for (const n of CORE_COUNTS) {
      const rate = hammer(n, (core) => core * 16); // one 64-byte line per core
      expect(Math.abs(rate - n * one) / (n * one)).toBeLessThan(0.05);
    }
  });

  it('serialises a mutex-guarded section: N cores take about N × section', () => {
    const section = 100_000;
    const rounds = 3;
    for (const n of [1, 2, 8, 32]) {
      const machine = new Machine({ profile: epyc9654pGuest, cores: n });
      const mutex = new SimMutex(machine, 'global');
      const result = machine.run((core) =>
        (function* () {
          for (let i = 0; i < rounds; i++) {
            mutex.lock(core);
            machine.charge(section);
            mutex.unlock(core);
            yield;
          }
        })(),
      );
      const serial = n * rounds * section;
      expect(result.cycles).toBeGreaterThanOrEqual(serial);
      // Each handoff adds at most a wakeup and two line transfers with their RMWs.
      const handoff = machine.costs.ipiLatency + 2 * (machine.costs.lineCrossCcd + 20);
      expect(result.cycles).toBeLessThanOrEqual(serial + n * rounds * handoff + 1000);
      if (n > 1) {
        expect(mutex.stats.contended).toBeGreaterThan(0);
        expect(machine.counters.totalOf('lockWaitCycles')).toBeGreaterThan(0);
      } else {
        expect(mutex.stats.waitCycles).toBe(0);
      }
    }
  });

  /** N readers (cores 0..N-1) each take the lock for read once for `section` cycles. */
  function readers(n: number, section: number, readerMutex: boolean) {
    const machine = new Machine({ profile: epyc9654pGuest, cores: n });
    const rw = new SimRwLock(machine, 'vma_list', { readerMutex });
    const result = machine.run((core) =>
      (function* () {
        for (let i = 0; i < 4; i++) {
          rw.readLock(core);
          machine.charge(section);
          rw.readUnlock(core);
          yield;
        }
      })(),
    );
    return { cycles: result.cycles, rw };
  }

  it('lets readers of a reader-writer lock overlap', () => {
    const section = 100_000;
    const { cycles, rw } = readers(16, section, false);
    // 4 read sections per core: far less than 16 × 4 sections, close to 4 sections.
    expect(cycles).toBeLessThan(4 * section * 1.1);
    // Readers still queue on the lock word's line.
    expect(rw.readStats.contended).toBeGreaterThan(0);
  });

  it("makes readers pay more with OSv's reader mutex than without", () => {
    for (const section of [100, 2000]) {
      const plain = readers(32, section, false);
      const mutexed = readers(32, section, true);
      expect(mutexed.cycles).toBeGreaterThan(plain.cycles);
      expect(mutexed.rw.readStats.waitCycles).toBeGreaterThan(plain.rw.readStats.waitCycles);
    }
  });

  it('lets a writer exclude readers, both ways', () => {
    const section = 10_000;
    for (const writerFirst of [true, false]) {
      const machine = new Machine({ profile: epyc9654pGuest, cores: 8 });
      const rw = new SimRwLock(machine, 'rw');
      const writer = writerFirst ? 0 : 7;
      const holds: Array<[number, number, boolean]> = [];
      machine.run((core) =>
        (function* () {
          const write = core === writer;
          if (write) rw.writeLock(core);
          else rw.readLock(core);
          const start = machine.now();
          machine.charge(section);
          holds.push([start, machine.now(), write]);
          if (write) rw.writeUnlock(core);
          else rw.readUnlock(core);
          yield;
        })(),
      );
      const [ws, we] = holds.find(([, , write]) => write)!;
      for (const [rs, re, write] of holds) {
        if (!write) expect(re <= ws || rs >= we).toBe(true);
      }
      const readHolds = holds.filter(([, , write]) => !write);
      // Readers overlap each other (those placed on the same side of the write hold).
      let overlapping = 0;
      for (const [as, ae] of readHolds) {
        for (const [bs, be] of readHolds) if (as < bs && bs < ae && be > as) overlapping++;
      }
      expect(overlapping).toBeGreaterThan(0);
    }
  });

  it('gives identical results for identical inputs', () => {
    const run = () => {
      const machine = new Machine({ profile: epyc9654pGuest, cores: 24 });
      const words = new TracedWords(machine, new SharedArrayBuffer(4096));
      const mutex = new SimMutex(machine, 'm');
      const spin = new SimSpinlock(machine, 's');
      const rw = new SimRwLock(machine, 'rw', { readerMutex: true });
      machine.run((core) =>
        (function* () {
          for (let i = 0; i < 50; i++) {
            const r = machine.random();
            if (r < 0.3) words.add(0, 1);
            else if (r < 0.5) words.cas(16 * (core % 8), i, i + 1);
            else if (r < 0.6) {
              mutex.lock(core);
              words.store(32, core);
              mutex.unlock(core);
            } else if (r < 0.7) {
              spin.lock(core);
              machine.charge(50);
              spin.unlock(core);
            } else if (r < 0.95) {
              rw.readLock(core);
              words.load(48);
              machine.charge(300);
              rw.readUnlock(core);
            } else {
              rw.writeLock(core);
              words.store(48, i);
              rw.writeUnlock(core);
            }
            yield;
          }
        })(),
      );
      return {
        clocks: [...machine.clocks],
        counters: machine.counters.totals(),
        perCore: machine.counters.perCore(5),
        stats: [mutex.stats, spin.stats, rw.readStats, rw.writeStats],
      };
    };
    const first = run();
    expect(first.counters.lockAcquires).toBeGreaterThan(0);
    expect(run()).toEqual(first);
  });
});
