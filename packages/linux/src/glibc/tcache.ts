// The per-thread cache of glibc malloc (tcache_perthread_struct, malloc/malloc.c since 2.26):
// per thread (here: per core) 64 bins of chunks of one size each, at most `count` chunks per bin
// (glibc.malloc.tcache_count, 7), used without any lock. Each cached chunk remembers the arena
// that owns it (glibc reads it from the chunk's heap_info when the chunk leaves the cache).
// Charges the thread's own lines only: the counts array (2 lines) and the entries array (8).
//
// Invariant: a bin never holds more than `count` chunks; every cached chunk is in one bin only.

import type { CacheLines } from '@unimem/hw';
import { TCACHE_BINS } from './api.js';

const COUNT_LINES = 2;
const LINES_PER_CORE = COUNT_LINES + 8;

export class Tcache {
  /** Arena of the chunk the last `get` returned. */
  lastArena = 0;
  private readonly addrs: number[][];
  private readonly arenas: number[][];
  private readonly firstLine: number;

  constructor(
    cores: number,
    private readonly count: number,
    private readonly lines: CacheLines | undefined,
  ) {
    this.addrs = Array.from({ length: cores * TCACHE_BINS }, () => []);
    this.arenas = Array.from({ length: cores * TCACHE_BINS }, () => []);
    this.firstLine = lines?.allocLines(cores * LINES_PER_CORE, 'glibc tcache') ?? 0;
  }

  /** Free slots of `core`'s bin. */
  room(core: number, bin: number): number {
    return this.count - this.addrs[core * TCACHE_BINS + bin].length;
  }

  /** tcache_get: a cached chunk start, or -1 when the bin is empty. */
  get(core: number, bin: number): number {
    const slot = core * TCACHE_BINS + bin;
    this.touch(core, bin);
    const addrs = this.addrs[slot];
    if (addrs.length === 0) return -1;
    this.lastArena = this.arenas[slot].pop() as number;
    return addrs.pop() as number;
  }

  /** tcache_put; the caller checked room(). */
  put(core: number, bin: number, addr: number, arena: number): void {
    const slot = core * TCACHE_BINS + bin;
    this.touch(core, bin);
    this.addrs[slot].push(addr);
    this.arenas[slot].push(arena);
  }

  private touch(core: number, bin: number): void {
    if (!this.lines) return;
    const base = this.firstLine + core * LINES_PER_CORE;
    this.lines.write(base + (bin >> 5));
    this.lines.write(base + COUNT_LINES + (bin >> 3));
  }
}
