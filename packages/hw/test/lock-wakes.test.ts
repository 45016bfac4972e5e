// The releaser's cost of waking a sleeping waiter (src/locks/wakes.ts, issue 15: futex wake-up
// cost). A glibc mutex unlock that finds a sleeper pays futex(FUTEX_WAKE): the syscall plus the
// reschedule IPI of try_to_wake_up; a Linux rw_semaphore's release pays the IPI per woken task.
// The charge is decided at the sleeper's placement, since the releaser cannot know of waiters
// processed after it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  epyc9654pGuest,
  type HoldRecord,
  Machine,
  MallocMutex,
  type MallocMutexOptions,
  RwSemaphore,
} from '../src/index.js';
import { contendedGlibcMutex } from './contended-mutex.js';

const costs = epyc9654pGuest.costs;
const FUTEX_WAKE = costs.syscall.value + costs.ipiSend.value;

/**
 * Core 0 holds a glibc mutex (no spinning) for 20,000 cycles from 0; core 1 arrives at 100 and
 * sleeps. Returns core 0's hold, core 0's clock at its next step, core 1's hold and its clock
 * right after its unlock.
 */
function sleeperBehindHolder(options: MallocMutexOptions = {}) {
  const machine = new Machine({ profile: epyc9654pGuest, cores: 2 });
  const holds: HoldRecord[] = [];
  const mutex = new MallocMutex(machine, 'pthread_mutex_t', {
    spinCycles: 0,
    onHold: (h) => holds.push(h),
    ...options,
  });
  let nextStep0 = 0;
  let afterUnlock1 = 0;
  machine.run((core) =>
    (function* () {
      if (core === 0) {
        mutex.lock(0);
        machine.charge(20_000);
        mutex.unlock(0);
        yield;
        nextStep0 = machine.clocks[0];
      } else {
        yield 100;
        mutex.lock(1);
        machine.charge(500);
        mutex.unlock(1);
        afterUnlock1 = machine.clocks[1];
      }
    })(),
  );
  const hold = (core: number) => holds.find((h) => h.core === core)!;
  return { machine, mutex, hold0: hold(0), hold1: hold(1), nextStep0, afterUnlock1 };
}

