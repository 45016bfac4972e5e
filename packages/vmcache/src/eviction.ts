// vmcache's clock eviction (Leis et al., SIGMOD 2023, §3.3): the shared clock hand sweeps the
// resident set a batch of slots at a time; an unlocked page is marked (a candidate), a page still
// marked when the hand comes round again — nobody used it in between — is latched exclusively and
// taken. Dirty candidates are written back first (the core sleeps for the device), then the batch
// goes to the back end in one call, and only after it the pages leave the resident set, become
// evicted and free their pool slots. Invariant: a page is evicted only under its exclusive latch,
// taken from the marked state, so a latched or recently used page is never evicted.

import type { AtomicWords, Machine } from '@unimem/hw';
import type { PageBackend, PoolCounts, Step } from './api.js';
import { MARKED, type PageStates, stateOf, UNLOCKED } from './page-state.js';
import type { ResidentSet } from './resident-set.js';
import type { StorageDevice } from './storage.js';

/** What eviction works on: the pool's shared structures (owned by the BufferManager). */
export interface EvictionParts {
  machine: Machine;
  states: PageStates;
  resident: ResidentSet;
  backend: PageBackend;
  storage: StorageDevice;
  /** Word 0: pages of the pool in use (vmcache's physUsedCount). */
  used: AtomicWords;
  /** 1 for pages written since they were read (the latch holder's to change). */
  dirty: Uint8Array;
  evictBatch: number;
  /** Sweeps of `evictBatch` slots one eviction tries before giving up (about two turns). */
  sweepRounds: number;
  /** Cycles of one pwrite beyond the device time. */
  ioCallCycles: number;
  counts: PoolCounts;
}

export class ClockEviction {
  constructor(private readonly parts: EvictionParts) {}

  /** One clock batch (vmcache's evict): returns false when it found no candidate. */
  *evict(core: number): Step<boolean> {
    const { states, resident, evictBatch, sweepRounds, dirty, machine, storage, counts } =
      this.parts;
    const batch: number[] = [];
    const visit = (pid: number) => {
      if (batch.length >= evictBatch) return;
      const word = states.load(pid);
      const state = stateOf(word);
      if (state === MARKED) {
        if (states.tryLockX(pid, word)) batch.push(pid);
      } else if (state === UNLOCKED) {
        states.tryMark(pid, word);
      }
    };
    for (let round = 0; round < sweepRounds && batch.length < evictBatch; round++) {
      // Between rounds other cores act: their hand advances and latches interleave with this
      // core's at their own times, not after this core's whole sweep.
      if (round > 0) yield;
      resident.sweep(evictBatch, visit);
    }
    if (batch.length === 0) return false;
    let written = 0;
    for (const pid of batch) written += dirty[pid];
    if (written > 0) {
      machine.charge(this.parts.ioCallCycles * written, core); // one pwrite per dirty page
      const wait = storage.write(core, written);
      counts.ioWaitCycles += wait;
      yield wait;
    }
    yield* this.retire(core, batch);
    return true;
  }

  /**
   * Unmaps X-latched pages as one batch and marks them evicted; yields after the back end's
   * work, so the shared words (resident set, used count, states) change at this core's time.
   */
  *retire(core: number, batch: number[]): Step<void> {
    const { dirty, backend, resident, states, used, counts } = this.parts;
    for (const pid of batch) {
      if (dirty[pid] === 1) {
        counts.writeBacks++;
        dirty[pid] = 0;
      }
    }
    yield* backend.evict(core, batch);
    yield;
    for (const pid of batch) {
      resident.remove(pid);
      states.unlockXEvicted(pid);
    }
    used.sub(0, batch.length);
    counts.evictions += batch.length;
    counts.evictBatches++;
  }
}
