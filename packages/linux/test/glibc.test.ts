// The glibc malloc model (src/glibc): the Malloc conformance suite over the Linux memory system;
// a fast-check comparison of every returned address and path against a plain reference model of
// the same ptmalloc rules (linear scans over free-chunk lists, no maps or sorted arrays); and the
// behaviours it exists for: tcache hits need no lock, a cross-thread free locks the owner's
// arena, one shared arena (M_ARENA_MAX=1) makes cores wait on its mutex, the dynamic mmap
// threshold.

import {
  type AddressResult,
  Errno,
  type ErrnoStatus,
  type MemoryStats,
  type MemorySystem,
  Ok,
  PAGE_SIZE,
} from '@unimem/core';
import { mallocSuite } from '@unimem/core/testing';
import { Machine } from '@unimem/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOP_PAD,
  GlibcMalloc,
  type GlibcStats,
  HEAP_HEADER_BYTES,
  HEAP_MAX_BYTES,
} from '../src/glibc/index.js';
import { LinuxMemory } from '../src/index.js';

const MiB = 2 ** 20;

function linux(cores: number): { machine: Machine; memory: LinuxMemory } {
  const machine = new Machine({ cores });
  const memory = new LinuxMemory({ machine, memoryBytes: 512 * MiB });
  memory.boot();
  const now = Math.max(...machine.clocks);
  for (let c = 0; c < cores; c++) machine.clocks[c] = now;
  return { machine, memory };
}

mallocSuite('glibc malloc model over the Linux memory system', ({ cores, observe }) => {
  const { machine, memory } = linux(cores);
  return new GlibcMalloc({ memory: observe(memory), machine });
});

/** Bump-pointer address space: deterministic mmaps for the reference comparison. */
class BumpMemory implements MemorySystem {
  readonly name = 'bump';
  private next = 0x100000000;
  constructor(readonly cores: number) {}
  boot(): void {}
  mmap(_core: number, length: number): AddressResult {
    const start = this.next;
    this.next += Math.ceil(length / PAGE_SIZE) * PAGE_SIZE;
    return start;
  }
  munmap(): ErrnoStatus {
    return Ok;
  }
  mprotect(): ErrnoStatus {
    return Ok;
  }
  madvise(): ErrnoStatus {
    return Ok;
  }
  touch(): ErrnoStatus {
    return Ok;
  }
  stats(): MemoryStats {
    return {} as MemoryStats;
  }
}

interface FreeChunk {
  addr: number;
  size: number;
}

/** The ptmalloc rules of src/glibc written plainly (arrays scanned linearly). */
class ReferencePtmalloc {
  private readonly tcache = new Map<string, { addr: number; arena: number }[]>();
  private readonly arenaOf: number[] = [];
  private readonly arenas: {
    fast: FreeChunk[];
    bins: FreeChunk[];
    top: number;
    end: number;
    heap: number;
    heaps: number;
  }[] = [];
  private readonly live = new Map<number, { size: number; arena: number }>();
  private nextToUse = 0;
  threshold = 128 * 1024;
  constructor(
    private readonly memory: BumpMemory,
    private readonly arenaMax: number,
  ) {}

  malloc(core: number, request: number): { ptr: number; path: string } {
    const size = Math.max(32, Math.ceil((request + 8) / 16) * 16);
    const bin = (size - 32) / 16;
    const cache = this.tcache.get(`${core}:${bin}`) ?? [];
    if (bin < 64 && cache.length > 0) {
      const { addr, arena } = cache.pop()!;
      return { ptr: this.hand(addr, size, arena), path: 'tcache' };
    }
    let index = this.arenaOf[core];
    if (index === undefined) {
      if (this.arenas.length < this.arenaMax) {
        index = this.arenas.length;
        this.arenas.push({ fast: [], bins: [], top: 0, end: 0, heap: -1, heaps: 0 });
      } else {
        index = this.nextToUse;
        this.nextToUse = (this.nextToUse + 1) % this.arenas.length;
      }
      this.arenaOf[core] = index;
    }
    const a = this.arenas[index];
    const fastAt = lastIndex(a.fast, (c) => c.size === size);
    const fits = a.bins.filter((c) => c.size >= size).map((c) => c.size);
    const best = fits.length > 0 ? Math.min(...fits) : -1;
    const topFits = a.heap >= 0 && a.top + size + 32 <= a.end;
    if (size >= this.threshold && fastAt < 0 && best < 0 && !topFits) {
      const bytes = Math.ceil((size + 8) / PAGE_SIZE) * PAGE_SIZE;
      const base = this.memory.mmap(core, bytes);
      this.live.set(base + 16, { size: bytes, arena: -1 });
      return { ptr: base + 16, path: 'mmap' };
    }
    let addr: number;
    let taken = size;
    if (fastAt >= 0) {
      addr = a.fast.splice(fastAt, 1)[0].addr;
    } else if (best >= 0) {
      const at = lastIndex(a.bins, (c) => c.size === best);
      addr = a.bins.splice(at, 1)[0].addr;
      if (best - size >= 32) a.bins.push({ addr: addr + size, size: best - size });
      else taken = best;
    } else {
      if (!topFits) this.grow(a, index, core, size);
      addr = a.top;
      a.top += size;
    }
    if (bin < 64 && taken === size) {
      const cacheOf = this.tcache.get(`${core}:${bin}`) ?? [];
      this.tcache.set(`${core}:${bin}`, cacheOf);
      for (const list of [a.fast, a.bins]) {
        for (let i = list.length - 1; i >= 0 && cacheOf.length < 7; i--) {
          if (list[i].size === size)
            cacheOf.push({ addr: list.splice(i, 1)[0].addr, arena: index });
        }
      }
    }
    return { ptr: this.hand(addr, taken, index), path: 'arena' };
  }

