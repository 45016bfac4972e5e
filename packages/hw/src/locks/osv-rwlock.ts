// OSv's rwlock_t (core/rwlock.cc), e.g. the vma_list_mutex every page fault takes for read and
// every mmap/munmap for write. Two versions: 'mutex', the rwlock before commit e3ae696a
// (2025-08), whose rlock/runlock/wlock/wunlock each take an internal lockfree::mutex (so readers
// serialise briefly on it and sleep at once when it is taken); and 'atomics', the atomics-based
// lock since then. Waiters of either sleep and are handed the lock (OSv's wake_with), as OSv's
// mutex does, and a sleeper's CPU polls in OSv's idle loop before it halts (idle-poll.ts).
//
// Invariant: as every SimRwLock, no write hold overlaps any other hold in simulated time.

import type { Machine } from '../machine.js';
import { type RwLockOptions, SimRwLock } from '../rwlock.js';
import { osvPollCycles } from './idle-poll.js';

/** Which rwlock OSv has: 'mutex' (rwlock_t before 2025-08) or 'atomics' (e3ae696a and later). */
export type OsvRwLockKind = 'mutex' | 'atomics';

export class OsvRwLock extends SimRwLock {
  constructor(
    machine: Machine,
    name: string,
    readonly version: OsvRwLockKind = 'mutex',
    options: RwLockOptions = {},
  ) {
    if (version !== 'mutex' && version !== 'atomics') {
      throw new RangeError(`rwlock "${name}": version ${String(version)} is not mutex/atomics`);
    }
    const pollCycles = osvPollCycles(machine);
    super(
      machine,
      name,
      version === 'mutex'
        ? { readerMutex: true, spinCycles: 0, pollCycles, ...options }
        : { pollCycles, ...options },
    );
  }
}
