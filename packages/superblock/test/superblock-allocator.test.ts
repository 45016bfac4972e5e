import { Errno, Ok } from '@unimem/core';
import { SortedVmaIndex } from '@unimem/core/testing';
import { NativeWords } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AREA_BASE as BASE,
  DEFAULT_AREA_END as END,
  Entry,
  SUPERBLOCK_BYTES as GiB,
  SuperblockAllocator,
  type SuperblockOptions,
  Unowned,
} from '../src/index.js';
import { hookedWords, lockFactory, RecordingTracer } from './helpers.js';

const P = 4096;
const MiB2 = 2 * 2 ** 20;
const TOP = 2 ** 47;

function setup(options: Partial<SuperblockOptions> = {}) {
  const locks = lockFactory();
  const a = new SuperblockAllocator({
    cores: 4,
    lock: locks.lock,
    index: () => new SortedVmaIndex(),
    ...options,
  });
  return { a, locks };
}

/** freeRange / allocateRange with freeRangesLock(addr) held by `core`, as the contract asks. */
function locked(a: SuperblockAllocator, core: number, call: 'freeRange' | 'allocateRange') {
  return (addr: number, size: number) => {
    const lock = a.freeRangesLock(addr);
    lock.writeLock(core);
    const result = a[call](addr, size);
    lock.writeUnlock(core);
    return result;
  };
}

describe('SuperblockAllocator: configuration', () => {
  it('throws a RangeError naming each bad option', () => {
    const cases: Array<[Partial<SuperblockOptions>, RegExp]> = [
      [{ cores: 0 }, /cores 0/],
      [{ cores: 255 }, /cores 255/],
      [{ cores: 1.5 }, /cores 1.5/],
      [{ areaBase: GiB + P }, /areaBase 1073745920/],
      [{ areaBase: -GiB }, /areaBase -1073741824/],
      [{ areaBase: 4 * GiB, areaEnd: 4 * GiB }, /areaEnd 4294967296/],
      [{ areaEnd: BASE + GiB + P }, /areaEnd/],
      [{ areaEnd: END, addressLimit: END - P }, /addressLimit/],
      [{ addressLimit: 2 ** 53 }, /addressLimit 9007199254740992/],
      [{ addressLimit: TOP + 1 }, /addressLimit/],
      [{ lock: undefined }, /lock undefined/],
      [{ index: 3 as never }, /index 3/],
      [{ words: (b) => new NativeWords(b, 0, 16) }, /needs 8192/],
    ];
    for (const [options, message] of cases) {
      expect(() => setup(options), JSON.stringify(options)).toThrow(RangeError);
      expect(() => setup(options)).toThrow(message);
    }
  });

  it('starts with the outside bucket holding everything outside the area', () => {
    const { a, locks } = setup();
    expect(a.freeRanges(4)).toEqual([
      [0, BASE],
      [END, TOP],
    ]);
    const stats = a.stats();
    expect(stats.superblocks).toBe(32768);
    expect(stats.freeSuperblocks).toBe(32768);
    expect(stats.ownedSuperblocks).toEqual([0, 0, 0, 0]);
    expect(stats.freeBytes).toEqual([0, 0, 0, 0, BASE + TOP - END]);
    expect(stats.freeRanges).toEqual([0, 0, 0, 0, 2]);
    // 32 KiB owner table, five bucket headers, two range nodes.
    expect(stats.metadataBytes).toBe(32768 + 5 * 64 + 2 * 64);
    expect(a.freeBytes()).toBe(TOP);
    expect(locks.locks.map((l) => l.name)).toEqual([
      'vma:0',
      'free-ranges:0',
      'vma:1',
      'free-ranges:1',
      'vma:2',
      'free-ranges:2',
      'vma:3',
      'free-ranges:3',
      'vma:outside',
      'free-ranges:outside',
    ]);
  });

  it('accepts an area at 0 and a limit equal to its end', () => {
    const { a } = setup({ areaBase: 0, areaEnd: 4 * GiB, addressLimit: 4 * GiB });
    expect(a.freeRanges(4)).toEqual([]);
    expect(a.reserveRange(0, P, P)).toBe(GiB - P);
    expect(a.validate(0, 4 * GiB - P, P)).toBe(true);
    expect(a.ownerOf(4 * GiB - P)).toBe(0);
  });
});

