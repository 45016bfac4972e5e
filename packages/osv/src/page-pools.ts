// OSv's page pools (core/mempool.cc, namespace page_pool; docs/reference/osv.md §6) over any
// FrameAllocator: order-0 gets and puts go through the core's L1 array (l1-pool.ts); L1 refills
// and drains move batches of 32 pages through the global lock-free L2 stack (l2-pool.ts); the L2
// refills from and drains to the allocator underneath, 32 single pages under one lock
// acquisition when it offers getFrames/putFrames (PageRangeAllocator does). Orders > 0 bypass
// the pools (alloc_huge_page).
//
// OSv's policy, as modelled:
// - alloc_page: if L1 nr < max/4, wake the core's worker; if nr == 0, refill synchronously
//   (l1::refill: one batch from L2 if nr + 32 < max/2); pop.
// - free_page: if nr > 3max/4, wake the worker; if nr == max, unfill synchronously (l1::unfill:
//   the top 32 pages as a batch, stored in the top page, pushed to L2); push.
// - L1 worker (page_pool_l1_<cpu>): below max/4 refill while nr + 32 < max/2; above 3max/4
//   unfill while nr > 32 + max/2.
// - L2 (global-pool.ts): a pop below max/4 or a push above 3max/4 batches wakes the L2 worker
//   (page_pool_l2), which refills or drains to max/2; an empty stack at a pop or a full one at
//   a push is handled by the caller synchronously (OSv: up to max/2; here one batch, below).
// - Workers ('inline', default). The L1 worker of a core runs at the end of the operation that
//   woke it, on that core, which pays a wakeup and two context switches plus the worker's work
//   (a few batches): OSv's L1 worker is pinned to its CPU and preempts the application thread as
//   soon as preemption is re-enabled. The one L2 worker (page_pool_l2, unpinned) is queued
//   instead (global-pool.ts): it starts on the core whose operation woke it and does one batch
//   at the end of each later operation of that core until the stack is back at max/2. Its
//   refill (up to max/2 batches of 32 pages carved under the global lock) is far longer than an
//   operation, and one long step would make other cores wait for its lines at its end time
//   (hw README, "operation granularity"). If that core stops calling into the pools, the worker
//   stalls until it does; the synchronous paths still work. 'none': workers never run.
// - For the same reason the synchronous L2 paths do one batch, not OSv's whole loop: an empty
//   stack at a pop is refilled by one batch (the caller's) and a full one at a push drained by
//   one batch; the pop or push itself wakes the L2 worker, which continues toward max/2. In OSv
//   the caller keeps looping to max/2 before it returns, so the model lets it go earlier; the
//   pages carved and their cost under the global lock are the same.
// - Not in OSv, only so that Memory means exhausted (the FrameAllocator contract): when the L1
//   stays empty after the synchronous refill (the allocator below has fewer than 32 pages left),
//   a get takes a single page from the allocator below, then a page from another core's L1 (OSv
//   would wait for memory and finally abort with pages stranded in other CPUs' pools).
//
// Bad input is rejected before anything moves: a call that returns an error changed nothing.

import {
  AllocError,
  type FrameAllocator,
  type FrameResult,
  isCoreIndex,
  isFrameBlock,
  isOrderIn,
  Ok,
  type Status,
} from '@unimem/core';
import type { Machine } from '@unimem/hw';
import {
  L1_POOL_PAGES,
  PAGE_BATCH_PAGES,
  type PagePoolsOptions,
  type PoolStats,
  type PoolWorkers,
} from './api.js';
import { type OsvCosts, resolveOsvCosts } from './costs.js';
import { GlobalPool } from './global-pool.js';
import { L1Pools } from './l1-pool.js';
import type { L2Stack } from './l2-pool.js';
import { PoolLedger } from './pool-ledger.js';

export class PagePools implements FrameAllocator {
  readonly name: string;
  readonly cores: number;
  readonly maxOrder: number;
  readonly allocator: FrameAllocator;
  readonly l1: L1Pools;
  /** The L2 stack (its batches, watermarks, count). */
  readonly l2: L2Stack;
  readonly workers: PoolWorkers;
  readonly batchPages: number;
  private readonly global: GlobalPool;
  private readonly ledger: PoolLedger;
  private readonly machine: Machine | null;
  private readonly costs: OsvCosts;
  private readonly frames: number;
  private readonly l1Batch: Int32Array;
  private l1Pending = false;

