// OSv's global mutex, free_page_ranges_lock: `globalMutex` makes an OsvMutex when a machine is
// given (a lockfree::mutex, whose contended lock() queues and sleeps at once, core/lfmutex.cc,
// hence spinCycles 0 by default) and hw's NativeMutex without one (never waits; counts
// acquisitions, the figure the pools are meant to cut, and rejects recursive locking and foreign
// unlocks, as the simulated lock does).

import type { Lock } from '@unimem/core';
import { type LockStats, type Machine, type MutexOptions, NativeMutex, OsvMutex } from '@unimem/hw';

/** A lock with statistics: SimMutex, or NativeMutex outside the simulator. */
export interface CountingLock extends Lock {
  readonly stats: Readonly<LockStats>;
  /** Core holding the lock, or -1. */
  readonly heldBy: number;
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