describe('SuperblockAllocator: reserveRange', () => {
  it('claims the lowest superblock and carves from its end, under the core lock', () => {
    const { a, locks } = setup();
    const first = a.reserveRange(2, 3 * P, P);
    expect(first).toBe(BASE + GiB - 3 * P);
    expect(a.ownerOf(first)).toBe(2);
    expect(a.freeRanges(2)).toEqual([[BASE, BASE + GiB - 3 * P]]);
    expect(a.reserveRange(2, P, P)).toBe(BASE + GiB - 4 * P);
    expect(a.stats().ownedSuperblocks).toEqual([0, 0, 1, 0]);
    const lock = locks.locks.find((l) => l.name === 'free-ranges:2')!;
    expect(lock.writes).toBe(3); // first fit (miss), remainder insert, first fit (hit)
    expect(lock.held).toBe(false);
    expect(a.reserveRange(0, P, P)).toBe(BASE + 2 * GiB - P);
    expect(a.ownerOf(BASE + GiB)).toBe(0);
  });

  it('claims ceil(size / 1 GiB) superblocks and keeps the leading remainder', () => {
    const { a } = setup();
    a.reserveRange(1, P, P);
    const size = 2 * GiB + 5 * P;
    const addr = a.reserveRange(0, size, P);
    expect(addr).toBe(BASE + 4 * GiB - size);
    for (let k = 1; k <= 3; k++) expect(a.ownerOf(BASE + k * GiB)).toBe(0);
    expect(a.freeRanges(0)).toEqual([[BASE + GiB, addr]]);
    expect(a.stats().ownedSuperblocks).toEqual([3, 1, 0, 0]);
    expect(a.freeBytes()).toBe(TOP - size - P);
  });

  it('reuses its own freed superblocks for ranges above 1 GiB (OSv takes new ones)', () => {
    const { a } = setup();
    const free = locked(a, 0, 'freeRange');
    const addr = a.reserveRange(0, 2 * GiB, P);
    expect(free(addr, 2 * GiB)).toBe(Ok);
    expect(a.reserveRange(0, 2 * GiB, P)).toBe(addr);
    expect(a.stats().ownedSuperblocks[0]).toBe(2);
  });

  it('aligns to 2 MiB inside a superblock and keeps the slack free', () => {
    const { a } = setup();
    const small = a.reserveRange(0, P, P);
    const huge = a.reserveRange(0, 3 * P, MiB2);
    expect(huge % MiB2).toBe(0);
    expect(huge).toBe(BASE + GiB - MiB2);
    expect(a.freeRanges(0)).toEqual([
      [BASE, huge],
      [huge + 3 * P, small],
    ]);
    const big = a.reserveRange(0, GiB + MiB2, MiB2);
    expect(big % MiB2).toBe(0);
    expect(big).toBe(BASE + 3 * GiB - GiB - MiB2);
  });

  it('aligns above 1 GiB by starting the claimed run on an aligned superblock', () => {
    const { a } = setup({ areaBase: BASE + GiB, areaEnd: BASE + 64 * GiB });
    const addr = a.reserveRange(0, P, 4 * GiB);
    expect(addr).toBe(BASE + 4 * GiB);
    expect(a.freeRanges(0)).toEqual([[addr + P, addr + GiB]]);
    const big = a.reserveRange(1, 5 * GiB - P, 8 * GiB);
    expect(big).toBe(BASE + 8 * GiB);
    expect(a.freeRanges(1)).toEqual([[big + 5 * GiB - P, big + 5 * GiB]]);
  });

  it('reports ENOMEM when no run is left and changes nothing', () => {
    const { a } = setup({ areaEnd: BASE + 4 * GiB });
    a.reserveRange(0, P, P);
    a.reserveRange(1, 2 * GiB, P);
    const before = a.stats();
    expect(a.reserveRange(2, 2 * GiB, P)).toBe(Errno.ENOMEM);
    expect(a.reserveRange(2, GiB, 2 * GiB)).toBe(Errno.ENOMEM);
    expect(a.reserveRange(3, 5 * GiB, P)).toBe(Errno.ENOMEM);
    expect(a.stats()).toEqual(before);
    expect(a.reserveRange(2, GiB, P)).toBe(BASE + 3 * GiB);
    expect(a.reserveRange(3, P, P)).toBe(Errno.ENOMEM);
    expect(a.reserveRange(0, GiB - P, P)).toBe(BASE);
  });
});

