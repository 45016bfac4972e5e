// The bulk experiment of OSv's frame layer: the LLFree artifact's bulk benchmark (every core
// allocates `pagesPerCore` order-0 frames, barrier, frees them in allocation order), run by the
// one frame-benchmark loop of @unimem/hw/frame-bench (same loop and warm-up round as every
// other frame benchmark), on page_range_allocator alone or on the L1/L2 pools over it
// (prefilled, as after OSv's boot). What this file adds is OSv's own explanation of a number:
// free_page_ranges_lock acquisitions, wait and hold per operation, read from the mutex as
// extra counters of each timed phase, and the pool-batch wait. Invariant: the counters of a phase
// are exactly the events between the first core entering it and the last leaving it.

import { defaultProfile, type Profile } from '@unimem/hw';
import { perOp, phaseOf, runFrameBench } from '@unimem/hw/frame-bench';
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

export function bulkExperiment(options: BulkOptions): BulkResult {
  const { system, cores, pagesPerCore } = options;
  if (!Number.isSafeInteger(pagesPerCore) || pagesPerCore < 1) {
    throw new RangeError(`pagesPerCore ${pagesPerCore} must be a positive integer`);
  }
  const started = performance.now();
  let ranges: PageRangeAllocator | undefined;
  let pools: PagePools | null = null;
  const result = runFrameBench(
    (machine, { frames }) => {
      ranges = new PageRangeAllocator({ frames, cores, machine });
      pools = system === 'pools' ? new PagePools({ allocator: ranges, machine }) : null;
      if (pools !== null) pools.prefill();
      return pools ?? ranges;
    },
    {
      bench: 'bulk',
      order: 0,
      cores,
      allocs: pagesPerCore,
      profile: options.profile ?? defaultProfile,
      seed: options.seed,
      // Room for every core's pages plus what the pools may park (L1: 512 per core, L2: 16
      // batches of 32 per core), rounded to 4 MiB.
      frames: Math.ceil((cores * (pagesPerCore + 512 + 512)) / 1024) * 1024,
      extraCounters: () => ({
        mutexAcquisitions: ranges!.mutex.stats.acquisitions,
        mutexWaitCycles: ranges!.mutex.stats.waitCycles,
        mutexHoldCycles: ranges!.mutex.stats.holdCycles,
      }),
    },
  );
  const phase = (op: 'alloc' | 'free'): BulkPhase => {
    const p = phaseOf(result, op);
    return {
      cyclesPerOp: p.makespanCycles / pagesPerCore,
      mutexAcquiresPerOp: perOp(p, 'mutexAcquisitions'),
      mutexWaitPerOp: perOp(p, 'mutexWaitCycles'),
      transfersPerOp: perOp(p, 'lineTransfers'),
      lineWaitPerOp: perOp(p, 'lineWaitCycles'),
      poolWaitPerOp: perOp(p, 'poolBatchWaitCycles'),
      mutexBusy: (p.counters.mutexHoldCycles ?? 0) / Math.max(1, p.makespanCycles),
    };
  };
  return {
    system,
    cores,
    alloc: phase('alloc'),
    free: phase('free'),
    pooledAtEnd: (pools as PagePools | null)?.pooledFrames() ?? 0,
    hostMs: performance.now() - started,
  };
}
