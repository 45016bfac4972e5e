// The global mutex outside the simulator: JavaScript runs one operation at a time, so the lock
// never waits; it counts acquisitions (the figure the pools are meant to cut) and rejects
// recursive locking and foreign unlocks, as SimMutex does. `globalMutex` picks OsvMutex when a
// machine is given: OSv's free_page_ranges_lock is a lockfree::mutex, whose contended lock()
// queues and sleeps at once (core/lfmutex.cc), hence spinCycles 0 by default.

import type { Lock } from '@unimem/core';
import {
  emptyLockStats,
  type LockStats,
  type Machine,
  type MutexOptions,
  OsvMutex,
} from '@unimem/hw';

/** A lock with statistics: SimMutex, or NativeMutex outside the simulator. */
export interface CountingLock extends Lock {
  readonly stats: Readonly<LockStats>;
  /** Core holding the lock, or -1. */
  readonly heldBy: number;
}

export class NativeMutex implements CountingLock {
  readonly stats: LockStats = emptyLockStats();
  heldBy = -1;

  constructor(readonly name: string) {}

  lock(core: number): void {
    if (this.heldBy !== -1) {
      throw new Error(
        `mutex "${this.name}": core ${core} locks it while core ${this.heldBy} holds it`,
      );
    }
    this.heldBy = core;
    this.stats.acquisitions++;
  }

  unlock(core: number): void {
    if (this.heldBy !== core) {
      throw new Error(`mutex "${this.name}": core ${core} unlocks it but ${this.heldBy} holds it`);
    }
    this.heldBy = -1;
  }
}

/** OSv's lockfree::mutex (OsvMutex) on `machine`, or a NativeMutex without one. */
export function globalMutex(
  machine: Machine | undefined,
  name: string,
  options: MutexOptions = {},
): CountingLock {
  if (machine === undefined) return new NativeMutex(name);
  return new OsvMutex(machine, name, options);
}
