// A reader-writer lock outside the simulator: JavaScript runs one operation at a time, so it never
// waits; it counts acquisitions and rejects what a simulated lock rejects (a second acquire while
// held, a release by a core that does not hold it), so native tests catch lock-order mistakes.
// `osvRwLock` picks the simulated lock when a machine is given: OSv's rwlock_t before 2025-08
// (commit e3ae696a) took an internal mutex in rlock/runlock too (`readerMutex`), and that mutex
// sleeps at once (spinCycles 0, like lockfree::mutex).

import type { RwLock } from '@unimem/core';
import { type Machine, OsvRwLock } from '@unimem/hw';

/** Which rwlock OSv has: 'mutex' (rwlock_t before 2025-08) or 'atomics' (e3ae696a and later). */
export type OsvRwLockKind = 'mutex' | 'atomics';

export class NativeRwLock implements RwLock {
  readonly stats = { reads: 0, writes: 0 };
  private holder = -1;

  constructor(readonly name: string) {}

  readLock(core: number): void {
    this.take(core);
    this.stats.reads++;
  }

  writeLock(core: number): void {
    this.take(core);
    this.stats.writes++;
  }

  readUnlock(core: number): void {
    this.release(core);
  }

  writeUnlock(core: number): void {
    this.release(core);
  }

  private take(core: number): void {
    if (this.holder !== -1) {
      throw new Error(
        `rwlock "${this.name}": core ${core} locks it while core ${this.holder} holds it`,
      );
    }
    this.holder = core;
  }

  private release(core: number): void {
    if (this.holder !== core) {
      throw new Error(`rwlock "${this.name}": core ${core} unlocks it but ${this.holder} holds it`);
    }
    this.holder = -1;
  }
}

/** OSv's rwlock_t: an OsvRwLock on `machine` of the given kind, or a NativeRwLock without one. */
export function osvRwLock(machine: Machine | undefined, name: string, kind: OsvRwLockKind): RwLock {
  if (kind !== 'mutex' && kind !== 'atomics') {
    throw new RangeError(`rwlock "${String(kind)}" must be 'mutex' or 'atomics'`);
  }
  if (machine === undefined) return new NativeRwLock(name);
  return new OsvRwLock(machine, name, kind);
}
