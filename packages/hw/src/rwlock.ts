// A simulated reader-writer lock: one cache line holding the lock word, a timeline of write holds,
// one of read holds, and one of the accesses to the line. Readers wait only for writers, so read
// holds overlap; writers wait for writers and readers. Invariant: no write hold overlaps any other
// hold in simulated time, whatever the step lengths — each hold is placed for good at its release,
// when its length is known (locks/placement.ts, as locks/exclusive.ts does for exclusive locks).
// Every acquire and release also updates the lock word — a locked RMW on the shared line, placed
// on the line's timeline — so concurrent readers still serialise on the line, one transfer each.
//
// How waiters wait is a WaitPolicy per mode. SimRwLock's default is OSv's rwlock
// (core/rwlock.cc): a waiter that waits longer than spinCycles sleeps and is handed the lock
// (reserved through its wake-up). `readerMutex` models OSv's rwlock before commit e3ae696a
// (2025-08): rlock, runlock, wlock and wunlock each take the internal `_mtx` in the same line,
// update the count under it, and release it (RMW, store, RMW). Readers then queue on that mutex
// twice per read section, and a reader that waits longer than spinCycles sleeps and pays
// wakeupCycles like any mutex waiter (OSv's mutex sleeps at once: pass spinCycles 0). Linux's
// rw_semaphore is locks/rwsem.ts. Not modelled: readers deferring to queued writers (writer
// preference); here readers wait only for write holds.
//
// A hold whose final placement slept charges each wake to the core whose release woke it (the
// policy's wakerCycles, locks/wakes.ts); read and write releases share one log. A sleeper whose
// CPU still polls when it is woken (the policy's pollCycles, OSv's idle loop: locks/idle-poll.ts)
// wakes sooner and costs its waker no IPI; the internal mutex's sleepers wake so too.
//
// As with every simulated lock, a critical section never spans a yield: finding the lock held at
// an acquire is an error naming the holder, and so is a release by a core that does not hold it.

import type { RwLock } from '@unimem/core';
import type { CacheLines } from './lines.js';
import { checkCore, heldError, LockBook, type LockStats } from './locks/book.js';
import { type HoldRecord, holdRecord, type WaitTotal, waitTotalOf } from './locks/exclusive.js';
import {
  handoffFrom,
  type Placement,
  placeAtRelease,
  placeHold,
  placement,
  pollsAt,
  type WaitPolicy,
} from './locks/placement.js';
import { ReleaseLog } from './locks/wakes.js';
import { handoffPolicy, type SleepOptions } from './locks.js';
import type { Machine } from './machine.js';
import { BusyTimeline } from './timeline.js';

export interface RwLockOptions extends SleepOptions {
  /**
   * rlock/runlock take an internal mutex (OSv's rwlock until 2025-08), so readers serialise
   * briefly on it. Default false (an atomics-based rwlock).
   */
  readerMutex?: boolean;
  /** Waiting of readers; default: handoff after spinCycles (from spinCycles/wakeupCycles). */
  readPolicy?: WaitPolicy;
  /** Waiting of writers; default as readers. */
  writePolicy?: WaitPolicy;
}

const NONE = -1;
const READ = 1;
const WRITE = 2;

/**
 * Scratch placements shared by every lock: a placement is read right after placeHold fills it,
 * before any other hold is placed (only the start of the tentative one is kept, in the lock), so
 * one of each does for all locks and no lock allocates its own.
 */
const TENTATIVE: Placement = placement();
const FINAL: Placement = placement();

