// OSv's rwlock_t: `osvRwLock` makes the simulated OsvRwLock when a machine is given (before
// 2025-08, commit e3ae696a, rwlock_t took an internal mutex in rlock/runlock too, `readerMutex`,
// and that mutex sleeps at once: spinCycles 0, like lockfree::mutex) and hw's NativeRwLock
// without one (never waits; rejects an acquire while held and a foreign release).

import type { RwLock } from '@unimem/core';
import { type Machine, NativeRwLock, OsvRwLock, type OsvRwLockKind } from '@unimem/hw';

/** Re-exported for the package's API; the one definition is @unimem/hw's. */
export type { OsvRwLockKind };

/** OSv's rwlock_t: an OsvRwLock on `machine` of the given kind, or a NativeRwLock without one. */
export function osvRwLock(machine: Machine | undefined, name: string, kind: OsvRwLockKind): RwLock {
  if (kind !== 'mutex' && kind !== 'atomics') {
    throw new RangeError(`rwlock "${String(kind)}" must be 'mutex' or 'atomics'`);
  }
  if (machine === undefined) return new NativeRwLock(name);
  return new OsvRwLock(machine, name, kind);
}
