// Simulated exclusive locks: a mutex and a spinlock. A lock is one cache line plus the timeline of
// its holds (timeline.ts). An acquire waits until the lock is free in simulated time — the release
// of the previous holder — then does a locked RMW on the lock line, so a handoff between cores
// pays the line transfer CacheLines decides; the release touches the line again. Nothing depends
// on the number of cores: a lock serialises only through its holds and its line.
//
// Operations are synchronous within one scheduler step, so a critical section never spans a
// `yield`. Finding the lock held at an acquire therefore means its holder yielded inside the
// critical section: that is an error, as is any unlock by a core that does not hold the lock.
//
// Mutex vs spinlock (the only difference): a mutex waiter that waited longer than `spinCycles`
// slept and runs only `wakeupCycles` after the release (the lock is handed to it, as OSv's
// lockfree::mutex does, so it stays unavailable meanwhile: with many waiters this becomes a lock
// convoy, every handoff paying a wakeup; the releaser's cost of waking is not charged, since it
// cannot know of waiters processed after it); a spinlock waiter spins on the line,
// so when the lock is released its copy is invalidated, it re-reads the line (one transfer) and
// then takes it with the RMW (a second transfer). Other spinners' failed attempts are not charged
// (they would need line accesses at past simulated times): under heavy contention the spinlock
// is an MCS/qspinlock-like lower bound for a test-and-set lock.

import type { Lock } from '@unimem/core';
import type { CacheLines } from './lines.js';
import type { Machine } from './machine.js';
import { BusyTimeline, HoldEstimate } from './timeline.js';

/** Wait statistics of one lock (of one mode, for reader-writer locks). */
export interface LockStats {
  /** Successful acquisitions. */
  acquisitions: number;
  /** Acquisitions that waited at all (for a holder, a handoff, or the lock's line). */
  contended: number;
  /** Cycles spent waiting, summed over acquisitions (including wakeup latency). */
  waitCycles: number;
  /** Longest wait of one acquisition. */
  maxWaitCycles: number;
  /** Cycles from acquisition to release, summed (overlapping read holds each count). */
  holdCycles: number;
  /** Waits that exceeded spinCycles, so the waiter slept and paid wakeupCycles. */
  sleeps: number;
}

/** How a blocking lock's waiters wait: spin first, then sleep. */
export interface SleepOptions {
  /**
   * A waiter spins this many cycles before it sleeps. Default: wakeupCycles — spinning for as
   * long as blocking would cost is 2-competitive (Karlin et al., "Empirical studies of competitive
   * spinning", SOSP 1991). Use 0 for OSv's lockfree::mutex (core/lfmutex.cc: a contended lock()
   * queues and sleeps at once; unlock() hands the lock to the first waiter and wakes it), and
   * Infinity for Linux-style owner spinning with short critical sections.
   */
  spinCycles?: number;
  /**
   * Latency from a release until a sleeping waiter runs. Default: the profile's ipiLatency — the
   * release wakes the waiter with an IPI to its idle core (costs.md §1: guest IPI 2-5 µs [E]).
   */
  wakeupCycles?: number;
}

export type MutexOptions = SleepOptions;

export function emptyLockStats(): LockStats {
  return {
    acquisitions: 0,
    contended: 0,
    waitCycles: 0,
    maxWaitCycles: 0,
    holdCycles: 0,
    sleeps: 0,
  };
}

/**
 * Books acquisitions into a lock's stats and the machine counters lockAcquires, lockContended,
 * lockWaitCycles. A wait found only at release (the hold did not fit before a later-recorded
 * hold, see timeline.ts) is added with `lateWait`.
 */
export class LockBook {
  readonly stats: LockStats = emptyLockStats();
  private readonly cAcquires: number;
  private readonly cContended: number;
  private readonly cWait: number;

  constructor(private readonly machine: Machine) {
    this.cAcquires = machine.counters.define('lockAcquires');
    this.cContended = machine.counters.define('lockContended');
    this.cWait = machine.counters.define('lockWaitCycles');
  }

  acquired(core: number, waitCycles: number): void {
    const { stats } = this;
    const counters = this.machine.counters;
    stats.acquisitions++;
    counters.add(core, this.cAcquires);
    if (waitCycles > 0) {
      stats.contended++;
      stats.waitCycles += waitCycles;
      if (waitCycles > stats.maxWaitCycles) stats.maxWaitCycles = waitCycles;
      counters.add(core, this.cContended);
      counters.add(core, this.cWait, waitCycles);
    }
  }

  /** A further wait of `extra` cycles for an acquisition that had waited `before` so far. */
  lateWait(core: number, before: number, extra: number): void {
    if (!(extra > 0)) return;
    const { stats } = this;
    const counters = this.machine.counters;
    if (before === 0) {
      stats.contended++;
      counters.add(core, this.cContended);
    }
    stats.waitCycles += extra;
    if (before + extra > stats.maxWaitCycles) stats.maxWaitCycles = before + extra;
    counters.add(core, this.cWait, extra);
  }
}

const NONE = -1;

/** Throws a RangeError unless `core` is a core of the machine. */
export function checkCore(machine: Machine, core: number, what: string): void {
  if (!Number.isInteger(core) || core < 0 || core >= machine.cores) {
    throw new RangeError(
      `${what}: core ${core} is not a core of this machine (0..${machine.cores - 1})`,
    );
  }
}

