// Where a hold of a lock goes in simulated time, given when its core arrived, how long the hold
// lasts, the holds already recorded (the lock's timelines: `fitIn`) and how the lock's waiters
// wait (a WaitPolicy). This is the one place the waiting semantics of every lock
// kind are decided: spinning, sleeping, wake-up latency, stealing and handoff.
//
// Invariant: the span returned, [holdFrom, start + length), is free in the timelines `fitIn` looks
// at, so recording it can never make two holds overlap. `start` never precedes `arrival`.
//
// A waiter spins while the lock is busy, for at most `spinCycles`; then it sleeps and is woken by
// the release that frees the lock for it (in timeline terms: the end of the busy stretch after
// which a span of `length` is free). Then either
// - the lock is handed to it (handoff: OSv's lockfree::mutex always; Linux's rw_semaphore for
//   readers, whose waker grants them the lock; Linux's locks for a starving waiter): the lock
//   stays reserved for it through its wake-up, so the hold starts at the release and the
//   critical section `wakeupCycles` later; or
// - the lock is only released (glibc futex mutex, Linux mutex/rwsem writers before they starve):
//   the waiter runs `wakeupCycles` later and competes again, so holds of other cores that arrive
//   meanwhile may take the lock first (stealing/barging) — in timeline terms they fill the gap
//   the wake-up leaves. Finding it busy again it spins `respinCycles`, then sleeps again.
// Each sleep round records the time of the release that woke it (`Placement.wakes`), so that the
// lock can charge that release's core for the wake (wakes.ts).
//
// glibc's futex mutex (a policy with `futexWaitCycles` > 0) does not go to sleep at once: when its
// spin runs out at time a, the waiter exchanges the lock word to 2 and calls futex_wait, a syscall
// of `futexWaitCycles`; the kernel sleeps only if the word still holds 2 (nptl __lll_lock_wait,
// futex(2) EAGAIN). The check is taken at the syscall's end, c = a + futexWaitCycles. Invariant of
// that round: the waiter retries — futex_wait returns EAGAIN and it exchanges the word again at
// c, without spinning (`Placement.retries`) — exactly when the word is not 2 at c: the lock is
// free at c, or a release fell in (a, c] (the lock's release log knows every hold's end, where
// the timeline has merged back-to-back holds) and the hold covering c left the word at 1 (its
// release paid no futex_wake: taken by the fast path and no waiter's xchg charged to it).
// Otherwise it sleeps as above. Either way the xchg left the word at 2, so the release that ends
// the hold it fell in pays futex_wake's syscall (`Placement.futexAt` names the xchg times; wakes.ts
// charges them). A policy without futexWaitCycles never takes this path (other lock kinds are
// placed as before).
//
// A sleeper's CPU may poll for its wake-up for `pollCycles` before it halts (OSv's idle loop,
// idle-poll.ts): a release that wakes it within that window (from the moment it went to sleep)
// wakes it in `pollWakeupCycles` instead of `wakeupCycles`, and the round is marked
// (`Placement.polled`) so that the waker is charged `pollWakerCycles`, not the IPI. Invariant:
// a round is marked polled only if its waking release (the handoff's, with its wake-up reserved)
// is at most pollCycles after the sleep began; with pollCycles 0 nothing changes.

import type { BusyTimeline } from '../timeline.js';
import type { WaitTotal } from './exclusive.js';
import type { ReleaseLog } from './wakes.js';

/**
 * Earliest start at or after `time` of a span of `duration` that is free in `own` and, unless it
 * is null, in `other` (a writer of a reader-writer lock: free of write holds and of read holds).
 * Timelines rather than a closure per lock: the call sites stay monomorphic and allocation-free.
 */
export function fitIn(
  own: BusyTimeline,
  other: BusyTimeline | null,
  time: number,
  duration: number,
): number {
  if (other === null) return own.fit(time, duration);
  let start = time;
  for (;;) {
    const next = other.fit(own.fit(start, duration), duration);
    if (next === start) return start;
    start = next;
  }
}

