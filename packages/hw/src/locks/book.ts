// What every simulated lock books and checks: its wait statistics (per lock, per mode), the
// machine counters lockAcquires / lockContended / lockWaitCycles / lockSleeps, and the errors for
// misuse. Invariant: an acquisition is booked exactly once, when its hold is placed for good (at
// the release, see exclusive.ts), with the whole wait it paid.

import type { Machine } from '../machine.js';

/** Wait statistics of one lock (of one mode, for reader-writer locks). */
export interface LockStats {
  /** Successful acquisitions (booked at the release). */
  acquisitions: number;
  /** Acquisitions that waited at all (for a holder, a handoff, or the lock's line). */
  contended: number;
  /** Cycles spent waiting, summed over acquisitions (including wakeup latency). */
  waitCycles: number;
  /** Longest wait of one acquisition. */
  maxWaitCycles: number;
  /** Cycles from acquisition to release, summed (overlapping read holds each count). */
  holdCycles: number;
  /** Times a waiter went to sleep (one acquisition may sleep more than once). */
  sleeps: number;
}

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
 * Books acquisitions into a lock's stats and the machine counters. The counters' per-core values
 * are held directly (Counters.valuesOf), so booking a hold follows no machine -> counters ->
 * values chain (every uncontended hold is booked).
 */
export class LockBook {
  readonly stats: LockStats = emptyLockStats();
  private readonly acquires: Float64Array;
  private readonly contendeds: Float64Array;
  private readonly waits: Float64Array;
  private readonly sleeps: Float64Array;

  constructor(machine: Machine) {
    const { counters } = machine;
    this.acquires = counters.valuesOf(counters.define('lockAcquires'));
    this.contendeds = counters.valuesOf(counters.define('lockContended'));
    this.waits = counters.valuesOf(counters.define('lockWaitCycles'));
    this.sleeps = counters.valuesOf(counters.define('lockSleeps'));
  }

  /** One acquisition by `core` that waited `waitCycles`, slept `sleeps` times, held `hold`. */
  acquired(core: number, waitCycles: number, sleeps: number, holdCycles: number): void {
    const { stats } = this;
    stats.acquisitions++;
    stats.holdCycles += holdCycles;
    this.acquires[core] += 1;
    if (waitCycles > 0) {
      stats.contended++;
      stats.waitCycles += waitCycles;
      if (waitCycles > stats.maxWaitCycles) stats.maxWaitCycles = waitCycles;
      this.contendeds[core] += 1;
      this.waits[core] += waitCycles;
    }
    if (sleeps > 0) {
      stats.sleeps += sleeps;
      this.sleeps[core] += sleeps;
    }
  }
}

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
