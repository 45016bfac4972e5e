// Locks outside the simulator, for components built without a machine. JavaScript runs one
// operation at a time, so no lock ever waits. NativeMutex and NativeRwLock count acquisitions and
// reject what a simulated lock rejects (an acquire while the lock is held, readers included, and
// a release by a core that does not hold it), so native tests catch lock-order mistakes.
// `freeLock` checks and costs nothing: it stands for state another lock already guards, and a
// simulated core may yield while holding it. Invariant: a native lock is held by at most one core.

import type { Lock, RwLock } from '@unimem/core';
import { emptyLockStats, type LockStats } from './book.js';

const NOBODY = -1;

/** The holder after `core` acquires a lock held by `holder`; throws if it is held. */
function take(kind: string, name: string, holder: number, core: number): number {
  if (holder !== NOBODY) {
    throw new Error(`${kind} "${name}": core ${core} locks it while core ${holder} holds it`);
  }
  return core;
}

/** The holder after `core` releases a lock held by `holder`; throws unless `core` holds it. */
function release(kind: string, name: string, holder: number, core: number): number {
  if (holder !== core) {
    throw new Error(`${kind} "${name}": core ${core} unlocks it but ${holder} holds it`);
  }
  return NOBODY;
}

/** A mutex outside the simulator (the native counterpart of SimMutex). */
export class NativeMutex implements Lock {
  readonly stats: LockStats = emptyLockStats();
  /** Core holding the lock, or -1. */
  heldBy = NOBODY;

  constructor(readonly name: string) {}

  lock(core: number): void {
    this.heldBy = take('mutex', this.name, this.heldBy, core);
    this.stats.acquisitions++;
  }

  unlock(core: number): void {
    this.heldBy = release('mutex', this.name, this.heldBy, core);
  }
}

/** A reader-writer lock outside the simulator; a reader also holds it alone (see the header). */
export class NativeRwLock implements RwLock {
  readonly stats = { reads: 0, writes: 0 };
  private holder = NOBODY;

  constructor(readonly name: string) {}

  readLock(core: number): void {
    this.holder = take('rwlock', this.name, this.holder, core);
    this.stats.reads++;
  }

  writeLock(core: number): void {
    this.holder = take('rwlock', this.name, this.holder, core);
    this.stats.writes++;
  }

  readUnlock(core: number): void {
    this.holder = release('rwlock', this.name, this.holder, core);
  }

  writeUnlock(core: number): void {
    this.holder = release('rwlock', this.name, this.holder, core);
  }
}

/** A lock (exclusive and reader-writer) that is never contended and costs nothing. */
export function freeLock(name: string): Lock & RwLock {
  return {
    name,
    lock() {},
    unlock() {},
    readLock() {},
    readUnlock() {},
    writeLock() {},
    writeUnlock() {},
  };
}