/** How a lock's waiters wait. All in cycles of the profile's clock. */
export interface WaitPolicy {
  /** A waiter spins this long before it sleeps; Infinity: never sleeps (spinlocks). */
  readonly spinCycles: number;
  /** From the release that wakes a sleeper until the sleeper runs. */
  readonly wakeupCycles: number;
  /**
   * A sleeper woken after waiting at least this long is handed the lock (reserved through its
   * wake-up): 0 always hands over (OSv lockfree::mutex), Infinity never (glibc futex mutex).
   */
  readonly handoffAfterCycles: number;
  /** A woken sleeper that finds the lock busy spins this long before sleeping again. */
  readonly respinCycles: number;
  /**
   * What waking one sleeper costs the releaser (a futex_wake syscall, the kernel's wake path):
   * charged to the core whose release woke it (wakes.ts). Default 0.
   */
  readonly wakerCycles?: number;
  /**
   * What its release costs a holder that slept for the lock even with nobody left to wake: glibc
   * leaves the futex word at 2 after a slow-path acquire, so that unlock calls futex_wake (the
   * syscall). A wake charged to such a release is charged only wakerCycles minus this. Default 0.
   */
  readonly sleptReleaseCycles?: number;
  /**
   * glibc futex mutex only: the futex_wait syscall a waiter makes when its spin runs out (see the
   * header). A release during it makes it return EAGAIN and the waiter retries instead of
   * sleeping. Default 0: the waiter sleeps at once (every other kind).
   */
  readonly futexWaitCycles?: number;
  /** How long a sleeper's CPU polls before it halts (idle-poll.ts). Default 0: halts at once. */
  readonly pollCycles?: number;
  /** From the release until a sleeper woken while its CPU polls runs (<= wakeupCycles). */
  readonly pollWakeupCycles?: number;
  /** What waking a sleeper whose CPU still polls costs the releaser (<= wakerCycles). */
  readonly pollWakerCycles?: number;
}

export interface Placement {
  /** When the critical section starts (the core's clock at acquisition). */
  start: number;
  /** When the lock became this hold's (earlier than `start` for a handoff through a wake-up). */
  holdFrom: number;
  /** Times the waiter slept. */
  sleeps: number;
  /** wakes[i] (i < sleeps): the time of the release that woke sleep round i. Reused storage. */
  wakes: number[];
  /** futex_wait calls that returned EAGAIN because the word changed (glibc futex mutex). */
  retries: number;
  /** futex_wait calls in all (retries and sleeps through the futex path). */
  futexWaits: number;
  /** futexAt[i] (i < futexWaits): when the waiter exchanged the word to 2. Reused storage. */
  futexAt: number[];
  /** polled[i] (i < sleeps): 1 if round i was woken while its CPU polled, else 0. Reused. */
  polled: number[];
}

export function placement(): Placement {
  return {
    start: 0,
    holdFrom: 0,
    sleeps: 0,
    wakes: [],
    retries: 0,
    futexWaits: 0,
    futexAt: [],
    polled: [],
  };
}

