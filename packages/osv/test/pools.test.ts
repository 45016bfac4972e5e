// OSv's L1/L2 page pools: watermarks and batch sizes as in core/mempool.cc, pooled pages counted
// as free but reported apart, drains, bypass of orders > 0, and the last resorts that make
// Memory mean exhausted.
import { AllocError, Ok, ReferenceFrameAllocator } from '@unimem/core';
import { describe, expect, it } from 'vitest';
import { PagePools, PageRangeAllocator } from '../src/index.js';

function pools(frames = 1 << 15, cores = 4, workers: 'inline' | 'none' = 'inline') {
  const under = new PageRangeAllocator({ frames, cores });
  return { under, pools: new PagePools({ allocator: under, workers }) };
}

describe('L1 watermarks (512 pages, 128 / 384, batches of 32)', () => {
  it('refills an empty L1 toward max/2 on the first get', () => {
    const { pools: p } = pools();
    const frame = p.get(0, 0);
    expect(frame).toBeGreaterThanOrEqual(0);
    // Synchronous refill (one batch), then the worker: while nr + 32 < 256, another batch.
    expect(p.l1.nr[0]).toBe(255);
    expect(p.stats().l1SyncRefills).toBe(1);
    expect(p.stats().l1WorkerRuns).toBe(1);
  });

  it('refills again only below the low watermark', () => {
    const { pools: p } = pools();
    p.get(0, 0);
    for (let i = 0; i < 255 - 127; i++) p.get(0, 0);
    expect(p.l1.nr[0]).toBe(127);
    expect(p.stats().l1WorkerRuns).toBe(1);
    p.get(0, 0); // nr 127 < 128 at the check: the worker runs after the pop
    expect(p.stats().l1WorkerRuns).toBe(2);
    expect(p.l1.nr[0]).toBe(126 + 4 * 32);
  });

  it('drains above the high watermark to at most max/2 + 32', () => {
    const { pools: p } = pools();
    const got = Array.from({ length: 600 }, () => p.get(1, 0));
    for (const frame of got) expect(p.put(0, frame, 0)).toBe(Ok);
    expect(p.l1.nr[0]).toBeLessThanOrEqual(384 + 1);
    expect(p.l1.nr[0]).toBeGreaterThan(256);
    expect(p.stats().l2Pushes).toBeGreaterThan(0);
    expect(p.freeFrames()).toBe(p.totalFrames());
  });

  it('without workers, fills L1 to max and drains one batch synchronously', () => {
    const { pools: p } = pools(1 << 15, 2, 'none');
    const got = Array.from({ length: 600 }, () => p.get(1, 0));
    expect(p.stats().l1WorkerRuns).toBe(0);
    expect(p.stats().l1SyncRefills).toBe(Math.ceil(600 / 32));
    for (const frame of got.slice(0, 512)) p.put(0, frame, 0);
    expect(p.l1.nr[0]).toBe(512);
    p.put(0, got[512], 0);
    expect(p.stats().l1SyncDrains).toBe(1);
    expect(p.l1.nr[0]).toBe(512 - 32 + 1);
  });
});

