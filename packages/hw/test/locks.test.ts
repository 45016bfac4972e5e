import type { Lock } from '@unimem/core';
import { describe, expect, it } from 'vitest';
import { epyc9654pGuest, Machine, SimMutex, SimRwLock, SimSpinlock } from '../src/index.js';

const C = {
  hit: epyc9654pGuest.costs.l1Hit.value,
  dram: epyc9654pGuest.costs.dram.value,
  sameCcd: epyc9654pGuest.costs.lineSameCcd.value,
  rmw: epyc9654pGuest.costs.atomicRmw.value,
  ipiLatency: epyc9654pGuest.costs.ipiLatency.value,
};
const SECTION = 1000;

/** Core 0 at cycle 0 and core 1 at cycle 1 run lock; SECTION cycles; unlock once. */
function twoCores(make: (machine: Machine) => Lock) {
  const machine = new Machine({ profile: epyc9654pGuest, cores: 2 });
  const lock = make(machine);
  machine.run((core) =>
    (function* () {
      if (core === 1) yield 1; // arrive second (equal clocks would be ordered by a seeded draw)
      lock.lock(core);
      machine.charge(SECTION);
      lock.unlock(core);
      yield;
    })(),
  );
  return { machine, lock };
}

describe('SimMutex', () => {
  it('makes a waiter wait for the release, then pay the line transfer', () => {
    const { machine, lock } = twoCores((m) => new SimMutex(m, 'm'));
    // Core 0: RMW on a fresh line (dram), the section, release RMW (hit).
    const release0 = C.dram + C.rmw + SECTION + C.hit + C.rmw;
    // Core 1 waits for it, takes the line from core 0, runs the section, releases.
    expect(machine.now(1)).toBe(release0 + C.sameCcd + SECTION + C.hit + C.rmw);
    expect((lock as SimMutex).stats).toEqual({
      acquisitions: 2,
      contended: 1,
      waitCycles: release0 - 1,
      maxWaitCycles: release0 - 1,
      // A hold runs from the moment the lock is the core's, so it includes the acquire RMW.
      holdCycles: C.dram + C.rmw + C.sameCcd + 2 * (SECTION + C.hit + C.rmw),
      sleeps: 0,
    });
    expect(machine.counters.totalOf('lockAcquires')).toBe(2);
    expect(machine.counters.totalOf('lockContended')).toBe(1);
    expect(machine.counters.totalOf('lockWaitCycles')).toBe(release0 - 1);
    expect(machine.counters.totalOf('lineTransfers')).toBe(1);
  });

  it('makes a waiter that waits longer than spinCycles sleep and pay wakeupCycles', () => {
    const { machine, lock } = twoCores((m) => new SimMutex(m, 'm', { spinCycles: 0 }));
    const release0 = C.dram + C.rmw + SECTION + C.hit + C.rmw;
    const stats = (lock as SimMutex).stats;
    expect(stats.sleeps).toBe(1);
    expect(stats.waitCycles).toBe(release0 - 1 + C.ipiLatency);
    expect(machine.now(1)).toBe(release0 + C.ipiLatency + C.sameCcd + SECTION + C.hit + C.rmw);
  });

  it('lets a later-processed acquire use a gap before a recorded hold only if its hold fits', () => {
    // Core 0 reaches the lock late in its first step (at 5000); core 1 starts its step after
    // core 0's but reaches the lock at 100. Its hold is placed at its release, when its length
    // is known: it takes the gap [100, 5000) only if the whole hold fits in it.
    const scenario = (section0: number, section1: number) => {
      const machine = new Machine({ profile: epyc9654pGuest, cores: 2 });
      const mutex = new SimMutex(machine, 'm', { spinCycles: Number.POSITIVE_INFINITY });
      machine.run((core) =>
        (function* () {
          if (core === 0) {
            machine.charge(5000);
            mutex.lock(core);
            machine.charge(section0);
            mutex.unlock(core);
          } else {
            yield 100;
            mutex.lock(core);
            machine.charge(section1);
            mutex.unlock(core);
          }
        })(),
      );
      return { machine, mutex };
    };
    // A 500-cycle hold fits the gap of 4900, however long core 0's hold: core 1 does not wait.
    const short = scenario(6000, 500);
    expect(short.mutex.stats.contended).toBe(0);
    expect(short.machine.now(1)).toBe(100 + C.sameCcd + 500 + C.hit + C.rmw);

    // A 6000-cycle hold does not fit: core 1 waits for core 0's release, and the wait is booked
    // at its own release (where the hold is placed).
    const long = scenario(1000, 6000);
    const end0 = 5000 + C.dram + C.rmw + 1000 + C.hit + C.rmw;
    expect(long.mutex.stats.contended).toBe(1);
    expect(long.mutex.stats.waitCycles).toBe(end0 - 100);
    expect(long.machine.now(1)).toBe(end0 + C.sameCcd + 6000 + C.hit + C.rmw);
  });
});