describe('the releaser pays the wake (futex_wake)', () => {
  it('the release that wakes a sleeper is charged syscall + ipiSend; the sleeper is not', () => {
    const { machine, mutex, hold0, hold1, nextStep0 } = sleeperBehindHolder();
    expect(mutex.stats.sleeps).toBe(1);
    expect(hold1.start).toBe(hold0.end + costs.threadWakeup.value); // woken by core 0's release
    expect(nextStep0 - hold0.end).toBe(FUTEX_WAKE);
    expect(machine.counters.totals().lockWakes).toBe(1);
    expect(machine.counters.get(0, machine.counters.define('lockWakes'))).toBe(1);
  });

  it('without the mechanism (wakerCycles 0) the releaser goes on at once', () => {
    const { machine, hold0, nextStep0 } = sleeperBehindHolder({ wakerCycles: 0 });
    expect(nextStep0).toBe(hold0.end);
    expect(machine.counters.totals().lockWakes ?? 0).toBe(0);
  });

  it('a thread that slept for the mutex pays futex_wake at its own unlock (the word stays 2)', () => {
    const { hold1, afterUnlock1 } = sleeperBehindHolder();
    expect(afterUnlock1 - hold1.end).toBe(costs.syscall.value);
    const off = sleeperBehindHolder({ wakerCycles: 0 });
    expect(off.afterUnlock1).toBe(off.hold1.end);
  });

  it('contended: one wake per sleep, each charged to a releaser; it costs throughput', () => {
    const on = contendedGlibcMutex(4);
    const off = contendedGlibcMutex(4, { wakerCycles: 0 });
    expect(on.totals.lockSleeps).toBeGreaterThan(0);
    expect(on.totals.lockWakes).toBe(on.totals.lockSleeps);
    expect(on.cycles).toBeGreaterThan(off.cycles);
  });

  it('one thread never sleeps: no wake is charged and the cycles are those without the mechanism', () => {
    const on = contendedGlibcMutex(1);
    const off = contendedGlibcMutex(1, { wakerCycles: 0 });
    expect(on.totals.lockWakes ?? 0).toBe(0);
    expect(on.cycles).toBe(off.cycles);
  });

  it('inside OSv (lockfree::mutex) every sleep charges the waker one wake-up IPI, no syscall', () => {
    const osv = contendedGlibcMutex(4, { blocking: 'osv' });
    expect(osv.totals.lockSleeps).toBeGreaterThan(0);
    expect(osv.totals.lockWakes).toBe(osv.totals.lockSleeps);
    // (In this convoy the makespan does not move: the releaser's IPI send, 3,600 cycles, ends
    // before the woken holder runs, ipiLatency 4,800 later, so it waits for the lock anyway.)
    // (Halted CPUs: OSv's idle poll would spare this short sleep's IPI, idle-poll.test.ts.)
    const one = sleeperBehindHolder({ blocking: 'osv', pollCycles: 0 });
    const free = sleeperBehindHolder({ blocking: 'osv', pollCycles: 0, wakerCycles: 0 });
    expect(one.nextStep0 - free.nextStep0).toBe(costs.ipiSend.value);
  });

  it('any workload: every sleep charges exactly one wake; holds still never overlap', () => {
    const op = fc.record({
      before: fc.integer({ min: 0, max: 20_000 }),
      section: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 1, max: 300 }) },
        { weight: 1, arbitrary: fc.integer({ min: 2000, max: 30_000 }) },
      ),
    });
    // At most 48 holds: every release stays in the lock's log (LOG_CAPACITY 64).
    const workload = fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), {
      minLength: 2,
      maxLength: 12,
    });
    fc.assert(
      fc.property(workload, (ops) => {
        const machine = new Machine({ profile: epyc9654pGuest, cores: ops.length });
        const holds: HoldRecord[] = [];
        const mutex = new MallocMutex(machine, 'm', {
          spinCycles: 0,
          onHold: (h) => holds.push(h),
        });
        machine.run((core) =>
          (function* () {
            for (const o of ops[core]) {
              machine.charge(o.before);
              mutex.lock(core);
              machine.charge(o.section);
              mutex.unlock(core);
              yield;
            }
          })(),
        );
        const wakes = machine.counters.define('lockWakes');
        let total = 0;
        for (let core = 0; core < ops.length; core++) total += machine.counters.get(core, wakes);
        expect(total).toBe(mutex.stats.sleeps);
        // Mutual exclusion still holds with the wakers' clocks moved on.
        const sorted = [...holds].sort((a, b) => a.from - b.from);
        for (let i = 1; i < sorted.length; i++) {
          expect(sorted[i - 1].end).toBeLessThanOrEqual(sorted[i].from);
        }
      }),
      { numRuns: 80 },
    );
  });
});

describe("rw_semaphore: the writer's release pays a wake per reader it grants the lock", () => {
  it('two readers asleep behind a writer: the writer is charged two reschedule IPIs', () => {
    const machine = new Machine({ profile: epyc9654pGuest, cores: 3 });
    const lock = new RwSemaphore(machine, 'mmap_lock');
    let writerEnd = 0;
    let writerNext = 0;
    machine.run((core) =>
      (function* () {
        if (core === 0) {
          lock.writeLock(0);
          machine.charge(20_000);
          lock.writeUnlock(0);
          writerEnd = machine.clocks[0];
          yield;
          writerNext = machine.clocks[0];
        } else {
          yield 100 * core;
          lock.readLock(core);
          machine.charge(500);
          lock.readUnlock(core);
        }
      })(),
    );
    expect(lock.readStats.sleeps).toBe(2);
    expect(machine.counters.get(0, machine.counters.define('lockWakes'))).toBe(2);
    expect(writerNext - writerEnd).toBe(2 * costs.ipiSend.value);
  });
});