describe('SuperblockAllocator: allocateRange and freeRange', () => {
  it('frees to the owner from any core and coalesces with both neighbours', () => {
    const { a } = setup();
    const r = a.reserveRange(1, 8 * P, P);
    const free = locked(a, 3, 'freeRange');
    expect(free(r + 2 * P, 2 * P)).toBe(Ok);
    expect(free(r + 6 * P, 2 * P)).toBe(Ok);
    expect(a.freeRanges(1)).toEqual([
      [BASE, r],
      [r + 2 * P, r + 4 * P],
      [r + 6 * P, r + 8 * P],
    ]);
    expect(a.freeRanges(3)).toEqual([]);
    expect(free(r + 4 * P, 2 * P)).toBe(Ok);
    expect(free(r, 2 * P)).toBe(Ok);
    expect(a.freeRanges(1)).toEqual([[BASE, BASE + GiB]]);
    expect(a.ownerOf(r)).toBe(1);
  });

  it('says EINVAL for a range no single bucket holds, and ENOMEM when part is not free', () => {
    const { a } = setup();
    const allocate = locked(a, 0, 'allocateRange');
    const free = locked(a, 0, 'freeRange');
    const r0 = a.reserveRange(0, P, P);
    const r1 = a.reserveRange(1, P, P);
    const before = a.stats();
    expect(allocate(BASE + 5 * GiB, P), 'unowned superblock').toBe(Errno.EINVAL);
    expect(free(BASE + 5 * GiB, P), 'unowned superblock').toBe(Errno.EINVAL);
    expect(allocate(BASE - P, 2 * P), 'crosses the area start').toBe(Errno.EINVAL);
    expect(free(END - P, 2 * P), 'crosses the area end').toBe(Errno.EINVAL);
    expect(free(r0, r1 - r0 + P), 'two owners').toBe(Errno.EINVAL);
    expect(allocate(r0 - P, 2 * P), 'partly allocated').toBe(Errno.ENOMEM);
    expect(allocate(r0, P), 'allocated').toBe(Errno.ENOMEM);
    expect(free(r0 - P, P), 'already free').toBe(Errno.EINVAL);
    expect(free(0, P), 'free outside').toBe(Errno.EINVAL);
    expect(free(TOP - P, 2 * P), 'beyond the limit').toBe(Errno.EINVAL);
    expect(a.stats()).toEqual(before);
  });

  it('maps outside the area through the outside bucket', () => {
    const { a } = setup();
    const allocate = locked(a, 0, 'allocateRange');
    const free = locked(a, 2, 'freeRange');
    const low = 2 ** 32;
    expect(a.validate(0, low, 4 * P)).toBe(true);
    expect(allocate(low, 4 * P)).toBe(Ok);
    expect(allocate(END, GiB)).toBe(Ok);
    expect(a.freeRanges(4)).toEqual([
      [0, low],
      [low + 4 * P, BASE],
      [END + GiB, TOP],
    ]);
    expect(a.vmaLock(low)).toBe(a.vmaLock(END));
    expect(free(low, 4 * P)).toBe(Ok);
    expect(free(END, GiB)).toBe(Ok);
    expect(a.freeBytes()).toBe(TOP);
  });
});

