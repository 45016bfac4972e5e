// OSv's idle polling before a wake-up IPI (src/locks/idle-poll.ts, issue 15). A thread that
// sleeps for an OSv lock leaves its CPU polling in cpu::do_idle() for 10,000 rounds before it
// halts; a wake within that poll sends no IPI (send_wakeup_ipi sees idle_poll) and the sleeper
// runs as soon as the poll sees the wake-up. A wake after the poll ended costs as before.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ExclusiveLock,
  epyc9654pGuest,
  type HoldRecord,
  LinuxMutex,
  Machine,
  MallocMutex,
  OsvMutex,
  OsvRwLock,
  QueuedSpinlock,
  RwSemaphore,
  SimMutex,
} from '../src/index.js';
import {
  OSV_IDLE_POLL_ROUNDS,
  osvPollCycles,
  POLLER_TRANSFERS,
  WAKER_TRANSFERS,
} from '../src/locks/idle-poll.js';
import { placeHold, placement, type WaitPolicy } from '../src/locks/placement.js';
import { BusyTimeline } from '../src/timeline.js';

const costs = epyc9654pGuest.costs;
const POLL = OSV_IDLE_POLL_ROUNDS * costs.l1Hit.value;
const POLL_WAKER = WAKER_TRANSFERS * costs.lineCrossCcd.value;
const POLL_WAKEUP = (WAKER_TRANSFERS + POLLER_TRANSFERS) * costs.lineCrossCcd.value;

/** A lock as the tests use it: exclusive (lock/unlock) or an rwlock taken for write. */
interface Subject {
  lock(core: number): void;
  unlock(core: number): void;
}

type Make = (m: Machine, onHold: (h: HoldRecord) => void, pollCycles?: number) => Subject;

const pollOption = (pollCycles: number | undefined) =>
  pollCycles === undefined ? {} : { pollCycles };

const writer = (lock: OsvRwLock): Subject => ({
  lock: (core) => lock.writeLock(core),
  unlock: (core) => lock.writeUnlock(core),
});

/** Every OSv lock kind, waiters sleeping at once (as lockfree::mutex does). */
const OSV_KINDS: Record<string, Make> = {
  OsvMutex: (m, onHold, p) => new OsvMutex(m, 'm', { onHold, ...pollOption(p) }),
  MallocMutexOsv: (m, onHold, p) =>
    new MallocMutex(m, 'arena', { onHold, blocking: 'osv', spinCycles: 0, ...pollOption(p) }),
  OsvRwLockAtomics: (m, onHold, p) =>
    writer(new OsvRwLock(m, 'vma', 'atomics', { onHold, spinCycles: 0, ...pollOption(p) })),
  OsvRwLockMutex: (m, onHold, p) =>
    writer(new OsvRwLock(m, 'vma', 'mutex', { onHold, ...pollOption(p) })),
};

/**
 * Core 0 holds the lock for `hold` cycles from 0; core 1 arrives at 100 and sleeps. Returns both
 * holds, core 0's clock at its next step and the counters' totals.
 */
function sleeperBehindHolder(make: Make, hold: number, pollCycles?: number) {
  const machine = new Machine({ profile: epyc9654pGuest, cores: 2 });
  const holds: HoldRecord[] = [];
  const lock = make(machine, (h) => holds.push(h), pollCycles);
  let nextStep0 = 0;
  machine.run((core) =>
    (function* () {
      if (core === 0) {
        lock.lock(0);
        machine.charge(hold);
        lock.unlock(0);
        yield;
        nextStep0 = machine.clocks[0];
      } else {
        yield 100;
        lock.lock(1);
        machine.charge(500);
        lock.unlock(1);
      }
    })(),
  );
  const of = (core: number) => holds.find((h) => h.core === core)!;
  return { hold0: of(0), hold1: of(1), nextStep0, totals: machine.counters.totals() };
}

