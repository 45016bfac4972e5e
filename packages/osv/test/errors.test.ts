// Bad input: misconfiguration throws a RangeError naming the value; bad calls return error
// values and leave the state exactly as it was (free count, ranges, pools, lock counts).
import { AllocError, Ok, ReferenceFrameAllocator } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { PagePools, PageRangeAllocator, resolveOsvCosts } from '../src/index.js';
import { PagedInt32 } from '../src/paged-array.js';

describe('misconfiguration', () => {
  it('PageRangeAllocator names the bad option', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ frames: 0, cores: 1 }, /frames 0/],
      [{ frames: 1.5, cores: 1 }, /frames 1.5/],
      [{ frames: 2 ** 31, cores: 1 }, /frames 2147483648/],
      [{ frames: 64, cores: 0 }, /cores 0/],
      [{ frames: 64, cores: 1, maxOrder: 31 }, /maxOrder 31/],
      [{ frames: 64, cores: 4, machine: new Machine({ cores: 2 }) }, /cores 4 exceeds/],
      [{ frames: 64, cores: 1, costs: { rangeOp: -1 } }, /costs.rangeOp -1/],
      [{ frames: 64, cores: 1, costs: { nonsense: 1 } }, /costs.nonsense/],
    ];
    for (const [options, message] of bad) {
      expect(
        () => new PageRangeAllocator(options as never),
        JSON.stringify(options, (_, v) => (v instanceof Machine ? 'machine' : v)),
      ).toThrow(message);
    }
  });

  it('PagePools names the bad option', () => {
    const allocator = new PageRangeAllocator({ frames: 4096, cores: 2 });
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ allocator: undefined }, /allocator undefined/],
      [{ allocator, batchPages: 0 }, /batchPages 0/],
      [{ allocator, batchPages: 64 }, /batchPages 64/],
      [{ allocator, l1Pages: 100 }, /l1Pages 100/],
      [{ allocator, l1Pages: 64, batchPages: 32 }, /l1Pages 64/],
      [{ allocator, workers: 'sometimes' }, /workers "sometimes"/],
      [{ allocator, machine: new Machine({ cores: 1 }) }, /allocator cores 2/],
    ];
    for (const [options, message] of bad) {
      expect(() => new PagePools(options as never)).toThrow(message);
    }
  });

  it('helpers name the bad value', () => {
    expect(() => new PagedInt32(-1)).toThrow(/length -1/);
    expect(() => resolveOsvCosts({ workerSwitch: Number.NaN })).toThrow(/workerSwitch NaN/);
  });
});

describe('bad calls change nothing', () => {
  it('page-ranges: Argument and Address errors', () => {
    const alloc = new PageRangeAllocator({ frames: 4096, cores: 2 });
    const a = alloc.get(0, 0);
    const b = alloc.get(1, 3);
    const before = { free: alloc.freeFrames(), ranges: alloc.rangeCount() };
    const locks = alloc.mutex.stats.acquisitions;
    const calls: Array<[() => number, number]> = [
      [() => alloc.get(2, 0), AllocError.Argument],
      [() => alloc.get(0, 11), AllocError.Argument],
      [() => alloc.getPages(0, 0), AllocError.Argument],
      [() => alloc.getPages(0, 1.5), AllocError.Argument],
      [() => alloc.getPages(-1, 1), AllocError.Argument],
      [() => alloc.put(0, a, 1), AllocError.Address],
      [() => alloc.put(0, b + 1, 0), AllocError.Address],
      [() => alloc.put(0, 4096, 0), AllocError.Address],
      [() => alloc.put(0, 100, 0), AllocError.Address],
      [() => alloc.putPages(0, b, 7), AllocError.Address],
      [() => alloc.putPages(0, b, 0), AllocError.Argument],
      [() => alloc.getAt(0, b, 0), AllocError.Memory],
      [() => alloc.getAt(0, 4095, 1), AllocError.Address],
      [() => alloc.getAt(0, 8192, 0), AllocError.Address],
    ];
    for (const [call, expected] of calls) {
      expect(call(), call.toString()).toBe(expected);
      expect(alloc.freeFrames()).toBe(before.free);
      expect(alloc.rangeCount()).toBe(before.ranges);
    }
    expect(alloc.mutex.stats.acquisitions).toBe(locks);
    expect(alloc.check()).toEqual([]);
  });

  it('page-ranges: a batch free with one bad frame frees none', () => {
    const alloc = new PageRangeAllocator({ frames: 1024, cores: 1 });
    const out = new Int32Array(8);
    expect(alloc.getFrames(0, out, 8)).toBe(8);
    const free = alloc.freeFrames();
    const withBad = Int32Array.from([...out.subarray(0, 4), 999]);
    expect(alloc.putFrames(0, withBad, 5)).toBe(AllocError.Address);
    const withRepeat = Int32Array.from([out[0], out[1], out[0]]);
    expect(alloc.putFrames(0, withRepeat, 3)).toBe(AllocError.Address);
    expect(alloc.putFrames(0, out, 9)).toBe(AllocError.Argument);
    expect(alloc.freeFrames()).toBe(free);
    expect(alloc.getFrames(5, out, 1)).toBe(0);
    expect(alloc.putFrames(0, out, 8)).toBe(Ok);
    expect(alloc.freeFrames()).toBe(1024);
  });

  it('pools: a double free, a free of a pooled page, an order > 0 over pool pages', () => {
    const under = new PageRangeAllocator({ frames: 4096, cores: 2 });
    const pools = new PagePools({ allocator: under });
    const page = pools.get(0, 0);
    const pooled = pools.l1.at(0, 0);
    const state = () => ({
      free: pools.freeFrames(),
      pooled: pools.pooledFrames(),
      l1: [...pools.l1.nr],
      l2: pools.l2.nr,
      underFree: under.freeFrames(),
    });
    const before = state();
    const aligned = page - (page % 2);
    const calls: Array<[() => number, number]> = [
      [() => pools.put(0, pooled, 0), AllocError.Address],
      [() => pools.put(0, aligned, 1), AllocError.Address],
      [() => pools.put(0, 4096, 0), AllocError.Address],
      [() => pools.put(0, -1, 0), AllocError.Address],
      [() => pools.put(2, page, 0), AllocError.Argument],
      [() => pools.put(0, page, 11), AllocError.Argument],
      [() => pools.get(0, -1), AllocError.Argument],
      [() => pools.get(0.5, 0), AllocError.Argument],
    ];
    for (const [call, expected] of calls) {
      expect(call(), call.toString()).toBe(expected);
      expect(state()).toEqual(before);
    }
    expect(pools.put(1, page, 0)).toBe(Ok);
    expect(pools.put(1, page, 0)).toBe(AllocError.Address);
    expect(pools.freeFrames()).toBe(4096);
  });

  it('pools over an allocator that refuses: the refusal is passed on', () => {
    const under = new ReferenceFrameAllocator({ frames: 1024, cores: 1 });
    const pools = new PagePools({ allocator: under });
    const block = pools.get(0, 2);
    expect(pools.put(0, block + 1, 0)).toBe(AllocError.Address);
    expect(pools.put(0, block, 2)).toBe(Ok);
  });
});