describe('SuperblockAllocator: validate (MAP_FIXED)', () => {
  it('claims free superblocks for the caller, or for the one core already there', () => {
    const { a } = setup();
    const allocate = locked(a, 0, 'allocateRange');
    const at = BASE + 10 * GiB;
    expect(a.validate(3, at + P, 2 * GiB)).toBe(true);
    for (const k of [10, 11, 12]) expect(a.ownerOf(BASE + k * GiB)).toBe(3);
    expect(a.freeRanges(3)).toEqual([[at, at + 3 * GiB]]);
    expect(a.stats().ownedSuperblocks[3]).toBe(3);
    expect(allocate(at + P, 2 * GiB)).toBe(Ok);
    expect(a.validate(0, at + 3 * GiB - P, 2 * P)).toBe(true);
    expect(a.ownerOf(at + 3 * GiB)).toBe(3);
    expect(a.validate(1, at, P)).toBe(true);
    expect(a.stats().ownedSuperblocks).toEqual([0, 0, 0, 4]);
  });

  it('refuses two owners, the area edge, reserved superblocks and bad arguments', () => {
    const { a } = setup();
    const w = hookedWords();
    const b = setup({ words: w.words }).a;
    a.reserveRange(0, P, P);
    a.reserveRange(1, P, P);
    const before = a.stats();
    expect(a.validate(2, BASE, 2 * GiB)).toBe(false);
    expect(a.validate(2, BASE + GiB - P, 3 * GiB)).toBe(false);
    expect(a.validate(2, BASE - P, 2 * P)).toBe(false);
    expect(a.validate(2, END - P, 2 * P)).toBe(false);
    expect(a.validate(2, BASE + 4 * GiB + 1, P)).toBe(false);
    expect(a.validate(4, BASE + 4 * GiB, P)).toBe(false);
    expect(a.validate(0, TOP - P, 2 * P)).toBe(false);
    expect(a.stats()).toEqual(before);
    expect(a.validate(2, 0, BASE)).toBe(true);
    expect(a.validate(2, END, TOP - END)).toBe(true);
    expect(a.stats()).toEqual(before);
    // A superblock in the middle of a claim in progress.
    w.made[0].store(0, Entry.RESERVED << 8);
    expect(b.ownerOf(BASE + GiB)).toBe(Unowned.RESERVED);
    expect(b.validate(0, BASE, 3 * GiB)).toBe(false);
    expect(b.ownerOf(BASE)).toBe(Unowned.FREE);
    expect(b.stats().freeSuperblocks).toBe(32767);
  });

  it('puts back what it reserved when an entry changes underneath', () => {
    const w = hookedWords();
    const { a } = setup({ words: w.words });
    const words = w.made[0];
    let casCount = 0;
    words.beforeCas = () => {
      if (++casCount === 2) words.store(0, words.load(0) | (Entry.owned(2) << 16));
    };
    expect(a.validate(1, BASE, 4 * GiB)).toBe(false);
    words.beforeCas = undefined;
    expect([0, 1, 2, 3].map((k) => a.ownerOf(BASE + k * GiB))).toEqual([
      Unowned.FREE,
      Unowned.FREE,
      2,
      Unowned.FREE,
    ]);
    expect(a.freeRanges(1)).toEqual([]);
    expect(a.stats().ownedSuperblocks).toEqual([0, 0, 0, 0]);
  });
});

describe('SuperblockAllocator: locks and VMA indexes', () => {
  it('hands out the owner bucket for owned addresses and the outside bucket otherwise', () => {
    const { a } = setup();
    const r0 = a.reserveRange(0, P, P);
    const r1 = a.reserveRange(1, P, P);
    expect(a.vmaLock(r0).name).toBe('vma:0');
    expect(a.freeRangesLock(r1).name).toBe('free-ranges:1');
    expect(a.vmas(r0)).not.toBe(a.vmas(r1));
    expect(a.vmas(BASE)).toBe(a.vmas(r0));
    expect(a.vmaLock(0).name).toBe('vma:outside');
    expect(a.vmaLock(BASE + 7 * GiB).name).toBe('vma:outside');
    expect(a.vmas(END)).toBe(a.vmas(BASE + 7 * GiB));
    expect(a.ownerOf(END)).toBe(4);
    expect(a.ownerOf(BASE + 7 * GiB)).toBe(Unowned.FREE);
  });

  it('splits the address space into regions of one owner each', () => {
    const { a } = setup();
    expect(a.regionEnd(0)).toBe(BASE);
    expect(a.regionEnd(BASE - P)).toBe(BASE);
    expect(a.regionEnd(BASE)).toBe(BASE + GiB);
    expect(a.regionEnd(BASE + GiB - 1)).toBe(BASE + GiB);
    expect(a.regionEnd(END - P)).toBe(END);
    expect(a.regionEnd(END)).toBe(TOP);
  });
});

