// The exclusive lock every mutex and spinlock kind is built on: one lock-word line, the timeline
// of its holds, the holder, and the books. The kinds (qspinlock.ts, linux-mutex.ts, ...) differ
// only in their WaitPolicy (how waiters spin, sleep and are woken: placement.ts) and in the
// line accesses of acquire and release.
//
// Invariant (mutual exclusion in simulated time): no two recorded holds overlap, whatever the
// step lengths. The scheduler runs an operation to completion before the next one (min-clock
// first), so an operation processed later may reach the lock at an earlier simulated time than
// holds already recorded, and a hold's length is known only at its release. So the hold is
// placed for good at the release: into the earliest span at or after the core's arrival that
// its policy allows and that is free for its whole length (placement.ts). At the acquire the
// critical section starts at the tentative placement of a zero-length hold (the earliest time
// the lock is free); if the real hold does not fit there, the release moves the core's clock
// on by the difference, booked as wait. Approximation (documented in the README): the work
// inside such a critical section — its line accesses, nested locks — stays charged at the
// tentative times; only the hold on this lock and everything after the release move. A hold
// that does not fit where it ran and that waited inside (for nested locks, lines, DRAM: the
// core's WAIT_COUNTERS) is placed with its own work only, its length minus those waits: they
// were mostly for the holds it now goes after, and counting them again would make every later
// hold of the other side wait longer in turn, a feedback that doubles waits each round.
// A hold whose final placement slept charges each wake to the core whose release woke it
// (wakes.ts: the releaser cannot know of waiters processed after it, so the waiter tells); a
// glibc futex waiter's xchgs charge the futex_wake syscall to the releases they made pay, and a
// hold acquired through futex_wait (slept or retried: the word is 2) pays it at its own release.

import type { Lock } from '@unimem/core';
import type { CacheLines } from '../lines.js';
import type { Machine } from '../machine.js';
import { BusyTimeline } from '../timeline.js';
import { checkCore, heldError, LockBook, type LockStats } from './book.js';
import {
  type Placement,
  placeAtRelease,
  placeHold,
  placement,
  type WaitPolicy,
} from './placement.js';
import { ReleaseLog } from './wakes.js';

const NONE = -1;

/**
 * Scratch placements shared by every lock: a placement is read right after placeHold fills it,
 * before any other hold is placed (only the start of the tentative one is kept, in the lock), so
 * one of each does for all locks and no lock allocates its own.
 */
const TENTATIVE: Placement = placement();
const FINAL: Placement = placement();

/**
 * The counters of cycles a core spends waiting for shared resources (locks, lines, DRAM): what
 * a critical section waited for inside, as opposed to its own work.
 */
export const WAIT_COUNTERS = ['lockWaitCycles', 'lineWaitCycles', 'dramWaitCycles'] as const;

/**
 * The sum of a core's WAIT_COUNTERS, read at every acquire and at a release whose hold must move
 * (placeAtRelease): the three counters' per-core values, summed in the order of WAIT_COUNTERS,
 * without an array or an iterator on the lock path. One per machine (`waitTotalOf`), shared by
 * all its locks: a lock's own would be one more object cold in the host's cache at each acquire.
 */
export class WaitTotal {
  private readonly lockWaits: Float64Array;
  private readonly lineWaits: Float64Array;
  private readonly dramWaits: Float64Array;

  constructor(machine: Machine) {
    const counters = machine.counters;
    this.lockWaits = counters.valuesOf(counters.define(WAIT_COUNTERS[0]));
    this.lineWaits = counters.valuesOf(counters.define(WAIT_COUNTERS[1]));
    this.dramWaits = counters.valuesOf(counters.define(WAIT_COUNTERS[2]));
  }

  /** Cycles `core` has waited so far. */
  of(core: number): number {
    return this.lockWaits[core] + this.lineWaits[core] + this.dramWaits[core];
  }
}

const WAIT_TOTALS = new WeakMap<Machine, WaitTotal>();