  constructor(options: PagePoolsOptions) {
    const { allocator, machine } = options;
    if (
      allocator === null ||
      typeof allocator !== 'object' ||
      typeof allocator.get !== 'function'
    ) {
      throw new RangeError(`allocator ${String(allocator)} is not a FrameAllocator`);
    }
    const l1Pages = options.l1Pages ?? L1_POOL_PAGES;
    const batchPages = options.batchPages ?? PAGE_BATCH_PAGES;
    if (!Number.isSafeInteger(batchPages) || batchPages < 1 || batchPages > 32) {
      throw new RangeError(`batchPages ${batchPages} must be an integer in 1..32`);
    }
    if (!Number.isSafeInteger(l1Pages) || l1Pages < 4 * batchPages || l1Pages % batchPages !== 0) {
      throw new RangeError(
        `l1Pages ${l1Pages} must be a multiple of batchPages (${batchPages}) and at least 4 batches`,
      );
    }
    const workers = options.workers ?? 'inline';
    if (workers !== 'inline' && workers !== 'none') {
      throw new RangeError(`workers "${String(workers)}" must be 'inline' or 'none'`);
    }
    if (machine !== undefined && allocator.cores > machine.cores) {
      throw new RangeError(
        `allocator cores ${allocator.cores} exceed the machine's ${machine.cores}`,
      );
    }
    this.allocator = allocator;
    this.name = `pools/${allocator.name}`;
    this.cores = allocator.cores;
    this.maxOrder = allocator.maxOrder;
    this.frames = allocator.totalFrames();
    this.workers = workers;
    this.batchPages = batchPages;
    this.costs = resolveOsvCosts(options.costs);
    this.machine = machine ?? null;
    this.l1 = new L1Pools(this.cores, l1Pages, machine);
    this.ledger = new PoolLedger(this.frames);
    const maxBatches = (this.cores * l1Pages) / batchPages;
    this.global = new GlobalPool(
      allocator,
      maxBatches,
      batchPages,
      machine,
      this.ledger,
      this.costs,
    );
    this.l2 = this.global.stack;
    this.l1Batch = new Int32Array(batchPages);
  }