export class SimRwLock implements RwLock {
  /** The lock word's line; only the lock may touch it. */
  readonly line: number;
  readonly readerMutex: boolean;
  readonly spinCycles: number;
  readonly wakeupCycles: number;
  /** How the internal mutex's waiters (readerMutex) spin, sleep, poll and wake. */
  private readonly mutexPolicy: WaitPolicy;
  readonly readPolicy: WaitPolicy;
  readonly writePolicy: WaitPolicy;
  protected readonly machine: Machine;
  private readonly lines: CacheLines;
  protected readonly readHolds = new BusyTimeline();
  protected readonly writeHolds = new BusyTimeline();
  /** Accesses to the lock line (or, with readerMutex, internal-mutex sections). */
  private readonly lineBusy = new BusyTimeline();
  private readonly reads: LockBook;
  private readonly writes: LockBook;
  private readonly releases: ReleaseLog;
  private readonly what: string;
  private readonly onHold: ((hold: HoldRecord) => void) | undefined;
  /** Whether a subclass lowers the writers' spin budget (writerSpinAt). */
  private readonly writerSpinLowered: boolean;
  /** Where the current hold's critical section started (its tentative placement). */
  private begun = 0;
  private readonly clocks: Float64Array;
  private holder = NONE;
  private mode = NONE;
  private arrival = 0;
  /** Cycles waited on the lock line (internal mutex) so far by the current hold. */
  private lineWait = 0;
  /** Sleeps on the internal mutex so far by the current hold. */
  private lineSleeps = 0;
  /** The holder's wait counters at the acquire (to tell the waits inside the hold). */
  private waitedBefore = 0;
  private readonly waited: WaitTotal;

  constructor(
    machine: Machine,
    readonly name: string,
    options: RwLockOptions = {},
    kind = 'rwlock',
  ) {
    this.what = `${kind} "${name}"`;
    this.machine = machine;
    this.lines = machine.lines;
    this.line = machine.lines.allocLines(1, this.what);
    this.readerMutex = options.readerMutex ?? false;
    const policy = handoffPolicy(machine, options, this.what);
    this.spinCycles = policy.spinCycles;
    this.wakeupCycles = policy.wakeupCycles;
    this.mutexPolicy = policy;
    this.readPolicy = options.readPolicy ?? policy;
    this.writePolicy = options.writePolicy ?? policy;
    this.reads = new LockBook(machine);
    this.writes = new LockBook(machine);
    const readWaker = this.readPolicy.wakerCycles ?? 0;
    const writeWaker = this.writePolicy.wakerCycles ?? 0;
    if (readWaker !== writeWaker) {
      throw new RangeError(
        `${this.what}: readPolicy.wakerCycles ${readWaker} differs from writePolicy.wakerCycles ${writeWaker} (one release wakes either)`,
      );
    }
    const pollWaker = this.readPolicy.pollWakerCycles ?? 0;
    if (pollWaker !== (this.writePolicy.pollWakerCycles ?? 0)) {
      throw new RangeError(
        `${this.what}: readPolicy.pollWakerCycles ${pollWaker} differs from writePolicy's (one release wakes either)`,
      );
    }
    this.releases = new ReleaseLog(machine, readWaker, 0, pollWaker);
    this.onHold = options.onHold;
    this.waited = waitTotalOf(machine);
    this.clocks = machine.clocks;
    this.writerSpinLowered = this.writerSpinAt !== SimRwLock.prototype.writerSpinAt;
  }

  get readStats(): Readonly<LockStats> {
    return this.reads.stats;
  }

  get writeStats(): Readonly<LockStats> {
    return this.writes.stats;
  }

  /** Core holding the lock (for read or write), or -1. */
  get heldBy(): number {
    return this.holder;
  }

  readLock(core: number): void {
    this.acquire(core, READ);
  }

  writeLock(core: number): void {
    this.acquire(core, WRITE);
  }

  readUnlock(core: number): void {
    this.release(core, READ);
  }

  writeUnlock(core: number): void {
    this.release(core, WRITE);
  }

  /** Spin budget of a writer that starts waiting at `time` (subclasses may lower it). */
  protected writerSpinAt(_time: number): number {
    return Number.POSITIVE_INFINITY;
  }

  /**
   * The spin budget of a waiter in `mode` that arrived at `arrival`. Readers wait only for write
   * holds; writers for both kinds (placeHold's `own` and `other` timelines: fitIn).
   */
  /** The timeline a hold in `mode` must also keep clear of: write holds only for writers. */
  private otherOf(mode: number): BusyTimeline | null {
    return mode === READ ? null : this.readHolds;
  }

  private policyOf(mode: number): WaitPolicy {
    return mode === READ ? this.readPolicy : this.writePolicy;
  }

  private spinOf(mode: number, arrival: number): number {
    if (mode === READ) return this.readPolicy.spinCycles;
    const spin = this.writePolicy.spinCycles;
    return this.writerSpinLowered ? Math.min(spin, this.writerSpinAt(arrival)) : spin;
  }