describe('SimSpinlock', () => {
  it('makes a spinning waiter re-read the line after the release, then take it', () => {
    const { machine, lock } = twoCores((m) => new SimSpinlock(m, 's'));
    // Release is a plain store (hit); the waiter re-reads (transfer) and takes the line (transfer).
    const release0 = C.dram + C.rmw + SECTION + C.hit;
    expect(machine.now(1)).toBe(release0 + C.sameCcd + C.sameCcd + SECTION + C.hit);
    expect((lock as SimSpinlock).stats.waitCycles).toBe(release0 - 1);
    expect((lock as SimSpinlock).stats.sleeps).toBe(0);
    expect(machine.counters.totalOf('lineTransfers')).toBe(2);
  });
});

describe('SimRwLock', () => {
  it('keeps read and write stats apart', () => {
    const machine = new Machine({ cores: 4 });
    const rw = new SimRwLock(machine, 'rw');
    machine.run((core) =>
      (function* () {
        if (core === 0) rw.writeLock(core);
        else {
          yield 1; // readers arrive after the writer
          rw.readLock(core);
        }
        machine.charge(SECTION);
        if (core === 0) rw.writeUnlock(core);
        else rw.readUnlock(core);
        yield;
      })(),
    );
    expect(rw.writeStats.acquisitions).toBe(1);
    expect(rw.writeStats.contended).toBe(0);
    expect(rw.readStats.acquisitions).toBe(3);
    expect(rw.readStats.contended).toBe(3);
    // Every reader waited for the writer's whole section.
    expect(rw.readStats.maxWaitCycles).toBeGreaterThan(SECTION);
    expect(machine.counters.totalOf('lockAcquires')).toBe(4);
  });

  it('rejects bad options naming the value', () => {
    const machine = new Machine({ cores: 1 });
    expect(() => new SimRwLock(machine, 'rw', { wakeupCycles: -1 })).toThrow(/wakeupCycles -1/);
    expect(() => new SimMutex(machine, 'm', { spinCycles: Number.NaN })).toThrow(/spinCycles NaN/);
  });
});

describe('lock misuse', () => {
  it('throws naming the lock and the core', () => {
    const machine = new Machine({ cores: 4 });
    const mutex = new SimMutex(machine, 'zone');
    expect(() => mutex.unlock(1)).toThrow(/mutex "zone": core 1 unlocks it but it is not held/);
    mutex.lock(2);
    expect(() => mutex.unlock(3)).toThrow(/mutex "zone": core 3 unlocks it but core 2 holds it/);
    expect(() => mutex.lock(2)).toThrow(/mutex "zone": core 2 acquires it while already holding/);
    mutex.unlock(2);
    expect(() => mutex.lock(4)).toThrow(/core 4 is not a core/);

    const spin = new SimSpinlock(machine, 'pcp');
    expect(() => spin.unlock(0)).toThrow(/spinlock "pcp": core 0 unlocks it but it is not held/);

    const rw = new SimRwLock(machine, 'vma');
    expect(() => rw.readUnlock(1)).toThrow(
      /rwlock "vma": core 1 read-unlocks it but it is not held/,
    );
    rw.readLock(1);
    expect(() => rw.readUnlock(2)).toThrow(/core 2 read-unlocks it but core 1 holds it for read/);
    expect(() => rw.writeUnlock(1)).toThrow(/core 1 write-unlocks it but core 1 holds it for read/);
    rw.readUnlock(1);
    rw.writeLock(0);
    expect(() => rw.readUnlock(0)).toThrow(/core 0 read-unlocks it but core 0 holds it for write/);
    rw.writeUnlock(0);
  });

  it('reports a lock held across a yield, naming the lock and the holder', () => {
    const machine = new Machine({ cores: 2 });
    const mutex = new SimMutex(machine, 'vma_list_mutex');
    expect(() =>
      machine.run((core) =>
        (function* () {
          if (core === 1) yield 1;
          mutex.lock(core);
          yield;
          mutex.unlock(core);
        })(),
      ),
    ).toThrow(/mutex "vma_list_mutex" is held by core 0 when core 1 acquires it: core 0 yielded/);

    const rwMachine = new Machine({ cores: 2 });
    const rw = new SimRwLock(rwMachine, 'rw');
    expect(() =>
      rwMachine.run((core) =>
        (function* () {
          if (core === 1) yield 1;
          rw.readLock(core);
          yield;
          rw.readUnlock(core);
        })(),
      ),
    ).toThrow(/rwlock "rw" \(held for read\) is held by core 0 when core 1 acquires it/);
  });
});
