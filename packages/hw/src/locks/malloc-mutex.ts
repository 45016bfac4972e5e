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
// Inside OSv the waker sends the wake-up IPI (wakerCycles ipiSend, as for OsvMutex).
//
// Invariant: as every ExclusiveLock, holds never overlap in simulated time.

import type { Machine } from '../machine.js';
import { ExclusiveLock, type LockObserverOptions } from './exclusive.js';
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
    const policy = checkWaitPolicy(
      {
        spinCycles: options.spinCycles ?? spins * machine.costs.spinPause,
        wakeupCycles:
          options.wakeupCycles ?? (osv ? machine.costs.ipiLatency : machine.costs.threadWakeup),
        handoffAfterCycles: osv ? 0 : Number.POSITIVE_INFINITY,
        respinCycles: 0,
        wakerCycles,
        sleptReleaseCycles: osv ? 0 : Math.min(machine.costs.syscall, wakerCycles),
      },
      `malloc_mutex "${name}"`,
    );
    super(machine, name, 'malloc_mutex', policy, options);
    this.blocking = blocking;
  }

  protected acquireAccess(core: number, contended: boolean): void {
    // Spinners load the lock state; the winner's trylock is a cmpxchg.
    if (contended) this.lines.readBy(core, this.line);
    this.lines.rmwPlacedBy(core, this.line);
  }

  protected releaseAccess(core: number): void {
    // glibc unlock: atomic exchange of the lock word (lll_unlock); OSv: count.fetch_add(-1).
    this.lines.rmwPlacedBy(core, this.line);
  }
}