  free(core: number, ptr: number): string {
    const { size, arena } = this.live.get(ptr)!;
    this.live.delete(ptr);
    if (arena < 0) {
      if (size > this.threshold && size <= 32 * MiB) this.threshold = size;
      return 'munmap';
    }
    const bin = (size - 32) / 16;
    const cache = this.tcache.get(`${core}:${bin}`) ?? [];
    this.tcache.set(`${core}:${bin}`, cache);
    if (bin < 64 && cache.length < 7) {
      cache.push({ addr: ptr - 16, arena });
      return 'tcache';
    }
    const a = this.arenas[arena];
    if (size <= 128) {
      a.fast.push({ addr: ptr - 16, size });
      return 'fastbin';
    }
    if (ptr - 16 + size === a.top) a.top = ptr - 16;
    else a.bins.push({ addr: ptr - 16, size });
    return 'arena';
  }

  private grow(a: ReferencePtmalloc['arenas'][number], index: number, core: number, size: number) {
    const pad = index === 0 ? DEFAULT_TOP_PAD : 0;
    const pageUp = (n: number) => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
    if (a.heap < 0 || a.end + pageUp(a.top + size + 32 + pad - a.end) > a.heap + HEAP_MAX_BYTES) {
      if (a.heap >= 0 && a.end - a.top >= 32) a.bins.push({ addr: a.top, size: a.end - a.top });
      a.heap = this.memory.mmap(core, HEAP_MAX_BYTES);
      a.heaps++;
      a.top = a.heap + (index === 0 && a.heaps === 1 ? 0 : HEAP_HEADER_BYTES);
      a.end = a.heap;
    }
    a.end += pageUp(a.top + size + 32 + pad - a.end);
  }

  private hand(addr: number, size: number, arena: number): number {
    this.live.set(addr + 16, { size, arena });
    return addr + 16;
  }
}

function lastIndex<T>(list: T[], match: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (match(list[i])) return i;
  return -1;
}

// A few fixed sizes (two pairs whose chunks differ by exactly MINSIZE) make reuse and splits
// common; the ranges cover the tcache, fastbin, bin and mmap paths.
const SIZES = fc.oneof(
  fc.constantFrom(16, 24, 100, 500, 1100, 1132, 3000, 3032, 140_000),
  fc.constantFrom(16, 24, 100, 500, 1100, 1132, 3000, 3032, 140_000),
  fc.integer({ min: 0, max: 200 }),
  fc.integer({ min: 0, max: 1100 }),
  fc.integer({ min: 1000, max: 70_000 }),
  fc.integer({ min: 100_000, max: 400_000 }),
);
type Op =
  | { kind: 'malloc'; core: number; size: number }
  | { kind: 'free'; core: number; pick: number };
const OP: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('malloc' as const), core: fc.nat(3), size: SIZES }),
  fc.record({ kind: fc.constant('free' as const), core: fc.nat(3), pick: fc.nat() }),
);

type Counter = keyof GlibcStats;
const MALLOC_PATHS: [Counter, string][] = [
  ['tcacheHits', 'tcache'],
  ['mmapChunks', 'mmap'],
];
const FREE_PATHS: [Counter, string][] = [
  ['munmapChunks', 'munmap'],
  ['tcachePuts', 'tcache'],
  ['fastbinFrees', 'fastbin'],
];

/** The path a call took: the first counter of `paths` it moved, else 'arena'. */
function pathTaken(before: GlibcStats, after: GlibcStats, paths: [Counter, string][]): string {
  return paths.find(([counter]) => after[counter] > before[counter])?.[1] ?? 'arena';
}