/** The error for finding a lock held at acquire time. */
export function heldError(what: string, holder: number, core: number): Error {
  if (holder === core) {
    return new Error(
      `${what}: core ${core} acquires it while already holding it (locks are not recursive, ` +
        'or the core yielded inside its critical section)',
    );
  }
  return new Error(
    `${what} is held by core ${holder} when core ${core} acquires it: core ${holder} yielded ` +
      'inside its critical section (a critical section must not span a yield)',
  );
}

/** Resolves the spin/sleep options against the machine's profile. */
export function sleepPolicy(machine: Machine, options: SleepOptions, what: string) {
  const wakeupCycles = options.wakeupCycles ?? machine.costs.ipiLatency;
  const spinCycles = options.spinCycles ?? wakeupCycles;
  if (!(wakeupCycles >= 0) || !Number.isFinite(wakeupCycles)) {
    throw new RangeError(`${what}: wakeupCycles ${wakeupCycles} must be a finite number >= 0`);
  }
  if (!(spinCycles >= 0)) {
    throw new RangeError(`${what}: spinCycles ${spinCycles} must be >= 0 (Infinity: never sleep)`);
  }
  return { wakeupCycles, spinCycles };
}

/** What mutex and spinlock share: the line, the hold timeline, the holder, the books. */
abstract class ExclusiveLock implements Lock {
  /** The lock word's line; only the lock may touch it. */
  readonly line: number;
  protected readonly lines: CacheLines;
  private readonly holds = new BusyTimeline();
  private readonly expectedHold = new HoldEstimate();
  private readonly book: LockBook;
  private readonly what: string;
  private holder = NONE;
  /** Start of the current hold on the timeline (the time the lock became this holder's). */
  private holdStart = 0;
  private acquiredAt = 0;

  constructor(
    protected readonly machine: Machine,
    readonly name: string,
    kind: string,
  ) {
    this.what = `${kind} "${name}"`;
    this.lines = machine.lines;
    this.line = machine.lines.allocLines(1, this.what);
    this.book = new LockBook(machine);
  }

  get stats(): Readonly<LockStats> {
    return this.book.stats;
  }

  /** Core holding the lock, or -1. */
  get heldBy(): number {
    return this.holder;
  }

  lock(core: number): void {
    checkCore(this.machine, core, this.what);
    if (this.holder !== NONE) throw heldError(this.what, this.holder, core);
    const machine = this.machine;
    const saved = machine.current;
    machine.current = core;
    const clocks = machine.clocks;
    const arrival = clocks[core];
    const free = this.holds.fit(arrival, this.expectedHold.value);
    const wait = free - arrival + this.sleepCycles(free - arrival);
    clocks[core] = arrival + wait;
    this.acquireAccess(wait > 0);
    this.holder = core;
    this.holdStart = free;
    this.acquiredAt = clocks[core];
    this.book.acquired(core, wait);
    machine.current = saved;
  }

  unlock(core: number): void {
    if (this.holder === NONE) {
      throw new Error(`${this.what}: core ${core} unlocks it but it is not held`);
    }
    if (this.holder !== core) {
      throw new Error(`${this.what}: core ${core} unlocks it but core ${this.holder} holds it`);
    }
    const machine = this.machine;
    const saved = machine.current;
    machine.current = core;
    const clocks = machine.clocks;
    this.releaseAccess();
    const end = clocks[core];
    this.holds.add(this.holdStart, end);
    this.expectedHold.observe(end - this.holdStart);
    this.book.stats.holdCycles += end - this.acquiredAt;
    this.holder = NONE;
    machine.current = saved;
  }

  /** Extra cycles a waiter that waited `waitCycles` pays before it runs (sleep and wakeup). */
  protected abstract sleepCycles(waitCycles: number): number;
  /** The line accesses of a successful acquire. */
  protected abstract acquireAccess(contended: boolean): void;
  /** The line access of a release. */
  protected abstract releaseAccess(): void;

  protected countSleep(): void {
    this.book.stats.sleeps++;
  }
}

/**
 * A sleeping mutex (OSv mutex, Linux mutex): lock and unlock are locked RMWs on the lock line;
 * a waiter that waits longer than spinCycles sleeps and pays wakeupCycles.
 */
export class SimMutex extends ExclusiveLock {
  readonly spinCycles: number;
  readonly wakeupCycles: number;

  constructor(machine: Machine, name: string, options: MutexOptions = {}) {
    super(machine, name, 'mutex');
    const policy = sleepPolicy(machine, options, `mutex "${name}"`);
    this.spinCycles = policy.spinCycles;
    this.wakeupCycles = policy.wakeupCycles;
  }

  protected sleepCycles(waitCycles: number): number {
    if (waitCycles <= this.spinCycles) return 0;
    this.countSleep();
    return this.wakeupCycles;
  }
  protected acquireAccess(): void {
    this.lines.rmwPlaced(this.line);
  }
  protected releaseAccess(): void {
    this.lines.rmwPlaced(this.line);
  }
}

/**
 * A test-and-test-and-set spinlock (x86 `xchg` to take, plain store to release): waiters never
 * sleep; a contended acquire re-reads the line after the release, then takes it.
 */
export class SimSpinlock extends ExclusiveLock {
  constructor(machine: Machine, name: string) {
    super(machine, name, 'spinlock');
  }

  protected sleepCycles(): number {
    return 0;
  }
  protected acquireAccess(contended: boolean): void {
    if (contended) this.lines.read(this.line);
    this.lines.rmwPlaced(this.line);
  }
  protected releaseAccess(): void {
    this.lines.writePlaced(this.line);
  }
}