/** Throws a RangeError naming the first bad field of `policy`. */
export function checkWaitPolicy(policy: WaitPolicy, what: string): WaitPolicy {
  const { spinCycles, wakeupCycles, handoffAfterCycles, respinCycles } = policy;
  if (!(wakeupCycles >= 0) || !Number.isFinite(wakeupCycles)) {
    throw new RangeError(`${what}: wakeupCycles ${wakeupCycles} must be a finite number >= 0`);
  }
  const wakerCycles = policy.wakerCycles ?? 0;
  if (!(wakerCycles >= 0) || !Number.isFinite(wakerCycles)) {
    throw new RangeError(`${what}: wakerCycles ${wakerCycles} must be a finite number >= 0`);
  }
  const futexWait = policy.futexWaitCycles ?? 0;
  if (!(futexWait >= 0) || !Number.isFinite(futexWait)) {
    throw new RangeError(`${what}: futexWaitCycles ${futexWait} must be a finite number >= 0`);
  }
  const sleptRelease = policy.sleptReleaseCycles ?? 0;
  if (!(sleptRelease >= 0) || !(sleptRelease <= wakerCycles)) {
    throw new RangeError(
      `${what}: sleptReleaseCycles ${sleptRelease} must be in 0..wakerCycles (${wakerCycles})`,
    );
  }
  const poll = policy.pollCycles ?? 0;
  if (!(poll >= 0)) {
    throw new RangeError(`${what}: pollCycles ${poll} must be >= 0`);
  }
  const pollWakeup = policy.pollWakeupCycles ?? 0;
  if (!(pollWakeup >= 0) || !(pollWakeup <= wakeupCycles)) {
    throw new RangeError(
      `${what}: pollWakeupCycles ${pollWakeup} must be in 0..wakeupCycles (${wakeupCycles})`,
    );
  }
  const pollWaker = policy.pollWakerCycles ?? 0;
  if (!(pollWaker >= 0) || !(pollWaker <= wakerCycles)) {
    throw new RangeError(
      `${what}: pollWakerCycles ${pollWaker} must be in 0..wakerCycles (${wakerCycles})`,
    );
  }
  if (!(spinCycles >= 0)) {
    throw new RangeError(`${what}: spinCycles ${spinCycles} must be >= 0 (Infinity: never sleep)`);
  }
  if (!(respinCycles >= 0)) {
    throw new RangeError(`${what}: respinCycles ${respinCycles} must be >= 0`);
  }
  if (!(handoffAfterCycles >= 0)) {
    throw new RangeError(
      `${what}: handoffAfterCycles ${handoffAfterCycles} must be >= 0 (Infinity: never)`,
    );
  }
  return policy;
}

/**
 * Whether a futex_wait entered after the xchg at `xchg` finds the word changed at its check,
 * `check`, and returns EAGAIN (header): the lock is free then (word 0), or a release fell in
 * (xchg, check] and the hold now covering `check` left the word at 1 — a fast-path acquire that no
 * waiter's xchg turned to 2 (its release paid no futex_wake: wakes.ts).
 */
function futexWaitReturns(
  own: BusyTimeline,
  other: BusyTimeline | null,
  xchg: number,
  check: number,
  releases: ReleaseLog,
): boolean {
  if (fitIn(own, other, check, 0) === check) return true;
  const release = releases.firstAfter(xchg);
  if (release < 0 || release > check) return false; // no release since the xchg: the word is 2
  return !releases.leftAtTwo(check);
}

/**
 * Where a hold of `length` handed to a sleeper through its wake-up starts being reserved for it,
 * at or after `release`: the wake-up takes `pollWakeupCycles` if the sleeper's CPU, asleep since
 * `asleep`, still polls then (idle-poll.ts), else `wakeupCycles`. A later handoff with the longer
 * wake-up is later still (fit is monotone in the duration), so the span returned was polled
 * exactly when `pollsAt(policy, asleep, from)`.
 */
export function handoffFrom(
  own: BusyTimeline,
  other: BusyTimeline | null,
  release: number,
  asleep: number,
  length: number,
  policy: WaitPolicy,
): number {
  const poll = policy.pollCycles ?? 0;
  if (poll > 0) {
    const at = fitIn(own, other, release, (policy.pollWakeupCycles ?? 0) + length);
    if (at - asleep <= poll) return at;
  }
  return fitIn(own, other, release, policy.wakeupCycles + length);
}

/** Whether a sleeper asleep since `asleep` is woken at `at` while its CPU still polls. */
export function pollsAt(policy: WaitPolicy, asleep: number, at: number): boolean {
  const poll = policy.pollCycles ?? 0;
  return poll > 0 && at - asleep <= poll;
}

/** Bound on sleep/wake rounds of one acquisition (each round passes at least one recorded hold). */
const MAX_ROUNDS = 1 << 16;

/**
 * Places a hold of `length` cycles by a core that arrived at `arrival` (see the header) into
 * `out`, in the timelines `own` and `other` (fitIn). `spin` is the waiter's spin budget before
 * its first sleep: `policy.spinCycles`, or less (a Linux rwsem writer that finds the lock
 * reader-owned at its arrival spins only briefly). `releases`: the release log of a lock with a futex
 * policy, asked which releases fell in a futex_wait; null for every other lock (no futex path).
 */
