// The behaviour of OSv's `class l2` (core/mempool.cc) around its lock-free stack (l2-pool.ts):
// alloc_page_batch and free_page_batch for the L1 pools, l2::refill (batches of single pages
// carved from the allocator underneath, under its lock) and l2::unfill / free_batch (back to
// it), and the one L2 worker thread (page_pool_l2). Watermarks max/4 and 3max/4 wake the worker,
// which refills or drains to max/2.
//
// Modelling choices (page-pools.ts explains them with the L1 side):
// - The worker is queued: it starts on the core whose operation woke it and does one batch at
//   the end of each later operation of that core (`step`) until the stack is at max/2. While it
//   runs, further wakeups do nothing (one thread).
// - The synchronous paths do one batch, not OSv's whole loop: an empty stack at a pop is refilled
//   by one batch (the caller's), a full one at a push drained by one batch; the worker, woken by
//   the same pop or push, continues. The pages carved under the lock and their cost are the same.
//
// Pages moved in or out are booked in the ledger (parked = free but pooled).

import { type FrameAllocator, Ok } from '@unimem/core';
import type { CacheLines, Machine } from '@unimem/hw';
import type { BatchFrameSource } from './api.js';
import type { OsvCosts } from './costs.js';
import { type FrameLines, frameLines } from './frame-lines.js';
import { L2Stack } from './l2-pool.js';
import type { PoolLedger } from './pool-ledger.js';

const IDLE = 0;
const REFILLING = 1;
const DRAINING = 2;

function batchSource(allocator: FrameAllocator): BatchFrameSource | null {
  const candidate = allocator as Partial<BatchFrameSource>;
  return typeof candidate.getFrames === 'function' && typeof candidate.putFrames === 'function'
    ? (candidate as BatchFrameSource)
    : null;
}

export class GlobalPool {
  readonly stack: L2Stack;
  /** A pop below max/4 or a push above 3max/4 happened: the worker should wake. */
  woken = false;
  private worker = -1;
  private mode = IDLE;
  private readonly source: BatchFrameSource | null;
  private readonly batch: Int32Array;
  private readonly lines: CacheLines | null;
  private readonly frameLines: FrameLines | null;
  private readonly machine: Machine | null;

  constructor(
    private readonly allocator: FrameAllocator,
    maxBatches: number,
    readonly batchPages: number,
    machine: Machine | undefined,
    private readonly ledger: PoolLedger,
    private readonly costs: OsvCosts,
  ) {
    this.stack = new L2Stack(maxBatches, batchPages, machine);
    this.source = batchSource(allocator);
    this.batch = new Int32Array(batchPages);
    this.machine = machine ?? null;
    this.lines = machine?.lines ?? null;
    this.frameLines = machine ? frameLines(machine) : null;
  }

  /** alloc_page_batch into `out`: the holder page, or -1 when the allocator has no batch. */
  allocBatch(core: number, out: Int32Array): number {
    const stack = this.stack;
    for (;;) {
      if (stack.count() < stack.lowWatermark) this.woken = true;
      const holder = stack.pop(out);
      if (holder >= 0) {
        this.ledger.stats.l2Pops++;
        return holder;
      }
      this.ledger.stats.l2SyncRefills++;
      if (!this.refillOne(core)) return -1;
    }
  }

  /** free_page_batch of `batch` (stored in `holder`). */
  freeBatch(core: number, batch: Int32Array, holder: number): void {
    const stack = this.stack;
    for (;;) {
      if (stack.count() > stack.highWatermark) this.woken = true;
      if (stack.push(batch, holder)) {
        this.ledger.stats.l2Pushes++;
        return;
      }
      this.ledger.stats.l2SyncDrains++;
      this.drainOne(core);
    }
  }

  /** l2::refill in one go (boot-time prefill): to max/2. */
  refill(core: number): void {
    while (this.stack.count() < this.stack.max / 2) if (!this.refillOne(core)) break;
  }

  /** Every batch back to the allocator; the worker goes to sleep. */
  drainAll(core: number): void {
    while (this.drainOne(core)) {}
    this.worker = -1;
    this.mode = IDLE;
  }