describe("OSv's idle poll spares a short sleep's wake-up IPI (cpu::do_idle)", () => {
  it('the poll is 10,000 rounds of one L1 hit', () => {
    const machine = new Machine({ profile: epyc9654pGuest, cores: 2 });
    expect(osvPollCycles(machine)).toBe(POLL);
    const policy = new OsvMutex(machine, 'm').policy;
    expect(policy.pollCycles).toBe(POLL);
    expect(policy.pollWakeupCycles).toBe(POLL_WAKEUP);
    expect(policy.pollWakerCycles).toBe(POLL_WAKER);
    expect(POLL_WAKEUP).toBeLessThan(costs.ipiLatency.value);
    expect(POLL_WAKER).toBeLessThan(costs.ipiSend.value);
  });

  for (const [kind, make] of Object.entries(OSV_KINDS)) {
    it(`${kind}: a sleep woken within the poll costs no IPI and wakes after the transfers`, () => {
      const { hold0, hold1, nextStep0, totals } = sleeperBehindHolder(make, 20_000);
      expect(hold0.end - 100).toBeLessThan(POLL); // woken while its CPU polled
      expect(hold1.from).toBe(hold0.end);
      expect(hold1.start - hold1.from).toBe(POLL_WAKEUP);
      expect(nextStep0 - hold0.end).toBe(POLL_WAKER);
      expect(totals.lockWakes).toBe(1);
      expect(totals.pollWakes).toBe(1);
    });

    it(`${kind}: without the poll (pollCycles 0) the same sleep costs the IPI`, () => {
      const { hold0, hold1, nextStep0, totals } = sleeperBehindHolder(make, 20_000, 0);
      expect(hold1.start - hold1.from).toBe(costs.ipiLatency.value);
      expect(nextStep0 - hold0.end).toBe(costs.ipiSend.value);
      expect(totals.lockWakes).toBe(1);
      expect(totals.pollWakes ?? 0).toBe(0);
    });

    it(`${kind}: a sleep longer than the poll costs as before (the CPU halted)`, () => {
      const { hold0, hold1, nextStep0, totals } = sleeperBehindHolder(make, 60_000);
      expect(hold0.end - 100).toBeGreaterThan(POLL);
      expect(hold1.start - hold1.from).toBe(costs.ipiLatency.value);
      expect(nextStep0 - hold0.end).toBe(costs.ipiSend.value);
      expect(totals.lockWakes).toBe(1);
      expect(totals.pollWakes ?? 0).toBe(0);
    });
  }

  it('the window ends pollCycles after the sleep began, for handoff and for a woken competitor', () => {
    const policy = (handoffAfterCycles: number): WaitPolicy => ({
      spinCycles: 0,
      wakeupCycles: 4800,
      handoffAfterCycles,
      respinCycles: 0,
      pollCycles: 40_000,
      pollWakeupCycles: 1584,
    });
    const place = (releaseAt: number, handoffAfterCycles: number) => {
      const timeline = new BusyTimeline();
      timeline.add(0, releaseAt);
      return placeHold(timeline, null, 100, 50, policy(handoffAfterCycles), 0, placement());
    };
    for (const handoff of [0, Number.POSITIVE_INFINITY]) {
      const inside = place(40_100, handoff); // slept at 100: the poll lasts until 40,100
      expect(inside.polled[0]).toBe(1);
      expect(inside.start).toBe(40_100 + 1584);
      const after = place(40_101, handoff);
      expect(after.polled[0]).toBe(0);
      expect(after.start).toBe(40_101 + 4800);
    }
  });

  it('the internal mutex of the old rwlock_t wakes by the poll too (no IPI latency)', () => {
    const readers = (pollCycles?: number) => {
      const machine = new Machine({ profile: epyc9654pGuest, cores: 2 });
      const lock = new OsvRwLock(machine, 'vma', 'mutex', pollOption(pollCycles));
      machine.run((core) =>
        (function* () {
          lock.readLock(core);
          machine.charge(100);
          lock.readUnlock(core);
          yield;
        })(),
      );
      return lock.readStats;
    };
    const polled = readers();
    const halted = readers(0);
    expect(polled.sleeps).toBe(1); // the second reader found the internal mutex taken
    expect(halted.sleeps).toBe(1);
    expect(halted.waitCycles - polled.waitCycles).toBe(costs.ipiLatency.value - POLL_WAKEUP);
  });

  it('Linux and glibc locks and the generic SimMutex never poll', () => {
    const machine = new Machine({ profile: epyc9654pGuest, cores: 2 });
    const locks: ExclusiveLock[] = [
      new MallocMutex(machine, 'arena'),
      new LinuxMutex(machine, 'm'),
      new QueuedSpinlock(machine, 'zone->lock'),
      new SimMutex(machine, 'm'),
    ];
    for (const lock of locks) expect(lock.policy.pollCycles ?? 0).toBe(0);
    const rwsem = new RwSemaphore(machine, 'mmap_lock');
    expect(rwsem.readPolicy.pollCycles ?? 0).toBe(0);
    expect(rwsem.writePolicy.pollCycles ?? 0).toBe(0);
  });

  it('a negative or unordered poll figure is a RangeError naming it', () => {
    const machine = new Machine({ profile: epyc9654pGuest, cores: 2 });
    expect(() => new OsvMutex(machine, 'm', { pollCycles: -1 })).toThrow(/pollCycles -1/);
    expect(() => new OsvMutex(machine, 'm', { pollCycles: Number.NaN })).toThrow(/pollCycles NaN/);
  });

  it('any workload: each sleep one wake, polled ones among them; holds never overlap', () => {
    const op = fc.record({
      before: fc.integer({ min: 0, max: 60_000 }),
      section: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 1, max: 300 }) },
        { weight: 1, arbitrary: fc.integer({ min: 2000, max: 60_000 }) },
      ),
    });
    // At most 48 holds: every release stays in the lock's log (LOG_CAPACITY 64).
    const workload = fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), {
      minLength: 2,
      maxLength: 12,
    });
    let polledWakes = 0;
    let haltedWakes = 0;
    fc.assert(
      fc.property(workload, fc.constantFrom(...Object.keys(OSV_KINDS)), (ops, kind) => {
        const machine = new Machine({ profile: epyc9654pGuest, cores: ops.length });
        const holds: HoldRecord[] = [];
        const lock = OSV_KINDS[kind](machine, (h) => holds.push(h));
        machine.run((core) =>
          (function* () {
            for (const o of ops[core]) {
              machine.charge(o.before);
              lock.lock(core);
              machine.charge(o.section);
              lock.unlock(core);
              yield;
            }
          })(),
        );
        const totals = machine.counters.totals();
        const wakes = totals.lockWakes ?? 0;
        const internal = kind === 'OsvRwLockMutex'; // its internal mutex's sleeps charge no waker
        if (!internal) expect(wakes).toBe(totals.lockSleeps ?? 0);
        expect(totals.pollWakes ?? 0).toBeLessThanOrEqual(wakes);
        polledWakes += totals.pollWakes ?? 0;
        haltedWakes += wakes - (totals.pollWakes ?? 0);
        const sorted = [...holds].sort((a, b) => a.from - b.from);
        for (let i = 1; i < sorted.length; i++) {
          expect(sorted[i - 1].end).toBeLessThanOrEqual(sorted[i].from);
        }
      }),
      { numRuns: 80, seed: 15 },
    );
    // The workloads reach both sides of the window.
    expect(polledWakes).toBeGreaterThan(0);
    expect(haltedWakes).toBeGreaterThan(0);
  });
});
