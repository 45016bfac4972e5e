// The generic simulated locks SimMutex and SimSpinlock, and the exports shared by every lock
// kind. A lock is one lock-word line plus the timeline of its holds (locks/exclusive.ts), whose
// waiters wait by a WaitPolicy (locks/placement.ts). The lock kinds named after the real
// primitives are in locks/: QueuedSpinlock (Linux qspinlock), LinuxMutex, OsvMutex (OSv
// lockfree::mutex), MallocMutex (jemalloc); reader-writer locks in rwlock.ts and locks/rwsem.ts.
//
// SimMutex is the configurable spin-then-sleep mutex with handoff (a woken waiter is handed the
// lock, which stays reserved through its wake-up — OSv's lockfree::mutex behaviour); SimSpinlock
// is a test-and-test-and-set spinlock (waiters never sleep; a contended acquire re-reads the line
// after the release, then takes it). Nothing depends on the number of cores: a lock serialises
// only through its holds and its line.
//
// Operations are synchronous within one scheduler step, so a critical section never spans a
// `yield`: finding the lock held at an acquire means its holder yielded inside the critical
// section, which is an error, as is any unlock by a core that does not hold the lock.

import { ExclusiveLock, type LockObserverOptions } from './locks/exclusive.js';
import { idlePoll } from './locks/idle-poll.js';
import { checkWaitPolicy, type WaitPolicy } from './locks/placement.js';
import type { Machine } from './machine.js';

export { checkCore, emptyLockStats, heldError, LockBook, type LockStats } from './locks/book.js';
export { ExclusiveLock, type HoldRecord, type LockObserverOptions } from './locks/exclusive.js';
export type { WaitPolicy } from './locks/placement.js';

/** How a blocking lock's waiters wait: spin first, then sleep. */
export interface SleepOptions extends LockObserverOptions {
  /**
   * A waiter spins this many cycles before it sleeps. Default: wakeupCycles — spinning for as
   * long as blocking would cost is 2-competitive (Karlin et al., "Empirical studies of competitive
   * spinning", SOSP 1991). 0: sleep at once (OSv's lockfree::mutex); Infinity: never sleep.
   */
  spinCycles?: number;
  /**
   * Latency from a release until a sleeping waiter runs. Default: the profile's ipiLatency — the
   * release wakes the waiter with an IPI to its idle core.
   */
  wakeupCycles?: number;
  /**
   * What waking a sleeper costs the releaser (locks/wakes.ts). Default: the profile's ipiSend —
   * the IPI whose latency the sleeper pays (OSv's wake_with -> wake -> send_wakeup_ipi).
   */
  wakerCycles?: number;
  /**
   * How long a sleeper's CPU polls for its wake-up before it halts; a wake within it costs no
   * IPI (locks/idle-poll.ts, OSv's cpu::do_idle). Default 0 (halts at once); OsvMutex and
   * OsvRwLock: OSv's poll (osvPollCycles).
   */
  pollCycles?: number;
}

export type MutexOptions = SleepOptions;

/** The handoff policy of SimMutex (and SimRwLock) from its options, checked. */
export function handoffPolicy(machine: Machine, options: SleepOptions, what: string): WaitPolicy {
  const wakeupCycles = options.wakeupCycles ?? machine.costs.ipiLatency;
  const wakerCycles = options.wakerCycles ?? machine.costs.ipiSend;
  const poll = idlePoll(machine, options.pollCycles ?? 0, wakeupCycles, wakerCycles);
  return checkWaitPolicy(
    {
      spinCycles: options.spinCycles ?? wakeupCycles,
      wakeupCycles,
      handoffAfterCycles: 0,
      respinCycles: 0,
      wakerCycles,
      pollCycles: poll.pollCycles,
      pollWakeupCycles: poll.pollWakeupCycles,
      pollWakerCycles: poll.pollWakerCycles,
    },
    what,
  );
}

/**
 * A sleeping mutex with handoff: lock and unlock are locked RMWs on the lock line; a waiter that
 * waits longer than spinCycles sleeps, is handed the lock at a release and runs wakeupCycles
 * later, the lock reserved for it meanwhile.
 */
export class SimMutex extends ExclusiveLock {
  readonly spinCycles: number;
  readonly wakeupCycles: number;

  constructor(machine: Machine, name: string, options: MutexOptions = {}, kind = 'mutex') {
    const policy = handoffPolicy(machine, options, `${kind} "${name}"`);
    super(machine, name, kind, policy, options);
    this.spinCycles = policy.spinCycles;
    this.wakeupCycles = policy.wakeupCycles;
  }

  protected acquireAccess(core: number): void {
    this.lines.rmwPlacedBy(core, this.line);
  }
  protected releaseAccess(core: number): void {
    this.lines.rmwPlacedBy(core, this.line);
  }
}

const SPIN: WaitPolicy = {
  spinCycles: Number.POSITIVE_INFINITY,
  wakeupCycles: 0,
  handoffAfterCycles: Number.POSITIVE_INFINITY,
  respinCycles: Number.POSITIVE_INFINITY,
};

/** The policy of a lock whose waiters spin until they get it. */
export function spinPolicy(): WaitPolicy {
  return SPIN;
}

/**
 * A test-and-test-and-set spinlock (x86 `xchg` to take, plain store to release): waiters never
 * sleep; a contended acquire re-reads the line after the release, then takes it. Other spinners'
 * re-reads are not charged, so under contention this is a lower bound for a TTAS lock.
 */
export class SimSpinlock extends ExclusiveLock {
  constructor(machine: Machine, name: string, options: LockObserverOptions = {}) {
    super(machine, name, 'spinlock', SPIN, options);
  }

  protected acquireAccess(core: number, contended: boolean): void {
    if (contended) this.lines.readBy(core, this.line);
    this.lines.rmwPlacedBy(core, this.line);
  }
  protected releaseAccess(core: number): void {
    this.lines.writePlacedBy(core, this.line);
  }
}
