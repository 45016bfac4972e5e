// jemalloc's malloc_mutex_t (include/jemalloc/internal/mutex.h, src/mutex.c). malloc_mutex_lock
// tries the lock (pthread_mutex_trylock: a cmpxchg); on failure malloc_mutex_lock_slow spins up
// to MALLOC_MUTEX_MAX_SPIN = 250 times (CPU_SPINWAIT, i.e. PAUSE, and a load of the lock state),
// then blocks in pthread_mutex_lock. On Linux the mutex type is PTHREAD_MUTEX_ADAPTIVE_NP, whose
// glibc lock spins up to 100 more trylocks (glibc.pthread.mutex_spin_count) before futex_wait;
// glibc's unlock releases the word and then futex_wake()s one sleeper, which competes for the
// lock again (no handoff: others may take it while it wakes). Inside OSv, pthread_mutex is
// OSv's lockfree::mutex: after jemalloc's own spin the waiter queues, sleeps, and is handed the
// lock (`blocking: 'osv'`).
//
// The futex_wake costs the releaser (wakes.ts): an unlock that finds the word contended (2: a
// waiter set it before futex_wait) enters the kernel (the profile's syscall) and wakes the
// sleeper with try_to_wake_up, which kicks the sleeper's idle CPU with a reschedule IPI (the
// profile's ipiSend: the sender's side, a VM exit in a guest without AVIC). The kernel's own
// wake path (futex hash bucket, run-queue lock) has no figure and is left out: a lower bound.
// A thread that slept for the lock acquires it with the word at 2 (__lll_lock_wait's xchg), so
// its unlock calls futex_wake even when nobody sleeps: it pays the syscall (sleptReleaseCycles).
// Inside OSv the waker sends the wake-up IPI (wakerCycles ipiSend, as for OsvMutex), unless the
// sleeper's CPU still polls in OSv's idle loop (idle-poll.ts): then no IPI, and a quicker wake-up.
//
// A glibc waiter does not sleep at once (futexWaitCycles, placement.ts): __lll_lock_wait is
// `while (atomic_exchange_acquire(futex, 2) != 0) futex_wait(futex, 2)` (nptl/lowlevellock.c), and
// futex_wait returns EAGAIN without sleeping when the word no longer holds 2 (Linux
// futex_wait_setup reads it under the hash-bucket lock; futex(2)). With critical sections shorter
// than a syscall the holder usually releases during the waiter's futex_wait, so the waiter retries
// (machine counter `futexRetries`) and each of its xchgs makes the holder's unlock find 2 and pay
// futex_wake's syscall: the lock changes hands through syscalls on both sides, where a model that
// slept at once let the holder re-take it for a whole wake-up. The futex_wait round costs the
// profile's syscall (entry, the check, exit); the xchg's own line transfer is left out of it.
//
// Invariant: as every ExclusiveLock, holds never overlap in simulated time.

import type { Machine } from '../machine.js';
import { ExclusiveLock, type LockObserverOptions } from './exclusive.js';
import { idlePoll, osvPollCycles } from './idle-poll.js';
import { checkWaitPolicy } from './placement.js';

/** jemalloc's spin before blocking (include/jemalloc/internal/mutex.h). */
export const MALLOC_MUTEX_MAX_SPIN = 250;
/** glibc's adaptive-mutex spin (glibc.pthread.mutex_spin_count default, nptl). */
export const GLIBC_ADAPTIVE_SPIN = 100;

export interface MallocMutexOptions extends LockObserverOptions {
  /** What pthread_mutex_lock blocks on: glibc's futex mutex (default) or OSv's lockfree::mutex. */
  blocking?: 'futex' | 'osv';
  /** Spin before sleeping. Default: the spins above times the profile's spinPause. */
  spinCycles?: number;
  /** Wake-up latency. Default: threadWakeup (futex), ipiLatency (OSv). */
  wakeupCycles?: number;
  /**
   * What a wake costs the releaser. Default: syscall + ipiSend (futex_wake); OSv: ipiSend (the
   * wake-up IPI of wake_with).
   */
  wakerCycles?: number;
  /**
   * glibc only: the futex_wait syscall during which a release makes the waiter retry rather than
   * sleep. Default: syscall (futex); 0 sleeps at once (the model before 2026-12-05). OSv: 0.
   */
  futexWaitCycles?: number;
  /**
   * How long a sleeper's CPU polls before it halts (idle-poll.ts). Default: OSv's idle poll
   * (osvPollCycles) with `blocking: 'osv'`, 0 with the futex (Linux halts at once).
   */
  pollCycles?: number;
}

export class MallocMutex extends ExclusiveLock {
  readonly blocking: 'futex' | 'osv';

  constructor(machine: Machine, name: string, options: MallocMutexOptions = {}) {
    const blocking = options.blocking ?? 'futex';
    if (blocking !== 'futex' && blocking !== 'osv') {
      throw new RangeError(`malloc_mutex "${name}": blocking ${String(blocking)} is not futex/osv`);
    }
    const osv = blocking === 'osv';
    const spins = MALLOC_MUTEX_MAX_SPIN + (osv ? 0 : GLIBC_ADAPTIVE_SPIN);
    const wakerCycles =
      options.wakerCycles ?? (osv ? 0 : machine.costs.syscall) + machine.costs.ipiSend;
    const wakeupCycles =
      options.wakeupCycles ?? (osv ? machine.costs.ipiLatency : machine.costs.threadWakeup);
    const pollCycles = options.pollCycles ?? (osv ? osvPollCycles(machine) : 0);
    const policy = checkWaitPolicy(
      {
        spinCycles: options.spinCycles ?? spins * machine.costs.spinPause,
        wakeupCycles,
        handoffAfterCycles: osv ? 0 : Number.POSITIVE_INFINITY,
        respinCycles: 0,
        wakerCycles,
        sleptReleaseCycles: osv ? 0 : Math.min(machine.costs.syscall, wakerCycles),
        futexWaitCycles: osv ? 0 : (options.futexWaitCycles ?? machine.costs.syscall),
        ...(pollCycles === 0 ? {} : idlePoll(machine, pollCycles, wakeupCycles, wakerCycles)),
      },
      `malloc_mutex "${name}"`,
    );
    super(machine, name, 'malloc_mutex', policy, options);
    this.blocking = blocking;
  }

  protected acquireAccess(core: number, contended: boolean, blocked: boolean): void {
    // Spinners load the lock state; the winner's trylock is a cmpxchg. glibc's futex path
    // acquires with the xchg of __lll_lock_wait's loop alone, with no load before it.
    if (contended && !(blocked && this.blocking === 'futex')) this.lines.readBy(core, this.line);
    this.lines.rmwPlacedBy(core, this.line);
  }

  protected releaseAccess(core: number): void {
    // glibc unlock: atomic exchange of the lock word (lll_unlock); OSv: count.fetch_add(-1).
    this.lines.rmwPlacedBy(core, this.line);
  }
}
