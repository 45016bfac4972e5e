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
// (wakes.ts: the releaser cannot know of waiters processed after it, so the waiter tells).

import type { Lock } from '@unimem/core';
import type { CacheLines } from '../lines.js';
import type { Machine } from '../machine.js';
import { BusyTimeline } from '../timeline.js';
import { checkCore, heldError, LockBook, type LockStats } from './book.js';
import {
  type FitFn,
  type Placement,
  placeAtRelease,
  placeHold,
  placement,
  type WaitPolicy,
} from './placement.js';
import { ReleaseLog } from './wakes.js';

const NONE = -1;

/**
 * The counters of cycles a core spends waiting for shared resources (locks, lines, DRAM): what
 * a critical section waited for inside, as opposed to its own work.
 */
export const WAIT_COUNTERS = ['lockWaitCycles', 'lineWaitCycles', 'dramWaitCycles'] as const;

export function waitCounterIds(machine: Machine): number[] {
  return WAIT_COUNTERS.map((name) => machine.counters.define(name));
}

/** Cycles `core` has waited so far, summed over `ids`. */
export function waitedSoFar(machine: Machine, core: number, ids: readonly number[]): number {
  let sum = 0;
  for (const id of ids) sum += machine.counters.get(core, id);
  return sum;
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
  private readonly fit: FitFn;
  private readonly book: LockBook;
  private readonly releases: ReleaseLog;
  private readonly sleptReleaseCycles: number;
  private readonly what: string;
  private readonly onHold: ((hold: HoldRecord) => void) | undefined;
  private readonly tentative: Placement = placement();
  private readonly final: Placement = placement();
  /** Places the finished hold of the current holder into `final` (placeAtRelease). */
  private readonly placeFinal: (length: number) => Placement;
  private holder = NONE;
  private arrival = 0;
  /** The holder's wait counters at the acquire (to tell the waits inside the hold). */
  private waitedBefore = 0;
  private readonly waitCounters: readonly number[];

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
    this.releases = new ReleaseLog(machine, policy.wakerCycles ?? 0);
    this.sleptReleaseCycles = policy.sleptReleaseCycles ?? 0;
    this.onHold = options.onHold;
    this.waitCounters = waitCounterIds(machine);
    const holds = this.holds;
    this.fit = (time, duration) => holds.fit(time, duration);
    this.placeFinal = (length) =>
      placeHold(this.fit, this.arrival, length, this.policy, this.final);
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
    const handle = machine.core(core);
    const outer = handle.bind(); // acquireAccess touches the lock's lines as `core`
    try {
      const clocks = machine.clocks;
      const arrival = clocks[core];
      const at = placeHold(this.fit, arrival, 0, this.policy, this.tentative);
      clocks[core] = at.start;
      this.acquireAccess(at.start > arrival, at.sleeps > 0);
      this.holder = core;
      this.arrival = arrival;
      this.waitedBefore = waitedSoFar(machine, core, this.waitCounters);
      this.lines.enterExclusive(core);
    } finally {
      handle.unbind(outer);
    }
  }

  unlock(core: number): void {
    if (this.holder === NONE) {
      throw new Error(`${this.what}: core ${core} unlocks it but it is not held`);
    }
    if (this.holder !== core) {
      throw new Error(`${this.what}: core ${core} unlocks it but core ${this.holder} holds it`);
    }
    const machine = this.machine;
    const handle = machine.core(core);
    const outer = handle.bind(); // releaseAccess touches the lock's lines as `core`
    try {
      this.releaseBound(core);
    } finally {
      handle.unbind(outer);
    }
  }

  private releaseBound(core: number): void {
    const machine = this.machine;
    const clocks = machine.clocks;
    this.lines.leaveExclusive(core);
    this.releaseAccess();
    const nested = waitedSoFar(machine, core, this.waitCounters) - this.waitedBefore;
    const length = placeAtRelease(this.placeFinal, clocks, core, this.tentative.start, nested);
    const at = this.final;
    const end = at.start + length;
    this.holds.add(at.holdFrom, end);
    this.book.acquired(core, at.start - this.arrival, at.sleeps, length);
    let paid = 0;
    if (at.sleeps > 0) {
      this.releases.chargeWakes(core, at.wakes, at.sleeps);
      paid = this.sleptReleaseCycles;
      clocks[core] += paid; // after the hold: the lock word is already free (wakes.ts)
    }
    this.releases.released(end, core, paid);
    this.holder = NONE;
    this.onHold?.({
      core,
      arrival: this.arrival,
      from: at.holdFrom,
      start: at.start,
      end,
      mode: 'write',
    });
  }

  /** The line accesses of a successful acquire (after any wait). */
  protected abstract acquireAccess(contended: boolean, slept: boolean): void;
  /** The line accesses of a release. */
  protected abstract releaseAccess(): void;
}