describe('SuperblockAllocator: returnFreeSuperblocks', () => {
  it('returns a superblock to the pool when it is free again, so another core gets it', () => {
    const { a } = setup({ returnFreeSuperblocks: true });
    const free = locked(a, 0, 'freeRange');
    const r = a.reserveRange(0, 4 * P, P);
    expect(free(r, 2 * P)).toBe(Ok);
    expect(a.ownerOf(r)).toBe(0);
    expect(free(r + 2 * P, 2 * P)).toBe(Ok);
    expect(a.ownerOf(r)).toBe(Unowned.FREE);
    expect(a.stats().freeBytes).toEqual([0, 0, 0, 0, BASE + TOP - END]);
    expect(a.stats().freeSuperblocks).toBe(32768);
    expect(a.reserveRange(1, P, P)).toBe(BASE + GiB - P);
  });

  it('returns only the superblocks a free leaves entirely free', () => {
    const { a } = setup({ returnFreeSuperblocks: true });
    const free = locked(a, 0, 'freeRange');
    const big = a.reserveRange(0, 3 * GiB, P);
    const small = a.reserveRange(0, P, P);
    expect(small).toBe(BASE + 4 * GiB - P);
    expect(free(big, 3 * GiB - P)).toBe(Ok);
    expect([0, 1, 2, 3].map((k) => a.ownerOf(BASE + k * GiB))).toEqual([
      Unowned.FREE,
      Unowned.FREE,
      0,
      0,
    ]);
    expect(a.freeRanges(0)).toEqual([
      [BASE + 2 * GiB, BASE + 3 * GiB - P],
      [BASE + 3 * GiB, small],
    ]);
    expect(a.stats().ownedSuperblocks[0]).toBe(2);
    expect(free(small, P)).toBe(Ok);
    expect(a.stats().ownedSuperblocks[0]).toBe(1);
    expect(free(BASE + 3 * GiB - P, P)).toBe(Ok);
    expect(a.stats().ownedSuperblocks[0]).toBe(0);
    expect(a.freeBytes()).toBe(TOP);
  });

  it('is off by default: freed superblocks stay with their owner', () => {
    const { a } = setup();
    const free = locked(a, 0, 'freeRange');
    const r = a.reserveRange(0, 4 * P, P);
    expect(free(r, 4 * P)).toBe(Ok);
    expect(a.ownerOf(r)).toBe(0);
    expect(a.freeRanges(0)).toEqual([[BASE, BASE + GiB]]);
    expect(a.reserveRange(1, P, P)).toBe(BASE + 2 * GiB - P);
  });
});

describe('SuperblockAllocator: cost tracing', () => {
  it('charges bucket headers and range nodes, and owner-table words', () => {
    const tracer = new RecordingTracer();
    const w = hookedWords();
    const { a } = setup({ tracer, words: w.words });
    expect(tracer.labels.get(0)).toBe('superblock.bucket');
    expect(tracer.next).toBe(5 + 2); // headers, then the outside bucket's two nodes
    tracer.clear();
    const loads = w.made[0].loads;
    a.reserveRange(1, P, P);
    expect(tracer.reads[0]).toBe(1); // core 1's header
    expect(tracer.next).toBe(8); // one new node for the remainder
    expect(w.made[0].loads).toBeGreaterThan(loads);
    tracer.clear();
    a.reserveRange(1, P, P);
    expect(tracer.reads).toEqual([1, 7]);
    expect(tracer.writes).toEqual([7]);
    const before = w.made[0].loads;
    a.vmaLock(BASE);
    expect(w.made[0].loads).toBe(before + 1);
  });
});
