// glibc's futex mutex under contention (issue 15, lock validation): a waiter's futex_wait that
// finds the lock word changed returns EAGAIN instead of sleeping (nptl __lll_lock_wait, futex(2)),
// and each xchg of the word to 2 makes the holder's unlock pay futex_wake's syscall
// (src/locks/placement.ts, src/locks/wakes.ts). Without the mechanism (futexWaitCycles 0) the
// waiter slept at once and the holder re-took the lock for a whole wake-up.

import { describe, expect, it } from 'vitest';
import {
  epyc9654pGuest,
  type HoldRecord,
  Machine,
  MallocMutex,
  type MallocMutexOptions,
  SimMutex,
} from '../src/index.js';
import { ReleaseLog } from '../src/locks/wakes.js';
import { contendedGlibcMutex } from './contended-mutex.js';

const costs = epyc9654pGuest.costs;
const SYSCALL = costs.syscall.value;

/**
 * Core 0 holds a glibc mutex (no spinning) for `section` cycles from 0; cores 1.. arrive at
 * `arrivals[core - 1]` and hold it for `waiterSections[core - 1]` cycles (default 50). Returns
 * the holds by core, each core's clock right after its unlock and core 0's clock at its next step.
 */
function waitersBehindHolder(
  section: number,
  arrivals: number[],
  options: MallocMutexOptions = {},
  waiterSections: number[] = [],
) {
  const machine = new Machine({ profile: epyc9654pGuest, cores: arrivals.length + 1 });
  const holds: HoldRecord[] = [];
  const mutex = new MallocMutex(machine, 'pthread_mutex_t', {
    spinCycles: 0,
    onHold: (h) => holds.push(h),
    ...options,
  });
  const afterUnlock: number[] = [];
  let nextStep0 = 0;
  machine.run((core) =>
    (function* () {
      if (core > 0) yield arrivals[core - 1];
      mutex.lock(core);
      machine.charge(core === 0 ? section : (waiterSections[core - 1] ?? 50));
      mutex.unlock(core);
      afterUnlock[core] = machine.clocks[core];
      yield;
      if (core === 0) nextStep0 = machine.clocks[0];
    })(),
  );
  const hold = (core: number) => holds.find((h) => h.core === core)!;
  const totals = machine.counters.totals();
  return { machine, mutex, hold, afterUnlock, nextStep0, totals };
}

