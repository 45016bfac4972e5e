// Bookkeeping of the page pools for the FrameAllocator contract, not part of OSv and never
// charged: which frames are parked in an L1 or L2 pool (free, as freeFrames() counts them), which
// were handed out by the pools (so a double free or a free of a never-allocated frame is an
// Address error and changes nothing), and the event counts. Invariant: `parked` equals the number
// of set bits of `pooled`, and no frame is both pooled and handed out.

import type { PoolStats } from './api.js';
import { Bitmap } from './bitmap.js';

export function emptyPoolStats(): PoolStats {
  return {
    l1Gets: 0,
    l1Puts: 0,
    l1SyncRefills: 0,
    l1SyncDrains: 0,
    l1WorkerRuns: 0,
    l2Pops: 0,
    l2Pushes: 0,
    l2SyncRefills: 0,
    l2SyncDrains: 0,
    l2WorkerRuns: 0,
    batchesIn: 0,
    batchesOut: 0,
    bypassGets: 0,
    fallbackGets: 0,
    steals: 0,
  };
}

export class PoolLedger {
  readonly pooled: Bitmap;
  readonly handedOut: Bitmap;
  readonly stats = emptyPoolStats();
  /** Frames parked in L1 and L2. */
  parked = 0;

  constructor(frames: number) {
    this.pooled = new Bitmap(frames);
    this.handedOut = new Bitmap(frames);
  }

  /** Frames taken from the allocator underneath into a pool. */
  parkAll(frames: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.pooled.set(frames[i]);
    this.parked += count;
  }

  /** Frames given back to the allocator underneath. */
  unparkAll(frames: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.pooled.clear(frames[i]);
    this.parked -= count;
  }

  /** A pooled frame handed to a caller. */
  handOut(frame: number): void {
    this.pooled.clear(frame);
    this.parked--;
    this.handedOut.set(frame);
  }

  /** A handed-out frame freed into a pool. */
  takeBack(frame: number): void {
    this.handedOut.clear(frame);
    this.pooled.set(frame);
    this.parked++;
  }
}