describe('L2 (cores x 16 batches, watermarks 1/4 and 3/4)', () => {
  it('is sized from the cores and refilled to max/2 from the allocator', () => {
    const { pools: p, under } = pools(1 << 15, 4);
    expect(p.l2.max).toBe(64);
    expect(p.l2.lowWatermark).toBe(16);
    expect(p.l2.highWatermark).toBe(48);
    p.get(0, 0);
    // The L1 refill and its worker took 8 batches from an empty stack, one synchronous batch
    // each; the L2 worker, woken by the first pop, continues toward max/2.
    expect(p.stats().l2SyncRefills).toBe(8);
    expect(p.stats().l2WorkerRuns).toBe(1);
    for (let i = 0; i < 40; i++) p.get(0, 0);
    expect(p.l2.nr).toBeGreaterThan(0);
    const inPools = p.pooledFrames();
    expect(inPools).toBe(p.l1.total() + p.l2.nr * 32);
    expect(under.freeFrames() + inPools + 41).toBe(1 << 15);
    // Each batch costs one acquisition of the allocator's mutex.
    expect(under.mutex.stats.acquisitions).toBe(p.stats().batchesIn);
  });

  it('prefill puts every L1 near max/2 and L2 at max/2, as after boot', () => {
    const { pools: p } = pools(1 << 15, 4);
    p.prefill();
    for (let core = 0; core < 4; core++) expect(p.l1.nr[core]).toBe(224);
    expect(p.l2.nr).toBe(32);
    expect(p.pooledFrames()).toBe(4 * 224 + 32 * 32);
    expect(p.freeFrames()).toBe(1 << 15);
  });

  it('never holds more than max batches', () => {
    const { pools: p } = pools(1 << 14, 2, 'none');
    const got: number[] = [];
    for (let i = 0; i < 6000; i++) got.push(p.get(i % 2, 0));
    for (const frame of got) p.put(0, frame, 0);
    expect(p.l2.nr).toBeLessThanOrEqual(p.l2.max);
    expect(p.stats().l2SyncDrains).toBeGreaterThan(0);
    expect(p.freeFrames()).toBe(1 << 14);
  });
});

describe('accounting', () => {
  it('counts pooled pages as free, reports them apart, and drains them back', () => {
    const { pools: p, under } = pools();
    const frame = p.get(2, 0);
    expect(p.freeFrames()).toBe((1 << 15) - 1);
    expect(p.pooledFrames()).toBeGreaterThan(0);
    expect(under.freeFrames()).toBe((1 << 15) - 1 - p.pooledFrames());
    p.drain(2);
    expect(p.l1.nr[2]).toBe(0);
    expect(p.freeFrames()).toBe((1 << 15) - 1);
    p.put(2, frame, 0);
    p.drainAll();
    expect(p.pooledFrames()).toBe(0);
    expect(under.freeFrames()).toBe(1 << 15);
    expect(under.rangeCount()).toBe(1);
  });

  it('passes orders > 0 to the allocator (alloc_huge_page)', () => {
    const { pools: p, under } = pools();
    const huge = p.get(1, 9);
    expect(huge % 512).toBe(0);
    expect(p.stats().bypassGets).toBe(1);
    expect(p.pooledFrames()).toBe(0);
    expect(under.isFree(huge, 9)).toBe(false);
    expect(p.put(1, huge, 9)).toBe(Ok);
    expect(under.freeFrames()).toBe(1 << 15);
  });

  it('isFree is true for pooled pages and false for handed-out ones', () => {
    const { pools: p } = pools();
    const frame = p.get(0, 0);
    expect(p.isFree(frame, 0)).toBe(false);
    const pooled = p.l1.at(0, 0);
    expect(p.isFree(pooled, 0)).toBe(true);
    p.put(0, frame, 0);
    expect(p.isFree(frame, 0)).toBe(true);
  });
});

describe('last resorts (not in OSv)', () => {
  it('hands out pages parked in another core’s L1 before reporting Memory', () => {
    const frames = 2048;
    const { pools: p } = pools(frames, 2);
    const first = p.get(1, 0); // core 1's L1 now holds a few hundred pages
    const got = [first];
    for (;;) {
      const frame = p.get(0, 0);
      if (frame === AllocError.Memory) break;
      got.push(frame);
    }
    expect(new Set(got).size).toBe(frames);
    expect(p.stats().steals).toBeGreaterThan(0);
    expect(p.freeFrames()).toBe(0);
  });

  it('works over an allocator without the batch interface', () => {
    const under = new ReferenceFrameAllocator({ frames: 4096, cores: 2 });
    const p = new PagePools({ allocator: under });
    const got = Array.from({ length: 1000 }, (_, i) => p.get(i % 2, 0));
    expect(new Set(got).size).toBe(1000);
    for (const frame of got) expect(p.put(0, frame, 0)).toBe(Ok);
    p.drainAll();
    expect(under.freeFrames()).toBe(4096);
  });
});