  get(core: number, order: number): FrameResult {
    if (!isCoreIndex(core, this.cores) || !isOrderIn(order, this.maxOrder))
      return AllocError.Argument;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      let result: number;
      if (order > 0) {
        this.ledger.stats.bypassGets++;
        result = this.allocator.get(core, order);
      } else {
        handle?.charge(this.costs.poolOp);
        result = this.allocPage(core);
        this.runWorkers(core);
      }
      return result;
    } finally {
      handle?.unbind(outer);
    }
  }

  put(core: number, frame: number, order: number): Status {
    if (!isCoreIndex(core, this.cores) || !isOrderIn(order, this.maxOrder))
      return AllocError.Argument;
    if (!Number.isInteger(frame) || frame < 0 || frame >= this.frames) return AllocError.Address;
    const ledger = this.ledger;
    if (order > 0) {
      // Pooled pages are free already, and pages the pools handed out are freed one by one.
      const pages = 2 ** order;
      const inside = frame + pages <= this.frames;
      if (inside && (ledger.pooled.anySet(frame, pages) || ledger.handedOut.anySet(frame, pages))) {
        return AllocError.Address;
      }
      return this.forwardPut(core, frame, order);
    }
    if (!ledger.handedOut.get(frame)) {
      // Not a page the pools handed out: a pooled one is free already; anything else (e.g. a
      // partial free of a larger block, if the allocator allows it) is the allocator's call.
      return ledger.pooled.get(frame) ? AllocError.Address : this.forwardPut(core, frame, 0);
    }
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      handle?.charge(this.costs.poolOp);
      this.freePage(core, frame);
      this.runWorkers(core);
      return Ok;
    } finally {
      handle?.unbind(outer);
    }
  }

  /** Returns the core's L1 pages: whole batches to L2, the rest to the allocator underneath. */
  drain(core: number): void {
    if (!isCoreIndex(core, this.cores)) return;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      const batch = this.batchPages;
      while (this.l1.count(core) >= batch) this.unfillL1(core, 0);
      const rest = this.l1.nr[core];
      for (let i = 0; i < rest; i++) this.l1Batch[i] = this.l1.pop(core);
      this.global.giveBack(core, this.l1Batch, rest);
      this.runWorkers(core);
    } finally {
      handle?.unbind(outer);
    }
  }

  /** Every L1 and the whole L2 back to the allocator underneath (e.g. before measuring it). */
  drainAll(): void {
    for (let core = 0; core < this.cores; core++) this.drain(core);
    const handle = this.machine?.core(0);
    const outer = handle?.bind() ?? 0;
    try {
      this.global.drainAll(0);
    } finally {
      handle?.unbind(outer);
    }
  }

  /**
   * The state OSv reaches after boot: every core's L1 worker has refilled its L1 toward max/2
   * and the L2 worker its stack to max/2. Each core pays for its own L1; core 0 for the L2.
   */
  prefill(): void {
    for (let core = 0; core < this.cores; core++) {
      const handle = this.machine?.core(core);
      const outer = handle?.bind() ?? 0;
      try {
        this.refillL1Worker(core);
        this.runWorkers(core);
      } finally {
        handle?.unbind(outer);
      }
    }
    const handle = this.machine?.core(0);
    const outer = handle?.bind() ?? 0;
    try {
      this.global.refill(0);
    } finally {
      handle?.unbind(outer);
    }
  }

  /** Free frames: the allocator's plus every page parked in L1 and L2. */
  freeFrames(): number {
    return this.allocator.freeFrames() + this.ledger.parked;
  }

  /** Pages parked in L1 and L2 (free, but used by OSv's stats::free()). */
  pooledFrames(): number {
    return this.ledger.parked;
  }

  totalFrames(): number {
    return this.frames;
  }

  isFree(frame: number, order: number): boolean {
    if (!isOrderIn(order, this.maxOrder) || !isFrameBlock(frame, order, this.frames)) return false;
    const pages = 2 ** order;
    for (let f = frame; f < frame + pages; f++) {
      if (!this.ledger.pooled.get(f) && !this.allocator.isFree(f, 0)) return false;
    }
    return true;
  }

  metadataBytes(): number {
    return this.allocator.metadataBytes() + this.l1.bytes() + this.l2.bytes();
  }

  /** Event counts since construction. */
  stats(): Readonly<PoolStats> {
    return this.ledger.stats;
  }

  // -------------------------------------------------------------------------------------------
  // L1 (l1::alloc_page, l1::free_page, refill, unfill)

  private allocPage(core: number): number {
    const l1 = this.l1;
    const n = l1.count(core);
    if (n < l1.max / 4) this.l1Pending = true;
    if (n === 0) {
      this.ledger.stats.l1SyncRefills++;
      this.refillL1(core);
    }
    if (l1.nr[core] > 0) {
      const frame = l1.pop(core);
      this.ledger.handOut(frame);
      this.ledger.stats.l1Gets++;
      return frame;
    }
    return this.fallback(core);
  }

  private freePage(core: number, frame: number): void {
    const l1 = this.l1;
    const n = l1.count(core);
    if (n > (l1.max * 3) / 4) this.l1Pending = true;
    if (n === l1.max) {
      this.ledger.stats.l1SyncDrains++;
      this.unfillL1(core, this.batchPages + l1.max / 2);
    }
    l1.push(core, frame);
    this.ledger.takeBack(frame);
    this.ledger.stats.l1Puts++;
  }

  /** l1::refill: one batch from L2 when nr + batch < max/2. False when none could be had. */
  private refillL1(core: number): boolean {
    const l1 = this.l1;
    const batch = this.batchPages;
    if (l1.count(core) + batch >= l1.max / 2) return true;
    const holder = this.global.allocBatch(core, this.l1Batch);
    if (holder < 0) return false;
    this.global.chargeBatch(holder, false);
    for (let i = 0; i < batch; i++) l1.push(core, this.l1Batch[i]);
    return true;
  }

  /** l1::unfill: the top `batch` pages, stored in the top page, to L2 when nr > floor. */
  private unfillL1(core: number, floor: number): void {
    const l1 = this.l1;
    const batch = this.batchPages;
    if (l1.count(core) <= floor) return;
    const holder = l1.top(core);
    for (let i = 0; i < batch; i++) this.l1Batch[i] = l1.pop(core);
    this.global.chargeBatch(holder, true);
    this.global.freeBatch(core, this.l1Batch, holder);
  }

  private refillL1Worker(core: number): void {
    const l1 = this.l1;
    while (l1.count(core) + this.batchPages < l1.max / 2) if (!this.refillL1(core)) break;
  }

  /**
   * End of an operation of `core`: the L1 worker runs if this operation woke it, then the L2
   * worker starts or steps (global-pool.ts).
   */
  private runWorkers(core: number): void {
    if (this.workers === 'none') {
      this.l1Pending = false;
      this.global.woken = false;
      return;
    }
    if (this.l1Pending) {
      this.l1Pending = false;
      this.ledger.stats.l1WorkerRuns++;
      this.machine?.core(core).charge(this.costs.workerSwitch);
      const l1 = this.l1;
      if (l1.count(core) < l1.max / 4) this.refillL1Worker(core);
      const floor = this.batchPages + l1.max / 2;
      if (l1.count(core) > (l1.max * 3) / 4) {
        while (l1.count(core) > floor) this.unfillL1(core, floor);
      }
    }
    this.global.runWorker(core);
  }

  // -------------------------------------------------------------------------------------------
  // Last resort (not OSv) and helpers

  private fallback(core: number): number {
    const frame = this.allocator.get(core, 0);
    if (frame >= 0) {
      // Never parked: handed out straight from the allocator, freed into L1 like any page.
      this.ledger.stats.fallbackGets++;
      this.ledger.handedOut.set(frame);
      return frame;
    }
    for (let i = 1; i < this.cores; i++) {
      const victim = (core + i) % this.cores;
      if (this.l1.count(victim) > 0) {
        const stolen = this.l1.pop(victim);
        this.ledger.handOut(stolen);
        this.ledger.stats.steals++;
        return stolen;
      }
    }
    return AllocError.Memory;
  }

  private forwardPut(core: number, frame: number, order: number): Status {
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      return this.allocator.put(core, frame, order);
    } finally {
      handle?.unbind(outer);
    }
  }
}
