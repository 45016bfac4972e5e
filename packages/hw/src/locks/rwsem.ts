// Linux's rw_semaphore (kernel/locking/rwsem.c), the kind of mm->mmap_lock and of the 6.4+ per-VMA
// lock (vma->vm_lock). Readers: a fast-path atomic add of the reader bias; a reader that finds
// the lock write-owned (or waiters queued) does not spin (reader optimistic spinning was removed
// in v5.11) but queues and sleeps, and the writer's up_write wakes it with the read lock already
// granted (rwsem_mark_wake adds the reader bias for the woken readers): a handoff, the lock
// reserved for it through its wake-up. Writers: optimistic spinning on the owner (rwsem_spin_on_
// owner) for as long as a writer owner runs — in this model always, a hold never spans a yield —
// but on a reader-owned lock only until rwsem_rspin_threshold, (20 + readers)/2 µs, taken here at
// its minimum of 10 µs; then they sleep, are woken by the release without the lock (others may
// steal it), and after RWSEM_WAIT_TIMEOUT (4 ms: DIV_ROUND_UP(HZ, 250) jiffies) the first waiter
// sets the handoff bit and is handed the lock. Wake-ups cost the profile's threadWakeup, and the
// releaser pays each wake (locks/wakes.ts): rwsem_wake -> wake_up_q -> try_to_wake_up per woken
// task, a reschedule IPI to its idle CPU (the profile's ipiSend).
//
// Invariant: as every SimRwLock, no write hold overlaps any other hold in simulated time.

import type { Machine } from '../machine.js';
import { SimRwLock } from '../rwlock.js';
import type { LockObserverOptions } from './exclusive.js';
import { checkWaitPolicy } from './placement.js';

/** rwsem_rspin_threshold at its minimum (no readers counted): 10 µs. */
export const RWSEM_READER_SPIN_NS = 10_000;
/** RWSEM_WAIT_TIMEOUT: 4 ms before a waiting writer asks for handoff. */
export const RWSEM_WAIT_TIMEOUT_NS = 4_000_000;

export interface RwSemaphoreOptions extends LockObserverOptions {
  /** Wake-up latency of a sleeping waiter. Default: the profile's threadWakeup. */
  wakeupCycles?: number;
  /** What one wake costs the releaser. Default: the profile's ipiSend (see the header). */
  wakerCycles?: number;
}

export class RwSemaphore extends SimRwLock {
  /** A writer spins this long on a reader-owned lock before sleeping. */
  readonly readerSpinCycles: number;

  constructor(machine: Machine, name: string, options: RwSemaphoreOptions = {}) {
    const what = `rw_semaphore "${name}"`;
    const wakeupCycles = options.wakeupCycles ?? machine.costs.threadWakeup;
    const wakerCycles = options.wakerCycles ?? machine.costs.ipiSend;
    const cyclesPerNs = machine.profile.frequencyGhz.value;
    const readPolicy = checkWaitPolicy(
      { spinCycles: 0, wakeupCycles, handoffAfterCycles: 0, respinCycles: 0, wakerCycles },
      what,
    );
    const writePolicy = checkWaitPolicy(
      {
        spinCycles: Number.POSITIVE_INFINITY,
        wakeupCycles,
        handoffAfterCycles: RWSEM_WAIT_TIMEOUT_NS * cyclesPerNs,
        respinCycles: 0,
        wakerCycles,
      },
      what,
    );
    super(
      machine,
      name,
      { onHold: options.onHold, wakeupCycles, spinCycles: 0, readPolicy, writePolicy },
      'rw_semaphore',
    );
    this.readerSpinCycles = RWSEM_READER_SPIN_NS * cyclesPerNs;
  }

  /** A writer spins without bound on a writer owner, briefly on readers (see the header). */
  protected override writerSpinAt(time: number): number {
    return this.readHolds.freeFrom(time) > time ? this.readerSpinCycles : Number.POSITIVE_INFINITY;
  }
}
