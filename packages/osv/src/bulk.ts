// The bulk experiment of the bench (and of the thesis' "bulk" micro-benchmark, reduced to the
// frame allocator): every core allocates `pagesPerCore` order-0 frames, all cores meet at a
// barrier, then each frees its own frames in allocation order. It runs on a fresh machine for
// page_range_allocator alone or for the L1/L2 pools over it (prefilled, as after OSv's boot) and
// reports per-phase cycles per operation with the model's own counters, so a number can be
// explained: mutex acquisitions and wait, line transfers.

import { defaultProfile, Machine, type Profile } from '@unimem/hw';
import { PagePools } from './page-pools.js';
import { PageRangeAllocator } from './page-range-allocator.js';

export type BulkSystem = 'page-ranges' | 'pools';

export interface BulkOptions {
  system: BulkSystem;
  cores: number;
  pagesPerCore: number;
  profile?: Profile;
  seed?: number;
}

export interface BulkPhase {
  /** Makespan of the phase divided by the operations one core did. */
  cyclesPerOp: number;
  /** free_page_ranges_lock acquisitions per page (alloc or free). */
  mutexAcquiresPerOp: number;
  /** Cycles waited for the mutex, per operation (all cores' waits / all operations). */
  mutexWaitPerOp: number;
  /** Line transfers between cores, per operation. */
  transfersPerOp: number;
  /** Cycles waited for busy lines, and for L2 batches not pushed yet, per operation. */
  lineWaitPerOp: number;
  poolWaitPerOp: number;
  /**
   * Mutex hold cycles divided by the phase's makespan: the share of time the lock was held.
   * Above 1 the holds overlapped, which a mutex cannot do: the hardware model lost track of
   * them (see the README, "Limits"), and the row is not to be trusted.
   */
  mutexBusy: number;
}

export interface BulkResult {
  system: BulkSystem;
  cores: number;
  alloc: BulkPhase;
  free: BulkPhase;
  /** Pages parked in the pools at the end (0 for page-ranges alone). */
  pooledAtEnd: number;
  /** Host milliseconds the run took. */
  hostMs: number;
}

interface Snapshot {
  time: number;
  acquisitions: number;
  waitCycles: number;
  holdCycles: number;
  transfers: number;
  lineWait: number;
  poolWait: number;
}

export function bulkExperiment(options: BulkOptions): BulkResult {
  const { system, cores, pagesPerCore } = options;
  if (!Number.isSafeInteger(pagesPerCore) || pagesPerCore < 1) {
    throw new RangeError(`pagesPerCore ${pagesPerCore} must be a positive integer`);
  }
  const started = performance.now();
  const machine = new Machine({
    profile: options.profile ?? defaultProfile,
    cores,
    seed: options.seed,
  });
  // Room for every core's pages plus what the pools may park (L1: 512 per core, L2: 16 batches
  // of 32 per core), rounded to 4 MiB.
  const frames = Math.ceil((cores * (pagesPerCore + 512 + 512)) / 1024) * 1024;
  const ranges = new PageRangeAllocator({ frames, cores, machine });
  const pools = system === 'pools' ? new PagePools({ allocator: ranges, machine }) : null;
  const alloc = pools ?? ranges;
  if (pools !== null) pools.prefill();
  const barrier = () => {
    let latest = 0;
    for (let core = 0; core < cores; core++) latest = Math.max(latest, machine.clocks[core]);
    for (let core = 0; core < cores; core++) machine.advanceTo(latest, core);
    return latest;
  };
  const snapshot = (): Snapshot => ({
    time: barrier(),
    acquisitions: ranges.mutex.stats.acquisitions,
    waitCycles: ranges.mutex.stats.waitCycles,
    holdCycles: ranges.mutex.stats.holdCycles,
    transfers: machine.counters.totalOf('lineTransfers'),
    lineWait: machine.counters.totalOf('lineWaitCycles'),
    poolWait: machine.counters.totalOf('poolBatchWaitCycles'),
  });
  const phase = (from: Snapshot, to: Snapshot): BulkPhase => {
    const ops = cores * pagesPerCore;
    return {
      cyclesPerOp: (to.time - from.time) / pagesPerCore,
      mutexAcquiresPerOp: (to.acquisitions - from.acquisitions) / ops,
      mutexWaitPerOp: (to.waitCycles - from.waitCycles) / ops,
      transfersPerOp: (to.transfers - from.transfers) / ops,
      lineWaitPerOp: (to.lineWait - from.lineWait) / ops,
      poolWaitPerOp: (to.poolWait - from.poolWait) / ops,
      mutexBusy: (to.holdCycles - from.holdCycles) / Math.max(1, to.time - from.time),
    };
  };
  const owned = new Int32Array(cores * pagesPerCore);
  const start = snapshot();
  machine.run((core) =>
    (function* () {
      for (let i = 0; i < pagesPerCore; i++) {
        const frame = alloc.get(core, 0);
        if (frame < 0) throw new Error(`bulk: core ${core} got ${frame} at page ${i}`);
        owned[core * pagesPerCore + i] = frame;
        yield;
      }
    })(),
  );
  const allocated = snapshot();
  machine.run((core) =>
    (function* () {
      for (let i = 0; i < pagesPerCore; i++) {
        const status = alloc.put(core, owned[core * pagesPerCore + i], 0);
        if (status !== 0) throw new Error(`bulk: core ${core} put returned ${status}`);
        yield;
      }
    })(),
  );
  const freed = snapshot();
  return {
    system,
    cores,
    alloc: phase(start, allocated),
    free: phase(allocated, freed),
    pooledAtEnd: pools?.pooledFrames() ?? 0,
    hostMs: performance.now() - started,
  };
}