/** The machine's WaitTotal, made at its first lock (where each lock made its own before). */
export function waitTotalOf(machine: Machine): WaitTotal {
  let total = WAIT_TOTALS.get(machine);
  if (total === undefined) {
    total = new WaitTotal(machine);
    WAIT_TOTALS.set(machine, total);
  }
  return total;
}

/** One finished hold, for observers (tests, traces). Times in cycles. */
export interface HoldRecord {
  core: number;
  /** When the core reached the lock. */
  arrival: number;
  /** When the lock became this hold's (before `start` for a handoff through a wake-up). */
  from: number;
  /** When the critical section started. */
  start: number;
  /** The release: the end of the hold. */
  end: number;
  /** 'write' for exclusive holds, 'read' for shared ones. */
  mode: 'read' | 'write';
}

/** The record of a hold placed at `at` (its final placement), for `onHold`. */
export function holdRecord(
  core: number,
  arrival: number,
  at: Placement,
  end: number,
  mode: HoldRecord['mode'],
): HoldRecord {
  return { core, arrival, from: at.holdFrom, start: at.start, end, mode };
}

/** Options every lock kind accepts besides its policy. */
export interface LockObserverOptions {
  /** Called with every hold once it is placed for good (at the release). */
  onHold?: (hold: HoldRecord) => void;
}

export abstract class ExclusiveLock implements Lock {
  /** The lock word's line; only the lock may touch it. */
  readonly line: number;
  readonly policy: WaitPolicy;
  protected readonly lines: CacheLines;
  protected readonly machine: Machine;
  private readonly holds = new BusyTimeline();
  private readonly book: LockBook;
  private readonly releases: ReleaseLog;
  /** `releases` for a glibc futex policy (placeHold's futex path), null for every other kind. */
  private readonly futexLog: ReleaseLog | null;
  private readonly sleptReleaseCycles: number;
  private readonly what: string;
  private readonly onHold: ((hold: HoldRecord) => void) | undefined;
  /** Where the current hold's critical section started (its tentative placement). */
  private begun = 0;
  private readonly clocks: Float64Array;
  private holder = NONE;
  private arrival = 0;
  /** The `futexRetries` counter, defined at the first retry (other results stay as they were). */
  private cRetries = -1;
  /** The holder's wait counters at the acquire (to tell the waits inside the hold). */
  private waitedBefore = 0;
  private readonly waited: WaitTotal;

  constructor(
    machine: Machine,
    readonly name: string,
    kind: string,
    policy: WaitPolicy,
    options: LockObserverOptions = {},
  ) {
    this.machine = machine;
    this.what = `${kind} "${name}"`;
    this.policy = policy;
    this.lines = machine.lines;
    this.line = machine.lines.allocLines(1, this.what);
    this.book = new LockBook(machine);
    const futex = (policy.futexWaitCycles ?? 0) > 0;
    this.sleptReleaseCycles = policy.sleptReleaseCycles ?? 0;
    this.releases = new ReleaseLog(
      machine,
      policy.wakerCycles ?? 0,
      futex ? this.sleptReleaseCycles : 0,
      policy.pollWakerCycles ?? 0,
    );
    this.futexLog = futex ? this.releases : null;
    this.onHold = options.onHold;
    this.waited = waitTotalOf(machine);
    this.clocks = machine.clocks;
  }

  get stats(): Readonly<LockStats> {
    return this.book.stats;
  }

  /** Core holding the lock, or -1. */
  get heldBy(): number {
    return this.holder;
  }