export function placeHold(
  own: BusyTimeline,
  other: BusyTimeline | null,
  arrival: number,
  length: number,
  policy: WaitPolicy,
  spin: number,
  out: Placement,
  releases: ReleaseLog | null = null,
): Placement {
  let t = arrival;
  let budget = spin;
  let sleeps = 0;
  let futexWaits = 0;
  let retries = 0;
  // Read only for a lock that passes its log (a futex policy): other kinds' policies, of other
  // shapes, keep this path's property accesses monomorphic.
  const futexWait = releases === null ? 0 : (policy.futexWaitCycles ?? 0);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const s = fitIn(own, other, t, length);
    if (s - t <= budget) {
      out.start = s;
      out.holdFrom = s;
      out.sleeps = sleeps;
      out.retries = retries;
      out.futexWaits = futexWaits;
      return out;
    }
    if (futexWait > 0 && releases !== null) {
      // xchg(word, 2) at t + budget, then futex_wait(word, 2) for futexWait cycles (header).
      const xchg = t + budget;
      out.futexAt[futexWaits++] = xchg;
      if (futexWaitReturns(own, other, xchg, xchg + futexWait, releases)) {
        retries++; // EAGAIN: xchg again at once (no spinning in __lll_lock_wait)
        t = xchg + futexWait;
        budget = 0;
        continue;
      }
    }
    // Slept at t + budget, or on the futex path at futex_wait's check (the syscall's end: a
    // release before the check cannot wake it); woken by the release after which the hold fits.
    const asleep = t + budget + futexWait;
    const release = fitIn(own, other, asleep, length);
    out.wakes[sleeps] = release;
    out.polled[sleeps] = 0;
    sleeps++;
    if (release - arrival >= policy.handoffAfterCycles) {
      const from = handoffFrom(own, other, release, asleep, length, policy);
      const polled = pollsAt(policy, asleep, from);
      if (polled) out.polled[sleeps - 1] = 1;
      out.wakes[sleeps - 1] = from; // handed over by the release at `from` (release, or later)
      out.holdFrom = from;
      out.start = from + (polled ? (policy.pollWakeupCycles ?? 0) : policy.wakeupCycles);
      out.sleeps = sleeps;
      out.retries = retries;
      out.futexWaits = futexWaits;
      return out;
    }
    const polled = pollsAt(policy, asleep, release);
    if (polled) out.polled[sleeps - 1] = 1;
    t = release + (polled ? (policy.pollWakeupCycles ?? 0) : policy.wakeupCycles);
    budget = policy.respinCycles;
  }
  throw new Error(`lock placement did not settle after ${MAX_ROUNDS} sleeps (a model bug)`);
}

/**
 * Places a hold for good at its release, when its length is known (locks/exclusive.ts): fits a
 * hold of the core's time since `begun` (placeHold, into `out`). If the hold does not fit where
 * it ran (it starts after `begun`) and part of it was waiting for other resources (the core's
 * wait counters now, `waited.of(core)`, minus `waitedBefore`, their sum at the acquire: lock,
 * line and DRAM waits inside it) — typically for the very holds it now has to go after — only
 * its own work is placed: placed elsewhere it would not wait for them again. The waits are read
 * only then (a hold that fits where it ran, the common case, needs no counter reads). The core's
 * clock moves on by the delay (the placement can only be later than the tentative one, since fit
 * is monotone in the length; were it earlier, the clock could not run back and the hold still
 * fits). Returns the placed length; the placement is in `out`.
 */
export function placeAtRelease(
  own: BusyTimeline,
  other: BusyTimeline | null,
  arrival: number,
  policy: WaitPolicy,
  spin: number,
  out: Placement,
  clocks: Float64Array,
  core: number,
  begun: number,
  waited: WaitTotal,
  waitedBefore: number,
  releases: ReleaseLog | null = null,
): number {
  let length = clocks[core] - begun;
  placeHold(own, other, arrival, length, policy, spin, out, releases);
  if (out.start > begun) {
    const nestedWait = waited.of(core) - waitedBefore;
    if (nestedWait > 0) {
      length -= Math.min(nestedWait, length);
      placeHold(own, other, arrival, length, policy, spin, out, releases);
    }
  }
  if (out.start > begun) clocks[core] += out.start - begun;
  return length;
}
