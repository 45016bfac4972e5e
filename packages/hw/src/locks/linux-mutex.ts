// Linux's struct mutex (kernel/locking/mutex.c). Fast path: cmpxchg of the owner word. Contended:
// optimistic spinning — the waiter queues on the OSQ (an MCS lock of spinners,
// kernel/locking/osq_lock.c) and spins on the owner word for as long as the owner runs on a CPU
// (mutex_spin_on_owner), then takes the lock with a cmpxchg; a task that arrives while the lock
// is free takes it at once even if others wait (lock stealing). A waiter sleeps only when the
// owner does not run or it must reschedule; in this model a hold never spans a `yield`, so the
// owner always runs and spinCycles defaults to Infinity (pass a finite value to model an
// oversubscribed or preempted machine). A sleeper is woken by the unlock (wake_up_q: the
// profile's threadWakeup) but not handed the lock: others may steal it meanwhile; after a wake-up
// that finds the lock taken, the first waiter sets MUTEX_FLAG_HANDOFF and spins again, and the
// next unlock hands it the lock (respinCycles Infinity: it gets the next release). The unlock
// that wakes a sleeper pays the wake (wakes.ts): wake_up_q -> try_to_wake_up kicks the sleeper's
// idle CPU with a reschedule IPI (the profile's ipiSend); the run-queue work itself has no figure.
//
// Invariant: as every ExclusiveLock, holds never overlap in simulated time.

import type { Machine } from '../machine.js';
import { ExclusiveLock, type LockObserverOptions } from './exclusive.js';
import { checkWaitPolicy } from './placement.js';

export interface LinuxMutexOptions extends LockObserverOptions {
  /** Optimistic-spin budget before sleeping. Default Infinity (the owner always runs). */
  spinCycles?: number;
  /** Wake-up latency of a sleeping waiter. Default: the profile's threadWakeup. */
  wakeupCycles?: number;
  /** What a wake costs the releaser. Default: the profile's ipiSend (see the header). */
  wakerCycles?: number;
}

export class LinuxMutex extends ExclusiveLock {
  constructor(machine: Machine, name: string, options: LinuxMutexOptions = {}) {
    const policy = checkWaitPolicy(
      {
        spinCycles: options.spinCycles ?? Number.POSITIVE_INFINITY,
        wakeupCycles: options.wakeupCycles ?? machine.costs.threadWakeup,
        handoffAfterCycles: Number.POSITIVE_INFINITY,
        respinCycles: Number.POSITIVE_INFINITY,
        wakerCycles: options.wakerCycles ?? machine.costs.ipiSend,
      },
      `mutex "${name}"`,
    );
    super(machine, name, 'mutex', policy, options);
  }

  protected acquireAccess(core: number, contended: boolean): void {
    // Spinners watch the owner word; after the release they re-read it and cmpxchg it.
    if (contended) this.lines.readBy(core, this.line);
    this.lines.rmwPlacedBy(core, this.line);
  }

  protected releaseAccess(core: number): void {
    // __mutex_unlock_fast: cmpxchg of the owner word back to 0.
    this.lines.rmwPlacedBy(core, this.line);
  }
}