describe('glibc futex mutex: futex_wait returns EAGAIN when the word changed', () => {
  it('a release during the waiter futex_wait: it retries at the syscall end instead of sleeping', () => {
    const { hold, totals, mutex } = waitersBehindHolder(100, [300]);
    expect(hold(0).end).toBeGreaterThan(300); // core 1 arrives while core 0 holds (a cold miss and 100)
    expect(hold(0).end).toBeLessThan(300 + SYSCALL); // released during core 1's futex_wait
    expect(hold(1).start).toBe(300 + SYSCALL); // its xchg at the syscall's end takes the lock
    expect(mutex.stats.sleeps).toBe(0);
    expect(totals.futexRetries).toBe(1);
    expect(totals.lockWakes ?? 0).toBe(0);
  });

  it('without the mechanism the same waiter sleeps a whole wake-up', () => {
    const { hold, totals, mutex } = waitersBehindHolder(100, [300], { futexWaitCycles: 0 });
    expect(mutex.stats.sleeps).toBe(1);
    expect(hold(1).start).toBe(hold(0).end + costs.threadWakeup.value);
    expect(totals.futexRetries ?? 0).toBe(0);
  });

  it("the waiter's xchg made the word 2: the holder's unlock pays futex_wake's syscall, no IPI", () => {
    const on = waitersBehindHolder(100, [300]);
    expect(on.nextStep0 - on.hold(0).end).toBe(SYSCALL);
    // ... and so does the waiter that acquired through futex_wait (it leaves the word at 2).
    expect(on.afterUnlock[1] - on.hold(1).end).toBe(SYSCALL);
    const alone = waitersBehindHolder(100, [1000]); // arrives after the release: no xchg
    expect(alone.nextStep0).toBe(alone.hold(0).end);
    expect(alone.afterUnlock[1]).toBe(alone.hold(1).end);
  });

  it('a hold longer than the syscall: the word is still 2 at the check and the waiter sleeps', () => {
    const { hold, totals, mutex, nextStep0 } = waitersBehindHolder(5000, [300]);
    expect(mutex.stats.sleeps).toBe(1);
    expect(totals.futexRetries ?? 0).toBe(0);
    expect(hold(1).start).toBe(hold(0).end + costs.threadWakeup.value);
    // One futex_wake: its syscall once, and the IPI of the wake.
    expect(nextStep0 - hold(0).end).toBe(SYSCALL + costs.ipiSend.value);
  });

  it('the hold at the check was taken through futex_wait (word 2): the second waiter sleeps', () => {
    // Core 1 retries and takes the lock at 300 + SYSCALL with the word at 2; core 2's check at
    // 310 + SYSCALL falls inside that hold, so its futex_wait sleeps although core 0 released.
    const { hold, totals, mutex } = waitersBehindHolder(100, [300, 310]);
    expect(hold(0).end).toBeLessThan(300 + SYSCALL);
    expect(hold(1).start).toBe(300 + SYSCALL);
    expect(hold(1).end).toBeGreaterThan(310 + SYSCALL);
    expect(totals.futexRetries).toBe(1);
    expect(mutex.stats.sleeps).toBe(1);
    expect(hold(2).start).toBeGreaterThanOrEqual(hold(1).end + costs.threadWakeup.value);
  });

  it('a sleeper is woken only by a release after its futex_wait check, not one before it', () => {
    // As above, but core 2's own section is short enough to fit in the gap between core 0's
    // release and core 1's hold. Core 2 goes to sleep at its check (310 + SYSCALL), after that
    // release: only core 1's release, after the check, can wake it.
    const { hold, mutex } = waitersBehindHolder(100, [300, 310], {}, [50, 30]);
    expect(hold(0).end).toBeLessThan(310 + SYSCALL);
    expect(mutex.stats.sleeps).toBe(1);
    expect(hold(2).start).toBeGreaterThanOrEqual(hold(1).end + costs.threadWakeup.value);
  });

  it('two cores, short critical section: retries replace sleeps and the lock changes hands', () => {
    const on = contendedGlibcMutex(2);
    const off = contendedGlibcMutex(2, { futexWaitCycles: 0 });
    expect(on.totals.futexRetries).toBeGreaterThan(on.totals.lockAcquires / 2);
    expect(on.totals.lockSleeps ?? 0).toBeLessThan(off.totals.lockSleeps);
    expect(on.mutex.stats.contended).toBeGreaterThan(5 * off.mutex.stats.contended);
    expect(on.totals.futexRetries).toBeGreaterThan(0);
    expect(off.totals.futexRetries ?? 0).toBe(0);
  });

  it('one thread never waits: cycles identical with and without the mechanism', () => {
    const on = contendedGlibcMutex(1);
    const off = contendedGlibcMutex(1, { futexWaitCycles: 0 });
    expect(on.cycles).toBe(off.cycles);
    expect(on.totals.futexRetries ?? 0).toBe(0);
  });

  it('only the glibc futex kind retries: OSv and the generic mutex never define the counter', () => {
    expect(contendedGlibcMutex(4, { blocking: 'osv' }).totals.futexRetries).toBeUndefined();
    const machine = new Machine({ profile: epyc9654pGuest, cores: 4 });
    const mutex = new SimMutex(machine, 'm', { spinCycles: 0 });
    machine.run((core) =>
      (function* () {
        for (let i = 0; i < 100; i++) {
          mutex.lock(core);
          machine.charge(4);
          mutex.unlock(core);
          yield;
        }
      })(),
    );
    expect(mutex.stats.sleeps).toBeGreaterThan(0);
    expect(machine.counters.totals().futexRetries).toBeUndefined();
  });

  it('rejects a negative or infinite futexWaitCycles, naming it', () => {
    const machine = new Machine({ profile: epyc9654pGuest, cores: 1 });
    expect(() => new MallocMutex(machine, 'm', { futexWaitCycles: -1 })).toThrow(
      /futexWaitCycles -1/,
    );
    expect(
      () => new MallocMutex(machine, 'm', { futexWaitCycles: Number.POSITIVE_INFINITY }),
    ).toThrow(/futexWaitCycles Infinity/);
  });
});

describe("the release log: a release pays futex_wake's syscall at most once", () => {
  it('xchgs during one hold charge its release once; a wake charged to it adds only the IPI', () => {
    const machine = new Machine({ profile: epyc9654pGuest, cores: 3 });
    const log = new ReleaseLog(machine, 1000, 100);
    log.released(500, 0, 0);
    log.released(900, 1, 100); // acquired through futex_wait: paid at once
    expect(log.firstAfter(400)).toBe(500);
    expect(log.firstAfter(500)).toBe(900);
    expect(log.firstAfter(900)).toBe(-1);
    expect(log.leftAtTwo(400)).toBe(false);
    expect(log.leftAtTwo(600)).toBe(true);
    log.chargeFutexWaits(2, [400, 450], 2); // two xchgs during core 0's hold
    expect(machine.clocks[0]).toBe(100);
    expect(log.leftAtTwo(400)).toBe(true);
    log.chargeFutexWaits(2, [600], 1); // core 1's release paid its syscall already
    expect(machine.clocks[1]).toBe(0);
    log.chargeWakes(2, [500], [0], 1);
    expect(machine.clocks[0]).toBe(100 + 900);
    log.chargeFutexWaits(2, [410], 1); // after the wake: still paid once
    expect(machine.clocks[0]).toBe(1000);
    expect(machine.clocks[2]).toBe(0); // never the waiter
  });
});
