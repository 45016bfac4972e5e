// The Malloc conformance suite. Every user-level allocator runs it from its own tests:
//
//   mallocSuite('jemalloc', ({ cores, observe }) =>
//     new Jemalloc({ memory: observe(new TestMemory({ cores })) }));
//
// The factory wraps the MemorySystem it gives the allocator with `observe`, so the suite sees
// every mapping and can check that each block lies inside memory the allocator mapped, and can
// write to blocks through the same memory system. It checks the contract of core's Malloc:
// aligned, non-overlapping blocks with usableSize >= size, for every size from 0 up; frees make
// space reusable; random malloc/free sequences over all cores (cross-core frees included) against
// a model; bad frees and bad arguments return EINVAL and change nothing; sizes no address space
// can hold, and (optionally) a small address space filled up, return ENOMEM.
//

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AddressResult,
  Errno,
  type ErrnoStatus,
  type Malloc,
  type MemoryStats,
  type MemorySystem,
  mulberry32,
  Ok,
} from '../index.js';
import { MappedRegions } from './mapped-regions.js';

export interface MallocSuiteContext {
  cores: number;
  /**
   * Wraps the memory system the allocator maps from; the allocator must use the returned one.
   * Call it once per allocator.
   */
  observe(memory: MemorySystem): MemorySystem;
  /**
   * When set, give the allocator a memory system with about this much address space (the
   * exhaustion test; only asked for when the suite's `limitedAddressSpace` option is true).
   */
  addressSpaceBytes?: number;
}

export interface MallocSuiteOptions {
  /** Cores (default 4). */
  cores?: number;
  /** Alignment every block of `size` bytes must have (default 8 up to 8 bytes, else 16). */
  alignment?: (size: number) => number;
  /** Largest size of the random sequences (default 256 KiB). */
  maxSize?: number;
  /** The factory honours `addressSpaceBytes`: fill it up and expect ENOMEM (default false). */
  limitedAddressSpace?: boolean;
  /** fast-check runs of the random sequences (default 25). */
  runs?: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** A MemorySystem wrapper that remembers the mapped regions. */
class Observer implements MemorySystem {
  readonly name: string;
  readonly cores: number;
  mmapBytes = 0;
  private readonly mapped = new MappedRegions();

  constructor(readonly inner: MemorySystem) {
    this.name = inner.name;
    this.cores = inner.cores;
  }

  boot(): void {
    this.inner.boot();
  }

  mmap(core: number, length: number, prot: number, flags: number, addr?: number): AddressResult {
    const result = this.inner.mmap(core, length, prot, flags, addr);
    if (result >= 0) {
      this.mapped.map(result, result + Math.ceil(length / 4096) * 4096);
      this.mmapBytes += length;
    }
    return result;
  }

  munmap(core: number, addr: number, length: number): ErrnoStatus {
    const result = this.inner.munmap(core, addr, length);
    if (result === Ok) {
      this.mapped.unmap(addr, addr + length);
      this.mmapBytes -= length;
    }
    return result;
  }

  mprotect(core: number, addr: number, length: number, prot: number): ErrnoStatus {
    return this.inner.mprotect(core, addr, length, prot);
  }

  madvise(core: number, addr: number, length: number, advice: number): ErrnoStatus {
    const result = this.inner.madvise(core, addr, length, advice);
    expect(result, `madvise(0x${addr.toString(16)}, ${length}, ${advice})`).toBe(Ok);
    expect(this.isMapped(addr, length), 'madvise of memory the allocator did not map').toBe(true);
    return result;
  }

  touch(core: number, addr: number, write: boolean): ErrnoStatus {
    return this.inner.touch(core, addr, write);
  }

  stats(): MemoryStats {
    return this.inner.stats();
  }

  isMapped(addr: number, length: number): boolean {
    return this.mapped.covers(addr, length);
  }
}

/** Live blocks, kept sorted to detect overlap. */
class Blocks {
  readonly live = new Map<number, { size: number; usable: number }>();
  private starts: number[] = [];

  add(ptr: number, size: number, usable: number): void {
    const { starts } = this;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] < ptr) lo = mid + 1;
      else hi = mid;
    }
    const end = ptr + Math.max(usable, 1);
    const before = starts[lo - 1];
    if (before !== undefined) {
      const b = this.live.get(before)!;
      if (before + Math.max(b.usable, 1) > ptr) {
        throw new Error(`block 0x${ptr.toString(16)} overlaps 0x${before.toString(16)}`);
      }
    }
    const after = starts[lo];
    if (after !== undefined && after < end) {
      throw new Error(`block 0x${ptr.toString(16)} (+${usable}) overlaps 0x${after.toString(16)}`);
    }
    starts.splice(lo, 0, ptr);
    this.live.set(ptr, { size, usable });
  }

  remove(ptr: number): void {
    const at = this.starts.indexOf(ptr);
    this.starts.splice(at, 1);
    this.live.delete(ptr);
  }
}