  // acquire and release charge `core` through the *By line accesses, so they need not bind it
  // (the bound core is for code without a core parameter, core-handle.ts).
  private acquire(core: number, mode: number): void {
    checkCore(this.machine, core, this.what);
    if (this.holder !== NONE) {
      throw heldError(`${this.what} (held for ${modeName(this.mode)})`, this.holder, core);
    }
    const clocks = this.clocks;
    const arrival = clocks[core];
    const at = placeHold(
      this.writeHolds,
      this.otherOf(mode),
      arrival,
      0,
      this.policyOf(mode),
      this.spinOf(mode, arrival),
      TENTATIVE,
    );
    clocks[core] = at.start;
    this.begun = at.start;
    this.lineWait = 0;
    this.lineSleeps = 0;
    this.lineSection(core);
    this.holder = core;
    this.mode = mode;
    this.arrival = arrival;
    this.waitedBefore = this.waited.of(core);
    if (mode === WRITE) this.lines.enterExclusive(core);
  }

  private release(core: number, mode: number): void {
    if (this.holder !== core || this.mode !== mode) {
      const held =
        this.holder === NONE
          ? 'it is not held'
          : `core ${this.holder} holds it for ${modeName(this.mode)}`;
      throw new Error(
        `${this.what}: core ${core} ${mode === READ ? 'read' : 'write'}-unlocks it but ${held}`,
      );
    }
    const clocks = this.clocks;
    if (mode === WRITE) this.lines.leaveExclusive(core);
    this.lineSection(core);
    const at = FINAL;
    const length = placeAtRelease(
      this.writeHolds,
      this.otherOf(mode),
      this.arrival,
      this.policyOf(mode),
      this.spinOf(mode, this.arrival),
      at,
      clocks,
      core,
      this.begun,
      this.waited,
      // The internal-mutex waits of this hold's own line sections (lineWait) are waits inside
      // it too, booked only below: left in, a moved hold carried them along and waits snowballed.
      this.waitedBefore - this.lineWait,
    );
    const end = at.start + length;
    (mode === READ ? this.readHolds : this.writeHolds).add(at.holdFrom, end);
    const book = mode === READ ? this.reads : this.writes;
    book.acquired(
      core,
      at.start - this.arrival + this.lineWait,
      at.sleeps + this.lineSleeps,
      length,
    );
    if (at.sleeps > 0) this.releases.chargeWakes(core, at.wakes, at.polled, at.sleeps);
    this.releases.released(end, core, 0);
    this.holder = NONE;
    this.mode = NONE;
    if (this.onHold !== undefined) {
      this.onHold(holdRecord(core, this.arrival, at, end, mode === READ ? 'read' : 'write'));
    }
  }

  /**
   * One update of the lock word, placed on the line's timeline at the earliest free slot at or
   * after the core's clock: one RMW, or with readerMutex the internal mutex section (RMW, store,
   * RMW) whose waiter sleeps if it waits longer than spinCycles. Adds the cycles waited to
   * lineWait.
   */
  private lineSection(core: number): void {
    const clocks = this.clocks;
    const lines = this.lines;
    const at = clocks[core];
    lines.rmwPlacedBy(core, this.line);
    if (this.readerMutex) {
      lines.writePlacedBy(core, this.line);
      lines.rmwPlacedBy(core, this.line);
    }
    const cost = clocks[core] - at;
    let start = this.lineBusy.fit(at, cost);
    let length = cost;
    if (this.readerMutex && start - at > this.spinCycles) {
      // Slept on the internal mutex: it is handed over at `start`, the waiter runs after wakeup
      // (the short one if its CPU still polls then: idle-poll.ts; no waker is charged here).
      const policy = this.mutexPolicy;
      const asleep = at + policy.spinCycles;
      start = handoffFrom(this.lineBusy, null, at, asleep, cost, policy);
      const polled = pollsAt(policy, asleep, start);
      length = cost + (polled ? (policy.pollWakeupCycles ?? 0) : policy.wakeupCycles);
      this.lineSleeps++;
    }
    this.lineBusy.add(start, start + length);
    clocks[core] = start + length;
    this.lineWait += start + length - cost - at;
  }
}

function modeName(mode: number): string {
  return mode === READ ? 'read' : mode === WRITE ? 'write' : 'nothing';
}