describe('glibc malloc model against the reference', () => {
  it('returns the same addresses and takes the same paths (property)', () => {
    fc.assert(
      fc.property(
        fc.array(OP, { minLength: 100, maxLength: 400, size: 'max' }),
        fc.integer({ min: 1, max: 5 }),
        (ops, arenaMax) => {
          const model = new GlibcMalloc({ memory: new BumpMemory(4), arenaMax });
          const reference = new ReferencePtmalloc(new BumpMemory(4), arenaMax);
          const live: number[] = [];
          for (const op of ops) {
            const before = model.stats();
            if (op.kind === 'malloc') {
              const ptr = model.malloc(op.core, op.size);
              const expected = reference.malloc(op.core, op.size);
              expect(ptr).toBe(expected.ptr);
              expect(pathTaken(before, model.stats(), MALLOC_PATHS)).toBe(expected.path);
              expect(model.usableSize(ptr)).toBeGreaterThanOrEqual(op.size);
              live.push(ptr);
            } else if (live.length > 0) {
              const [ptr] = live.splice(op.pick % live.length, 1);
              expect(model.free(op.core, ptr)).toBe(Ok);
              const path = reference.free(op.core, ptr);
              expect(pathTaken(before, model.stats(), FREE_PATHS)).toBe(path);
            }
          }
          expect(model.stats().mmapThreshold).toBe(reference.threshold);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('glibc malloc model behaviour', () => {
  it('serves a repeated small size from the tcache without taking a lock', () => {
    const m = new GlibcMalloc({ memory: new BumpMemory(2) });
    const p = m.malloc(0, 100);
    expect(m.free(0, p)).toBe(Ok);
    const locks = m.stats().arenaLocks;
    expect(m.malloc(0, 100)).toBe(p);
    expect(m.stats()).toMatchObject({ tcacheHits: 1, arenaLocks: locks });
  });

  it('sends a cross-thread free of a large chunk to the owner arena, under its lock', () => {
    const m = new GlibcMalloc({ memory: new BumpMemory(2) });
    const p = m.malloc(0, 4000); // beyond the tcache (1032 B)
    m.malloc(1, 16); // core 1 gets its own arena
    const locks = m.stats().arenaLocks;
    expect(m.free(1, p)).toBe(Ok);
    expect(m.stats()).toMatchObject({ remoteFrees: 1, arenaLocks: locks + 1, arenas: 2 });
  });

  it('raises the mmap threshold to a freed mmapped chunk, up to 32 MiB', () => {
    const m = new GlibcMalloc({ memory: new BumpMemory(1) });
    const big = m.malloc(0, 200_000);
    expect(m.stats().mmapChunks).toBe(1);
    m.free(0, big);
    expect(m.stats().mmapThreshold).toBe(Math.ceil(200_024 / PAGE_SIZE) * PAGE_SIZE);
    m.malloc(0, 200_000); // now below the threshold: from the arena
    expect(m.stats().mmapChunks).toBe(1);
    const fixed = new GlibcMalloc({ memory: new BumpMemory(1), mmapThreshold: 128 * 1024 });
    fixed.free(0, fixed.malloc(0, 200_000));
    expect(fixed.stats().mmapThreshold).toBe(128 * 1024);
  });

  it('makes cores wait on one shared arena and not on per-thread arenas', () => {
    const wait = (arenaMax?: number) => {
      const cores = 4;
      const { machine, memory } = linux(cores);
      const m = new GlibcMalloc({ memory, machine, arenaMax, tcacheCount: 0 });
      machine.run(
        function* (core) {
          for (let i = 0; i < 200; i++) {
            const p = m.malloc(core, 2000);
            yield;
            m.free(core, p);
            yield;
          }
        },
        { cores },
      );
      return machine.counters.totals().lockWaitCycles ?? 0;
    };
    const shared = wait(1);
    expect(shared).toBeGreaterThan(0);
    // About 10x (1 arena: 668k cycles of lock wait; per-thread arenas: 69k, on other locks). The
    // futex releaser's wake cost (@unimem/hw locks/wakes.ts) spreads the shared arena's releases
    // out a little: 10.6x before it, 9.7x with it.
    expect(shared).toBeGreaterThan(5 * wait());
  });

  it('rejects bad configuration naming the value, and bad pointers with EINVAL', () => {
    const memory = new BumpMemory(2);
    expect(() => new GlibcMalloc({ memory, arenaMax: 0 })).toThrow(/arenaMax 0/);
    expect(() => new GlibcMalloc({ memory, tcacheCount: -1 })).toThrow(/tcacheCount -1/);
    expect(() => new GlibcMalloc({ memory, mmapThreshold: 64 * MiB })).toThrow(/mmapThreshold/);
    const m = new GlibcMalloc({ memory });
    const p = m.malloc(0, 10);
    expect(m.free(0, p + 16)).toBe(Errno.EINVAL);
    expect(m.free(0, p)).toBe(Ok);
    expect(m.free(0, p)).toBe(Errno.EINVAL);
    expect(m.malloc(2, 10)).toBe(Errno.EINVAL);
  });
});