export function mallocSuite(
  name: string,
  create: (context: MallocSuiteContext) => Malloc,
  options: MallocSuiteOptions = {},
): void {
  const cores = options.cores ?? 4;
  const alignment = options.alignment ?? ((size: number) => (size <= 8 ? 8 : 16));
  const maxSize = options.maxSize ?? 256 * KiB;
  const runs = options.runs ?? 25;

  const make = (addressSpaceBytes?: number) => {
    let observer: Observer | undefined;
    const malloc = create({
      cores,
      addressSpaceBytes,
      observe: (memory) => {
        observer = new Observer(memory);
        return observer;
      },
    });
    if (observer === undefined) throw new Error(`${name}: the factory did not call observe()`);
    return { malloc, memory: observer };
  };

  /** Allocates and checks one block; returns the pointer. */
  const allocate = (
    malloc: Malloc,
    memory: Observer,
    blocks: Blocks,
    core: number,
    size: number,
  ): number => {
    const ptr = malloc.malloc(core, size);
    expect(ptr, `malloc(${core}, ${size})`).toBeGreaterThanOrEqual(0);
    expect(ptr % alignment(size), `alignment of malloc(${size}) = 0x${ptr.toString(16)}`).toBe(0);
    const usable = malloc.usableSize(ptr);
    expect(usable, `usableSize of malloc(${size})`).toBeGreaterThanOrEqual(size);
    expect(memory.isMapped(ptr, Math.max(usable, 1)), `block of ${size} inside mappings`).toBe(
      true,
    );
    blocks.add(ptr, size, usable);
    return ptr;
  };

  const release = (malloc: Malloc, blocks: Blocks, core: number, ptr: number) => {
    expect(malloc.free(core, ptr), `free(${core}, 0x${ptr.toString(16)})`).toBe(Ok);
    blocks.remove(ptr);
  };

  describe(`Malloc conformance: ${name}`, () => {
    it('returns aligned, mapped, writable, disjoint blocks for sizes from 0 up', () => {
      const { malloc, memory } = make();
      const blocks = new Blocks();
      const sizes = [0, 1, 7, 8, 9, 15, 16, 17, 24, 100, 1000, 4095, 4096, 4097, 14336, 14337];
      sizes.push(16 * KiB, 20_000, 64 * KiB, MiB + 1, 3 * MiB, 9 * MiB);
      const ptrs: number[] = [];
      sizes.forEach((size, i) => {
        const core = i % cores;
        const ptr = allocate(malloc, memory, blocks, core, size);
        expect(memory.touch(core, ptr, true), 'write the first byte').toBe(Ok);
        const last = ptr + Math.max(size, 1) - 1;
        expect(memory.touch(core, last, true), 'write the last byte').toBe(Ok);
        ptrs.push(ptr);
      });
      ptrs.forEach((ptr, i) => {
        release(malloc, blocks, (i + 1) % cores, ptr);
      });
    });

    it('malloc(0) returns distinct minimal blocks that can be freed', () => {
      const { malloc, memory } = make();
      const blocks = new Blocks();
      const a = allocate(malloc, memory, blocks, 0, 0);
      const b = allocate(malloc, memory, blocks, 0, 0);
      expect(a).not.toBe(b);
      release(malloc, blocks, 0, a);
      release(malloc, blocks, 0, b);
    });

    it('reuses freed space: a second round of the same allocations maps nothing new', () => {
      const { malloc, memory } = make();
      const blocks = new Blocks();
      const round = () => {
        const ptrs: Array<[number, number]> = [];
        for (const size of [64, 4096, 64 * KiB, 3 * MiB, 10 * MiB]) {
          for (let i = 0; i < 8; i++) {
            const core = i % cores;
            ptrs.push([core, allocate(malloc, memory, blocks, core, size)]);
          }
        }
        for (const [core, ptr] of ptrs) release(malloc, blocks, core, ptr);
      };
      round();
      const mapped = memory.mmapBytes;
      round();
      round();
      expect(memory.mmapBytes).toBe(mapped);
    });

    it('random malloc/free sequences on all cores match a model (cross-core frees too)', () => {
      const size = fc.oneof(
        fc.integer({ min: 0, max: 256 }),
        fc.integer({ min: 0, max: 16 * KiB }),
        fc.integer({ min: 0, max: maxSize }),
      );
      const step = fc.record({
        core: fc.integer({ min: 0, max: cores - 1 }),
        free: fc.boolean(),
        pick: fc.nat(),
        size,
      });
      fc.assert(
        fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
          const { malloc, memory } = make();
          const blocks = new Blocks();
          for (const { core, free, pick, size } of steps) {
            if (free && blocks.live.size > 0) {
              const ptrs = [...blocks.live.keys()];
              release(malloc, blocks, core, ptrs[pick % ptrs.length]);
            } else {
              allocate(malloc, memory, blocks, core, size);
            }
          }
          for (const [ptr, { usable }] of blocks.live) {
            expect(malloc.usableSize(ptr)).toBe(usable);
          }
          for (const ptr of [...blocks.live.keys()]) release(malloc, blocks, 0, ptr);
        }),
        { numRuns: runs, seed: 42 },
      );
    });

    it('bad frees and bad arguments return EINVAL and change nothing', () => {
      const { malloc, memory } = make();
      const blocks = new Blocks();
      const small = allocate(malloc, memory, blocks, 0, 64);
      const page = allocate(malloc, memory, blocks, 1 % cores, 4096);
      const large = allocate(malloc, memory, blocks, 0, 100 * KiB);
      const freed = allocate(malloc, memory, blocks, 0, 64);
      release(malloc, blocks, 0, freed);
      const before = [...blocks.live].map(([ptr]) => [ptr, malloc.usableSize(ptr)]);
      const bad = [small + 16, small + 8, page + 64, large + 4096, large + 8, freed];
      bad.push(large + 64 * KiB, small + 4 * 4096 * 1024 * 1024, 0, 1, 4096);
      for (const ptr of bad) {
        expect(malloc.free(0, ptr), `free(0x${ptr.toString(16)})`).toBe(Errno.EINVAL);
        expect(malloc.usableSize(ptr), `usableSize(0x${ptr.toString(16)})`).toBe(Errno.EINVAL);
      }
      for (const ptr of [-1, -4096, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
        expect(malloc.free(0, ptr), `free(${ptr})`).toBe(Errno.EINVAL);
        expect(malloc.usableSize(ptr), `usableSize(${ptr})`).toBe(Errno.EINVAL);
      }
      for (const core of [-1, cores, 0.5, Number.NaN]) {
        expect(malloc.free(core, small), `free on core ${core}`).toBe(Errno.EINVAL);
        expect(malloc.malloc(core, 64), `malloc on core ${core}`).toBe(Errno.EINVAL);
      }
      for (const size of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(malloc.malloc(0, size), `malloc(${size})`).toBe(Errno.EINVAL);
      }
      expect([...blocks.live].map(([ptr]) => [ptr, malloc.usableSize(ptr)])).toEqual(before);
      // The state is intact: new blocks overlap none of the live ones, none is handed out twice.
      for (let i = 0; i < 64; i++) allocate(malloc, memory, blocks, i % cores, 64);
      for (const ptr of [...blocks.live.keys()]) release(malloc, blocks, 1 % cores, ptr);
    });

    it('returns ENOMEM for sizes no address space holds, and keeps working', () => {
      const { malloc, memory } = make();
      const blocks = new Blocks();
      for (const size of [2 ** 50, 2 ** 52, Number.MAX_SAFE_INTEGER]) {
        expect(malloc.malloc(0, size), `malloc(${size})`).toBe(Errno.ENOMEM);
      }
      const ptr = allocate(malloc, memory, blocks, 0, 100);
      release(malloc, blocks, 0, ptr);
    });

    if (options.limitedAddressSpace) {
      it('fills a small address space until ENOMEM, then reuses a freed block', () => {
        const space = 64 * MiB;
        const { malloc, memory } = make(space);
        const blocks = new Blocks();
        const random = mulberry32(7);
        const ptrs: Array<[number, number]> = [];
        // Round robin until every core failed in a row: per-core arenas may keep address space
        // another core cannot use.
        let failures = 0;
        for (let i = 0; failures < cores && i < 4 * (space / MiB); i++) {
          const result = malloc.malloc(i % cores, MiB);
          if (result < 0) {
            expect(result, 'exhaustion').toBe(Errno.ENOMEM);
            failures++;
            continue;
          }
          failures = 0;
          blocks.add(result, MiB, malloc.usableSize(result));
          ptrs.push([i % cores, result]);
        }
        expect(failures, 'every core ran out').toBe(cores);
        expect(ptrs.length).toBeGreaterThan(space / MiB / 4);
        for (let core = 0; core < cores; core++) {
          expect(malloc.malloc(core, MiB), 'still exhausted').toBe(Errno.ENOMEM);
        }
        const [core, victim] = ptrs.splice(Math.floor(random() * ptrs.length), 1)[0];
        release(malloc, blocks, core, victim);
        // The core that allocated it gets it back (a per-core or per-thread allocator may keep
        // freed memory for the core that allocated it).
        const again = malloc.malloc(core, MiB);
        expect(again, 'a freed block is reused').toBeGreaterThanOrEqual(0);
        blocks.add(again, MiB, malloc.usableSize(again));
        expect(memory.isMapped(again, MiB)).toBe(true);
      });
    }
  });
}