  /**
   * End of an operation of `core`: a woken, sleeping worker starts here (refill below max/4,
   * drain above 3max/4), paying a wakeup and two switches; an active worker on this core does
   * one batch.
   */
  runWorker(core: number): void {
    const stack = this.stack;
    if (this.woken) {
      this.woken = false;
      if (this.worker < 0) {
        const n = stack.count();
        this.mode = n < stack.lowWatermark ? REFILLING : n > stack.highWatermark ? DRAINING : IDLE;
        if (this.mode !== IDLE) {
          this.worker = core;
          this.ledger.stats.l2WorkerRuns++;
          this.machine?.charge(this.costs.workerSwitch);
        }
      }
    }
    if (this.worker !== core) return;
    const half = stack.max / 2;
    const n = stack.count();
    let progress = false;
    if (this.mode === REFILLING && n < half) progress = this.refillOne(core);
    else if (this.mode === DRAINING && n > half) progress = this.drainOne(core);
    if (!progress || (this.mode === REFILLING ? stack.nr >= half : stack.nr <= half)) {
      this.worker = -1;
      this.mode = IDLE;
    }
  }

  /** Parked pages back to the allocator underneath (under its lock when it takes batches). */
  giveBack(core: number, frames: Int32Array, count: number): void {
    if (count === 0) return;
    this.ledger.unparkAll(frames, count);
    if (count === this.batchPages) this.ledger.stats.batchesOut++;
    if (this.source !== null) {
      const status = this.source.putFrames(core, frames, count);
      if (status !== Ok) throw new Error(`pools: the allocator refused pooled frames (${status})`);
      return;
    }
    for (let i = 0; i < count; i++) {
      const status = this.allocator.put(core, frames[i], 0);
      if (status !== Ok) throw new Error(`pools: the allocator refused frame ${frames[i]}`);
    }
  }

  /** The lines of a page_batch stored at the start of `holder` (8 bytes per page pointer). */
  chargeBatch(holder: number, write: boolean): void {
    this.machine?.charge(this.batchPages * this.costs.batchPage);
    const lines = this.lines;
    if (lines === null) return;
    const count = Math.ceil((this.batchPages * 8) / 64);
    for (let k = 0; k < count; k++) {
      // Placed: a batch is read only after its push (L2 causality), never raced.
      const line = this.frameLines!.line(holder, k);
      if (write) lines.writePlaced(line);
      else lines.read(line);
    }
  }

  /** One batch of l2::refill: single pages carved under the allocator's lock, pushed. */
  private refillOne(core: number): boolean {
    const batchPages = this.batchPages;
    const got = this.take(core);
    if (got < batchPages) {
      this.giveBack(core, this.batch, got);
      return false;
    }
    const holder = this.batch[batchPages - 1];
    this.chargeBatch(holder, true);
    if (!this.stack.push(this.batch, holder)) {
      this.giveBack(core, this.batch, batchPages);
      return false;
    }
    this.ledger.stats.l2Pushes++;
    return true;
  }

  /** One batch popped and freed under the allocator's lock (l2::unfill, free_batch). */
  private drainOne(core: number): boolean {
    const holder = this.stack.pop(this.batch);
    if (holder < 0) return false;
    this.ledger.stats.l2Pops++;
    this.chargeBatch(holder, false);
    this.giveBack(core, this.batch, this.batchPages);
    return true;
  }

  /** Up to one batch of single pages from the allocator into `batch`, parked. */
  private take(core: number): number {
    const batchPages = this.batchPages;
    let got = 0;
    if (this.source !== null) {
      got = this.source.getFrames(core, this.batch, batchPages);
    } else {
      while (got < batchPages) {
        const frame = this.allocator.get(core, 0);
        if (frame < 0) break;
        this.batch[got++] = frame;
      }
    }
    this.ledger.parkAll(this.batch, got);
    if (got === batchPages) this.ledger.stats.batchesIn++;
    return got;
  }
}