  // lock and unlock charge `core` through the *By line accesses, so they need not bind it (the
  // bound core is for code without a core parameter, core-handle.ts).
  lock(core: number): void {
    checkCore(this.machine, core, this.what);
    if (this.holder !== NONE) throw heldError(this.what, this.holder, core);
    const clocks = this.clocks;
    const arrival = clocks[core];
    // placeHold's first round, decided here: the lock is free within the spin (at once, when
    // nothing is in the way: then neither the policy nor the scratch placement is touched).
    let start = this.holds.fit(arrival, 0);
    let blocked = false;
    if (start !== arrival && start - arrival > this.policy.spinCycles) {
      const policy = this.policy;
      const at = placeHold(
        this.holds,
        null,
        arrival,
        0,
        policy,
        policy.spinCycles,
        TENTATIVE,
        this.futexLog,
      );
      start = at.start;
      blocked = at.sleeps > 0 || at.futexWaits > 0;
    }
    clocks[core] = start;
    this.begun = start;
    this.acquireAccess(core, start > arrival, blocked);
    this.holder = core;
    this.arrival = arrival;
    this.waitedBefore = this.waited.of(core);
    this.lines.enterExclusive(core);
  }

  unlock(core: number): void {
    if (this.holder === NONE) {
      throw new Error(`${this.what}: core ${core} unlocks it but it is not held`);
    }
    if (this.holder !== core) {
      throw new Error(`${this.what}: core ${core} unlocks it but core ${this.holder} holds it`);
    }
    const clocks = this.clocks;
    this.lines.leaveExclusive(core);
    this.releaseAccess(core);
    if (this.releaseWhereRan(core)) return;
    const policy = this.policy;
    const at = FINAL;
    const length = placeAtRelease(
      this.holds,
      null,
      this.arrival,
      policy,
      policy.spinCycles,
      at,
      clocks,
      core,
      this.begun,
      this.waited,
      this.waitedBefore,
      this.futexLog,
    );
    let paid = 0;
    if (at.futexWaits > 0) {
      this.releases.chargeFutexWaits(core, at.futexAt, at.futexWaits);
      if (at.retries > 0) {
        if (this.cRetries < 0) this.cRetries = this.machine.counters.define('futexRetries');
        this.machine.counters.add(core, this.cRetries, at.retries);
      }
    }
    if (at.sleeps > 0 || at.futexWaits > 0) {
      if (at.sleeps > 0) this.releases.chargeWakes(core, at.wakes, at.polled, at.sleeps);
      paid = this.sleptReleaseCycles;
      clocks[core] += paid; // after the hold: the lock word is already free (wakes.ts)
    }
    this.finishRelease(core, at.holdFrom, at.start, length, at.sleeps, paid);
  }

  /**
   * The release of a hold that stays where it ran (placeAtRelease's first placement, decided
   * here): it fits there in the first round, within the spin, and does not move. The common case
   * of an uncontended lock, so it reads neither the policy nor the wait counters and fills no
   * placement. Returns false, having changed nothing, for every other hold.
   */
  private releaseWhereRan(core: number): boolean {
    const arrival = this.arrival;
    const begun = this.begun;
    const length = this.clocks[core] - begun;
    const start = this.holds.fit(arrival, length);
    if (start > begun || (start !== arrival && start - arrival > this.policy.spinCycles)) {
      return false;
    }
    this.finishRelease(core, start, start, length, 0, 0);
    return true;
  }

  /**
   * Records a release, by either path: the hold on the timeline from `from` (a handoff reserves
   * the lock from the waking release) to the end of its `length` cycles from `start`, its wait
   * and sleeps in the book, the release in the log (`paid`: what the releaser paid after it), and
   * the observer.
   */
  private finishRelease(
    core: number,
    from: number,
    start: number,
    length: number,
    sleeps: number,
    paid: number,
  ): void {
    const arrival = this.arrival;
    const end = start + length;
    this.holds.add(from, end);
    this.book.acquired(core, start - arrival, sleeps, length);
    this.releases.released(end, core, paid);
    this.holder = NONE;
    if (this.onHold !== undefined) this.onHold({ core, arrival, from, start, end, mode: 'write' });
  }

  /**
   * The line accesses of `core`'s successful acquire (after any wait); `blocked`: it went through
   * the kind's blocking path (slept, or called glibc's futex_wait).
   */
  protected abstract acquireAccess(core: number, contended: boolean, blocked: boolean): void;
  /** The line accesses of `core`'s release. */
  protected abstract releaseAccess(core: number): void;
}
