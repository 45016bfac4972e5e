// glibc malloc (ptmalloc2, malloc/malloc.c 2.35) as a Malloc over any MemorySystem: one thread
// per core, each with its tcache (64 bins of 16-byte steps up to 1032-byte requests, 7 chunks
// each, no lock) and its arena (the main arena for the first, a new one per thread up to
// M_ARENA_MAX = 8 × cores, then shared round-robin as reused_arena does), each arena behind its
// own mutex. malloc: tcache, else lock the thread's arena, take a chunk (stashing up to 7 more of
// the same size into the tcache), else — at or above the mmap threshold (128 KiB, raised to the
// size of a freed mmapped chunk up to 32 MiB: the dynamic M_MMAP_THRESHOLD) — mmap it. free: the
// freeing thread's tcache if its bin has room (whichever arena owns the chunk), else the owning
// arena's fastbin by CAS for chunks up to 128 B, else the owning arena under its lock (a
// cross-thread free locks the other thread's arena); mmapped chunks are unmapped.
//
// Invariant: `live` holds exactly the user pointers handed out and not freed; a chunk is live,
// in one tcache, or in its arena, never two of these. Errors are values: EINVAL for a bad core,
// size or pointer (unknown, interior, already freed), ENOMEM when memory cannot be mapped.

import {
  type AddressResult,
  Errno,
  type ErrnoStatus,
  isCoreIndex,
  type Lock,
  type Malloc,
  MapFlags,
  Ok,
  PAGE_SIZE,
  Prot,
} from '@unimem/core';
import { freeLock, MallocMutex } from '@unimem/hw';
import {
  ARENAS_PER_CORE,
  DEFAULT_GLIBC_COSTS,
  DEFAULT_MMAP_THRESHOLD,
  type GlibcMallocOptions,
  type GlibcStats,
  MAX_FAST_CHUNK,
  MMAP_THRESHOLD_MAX,
  TCACHE_FILL_COUNT,
} from './api.js';
import { Arena, type ArenaHooks } from './arena.js';
import { arenaUsable, chunkSize, mmappedUsable, tcacheIndex } from './chunks.js';
import { Tcache } from './tcache.js';

/** Larger requests fail with ENOMEM (no x86-64 address space holds them). */
const MAX_REQUEST = 2 ** 47;
/** User pointer = chunk + 2 * SIZE_SZ (chunk2mem). */
const CHUNK_TO_MEM = 16;
/** Arena index of an mmapped chunk. */
const MMAPPED = -1;

interface Live {
  chunk: number;
  /** Owning arena, or MMAPPED. */
  arena: number;
}

export class GlibcMalloc implements Malloc {
  readonly name: string;
  readonly cores: number;
  readonly arenaMax: number;
  private readonly counts: GlibcStats;
  private readonly arenas: Arena[] = [];
  private readonly arenaOf: Int32Array;
  private nextToUse = 0;
  private readonly tcache: Tcache;
  private readonly hooks: ArenaHooks;
  private readonly dynamicThreshold: boolean;
  private readonly live = new Map<number, Live>();
  private readonly stashed: number[] = [];

  constructor(private readonly options: GlibcMallocOptions) {
    const memory = options?.memory;
    if (memory === undefined || memory === null || typeof memory.mmap !== 'function') {
      throw new RangeError(`memory ${memory} is not a MemorySystem`);
    }
    this.name = options.name ?? 'glibc';
    this.cores = memory.cores;
    this.arenaMax = options.arenaMax ?? ARENAS_PER_CORE * this.cores;
    if (!Number.isInteger(this.arenaMax) || this.arenaMax < 1) {
      throw new RangeError(`arenaMax ${this.arenaMax} must be a positive integer`);
    }
    const count = options.tcacheCount ?? TCACHE_FILL_COUNT;
    if (!Number.isInteger(count) || count < 0 || count > 65535) {
      throw new RangeError(`tcacheCount ${count} must be an integer in 0..65535`);
    }
    const threshold = options.mmapThreshold ?? DEFAULT_MMAP_THRESHOLD;
    if (!Number.isSafeInteger(threshold) || threshold < 0 || threshold > MMAP_THRESHOLD_MAX) {
      throw new RangeError(
        `mmapThreshold ${threshold} must be an integer in 0..${MMAP_THRESHOLD_MAX}`,
      );
    }
    this.dynamicThreshold = options.mmapThreshold === undefined;
    const machine = options.machine;
    const costs = { ...DEFAULT_GLIBC_COSTS };
    const l1Hit = machine?.costs.l1Hit ?? 0;
    this.hooks = {
      memory,
      lines: machine?.lines,
      costs,
      steps: machine ? (n) => machine.charge(n * l1Hit) : () => {},
    };
    this.tcache = new Tcache(this.cores, count, machine?.lines);
    this.arenaOf = new Int32Array(this.cores).fill(-1);
    this.counts = {
      mallocs: 0,
      frees: 0,
      tcacheHits: 0,
      tcachePuts: 0,
      fastbinFrees: 0,
      arenaLocks: 0,
      mmapChunks: 0,
      munmapChunks: 0,
      remoteFrees: 0,
      heapsMapped: 0,
      heapGrows: 0,
      arenas: 0,
      mmapThreshold: threshold,
    };
  }

  malloc(core: number, size: number): AddressResult {
    if (!isCoreIndex(core, this.cores) || !Number.isSafeInteger(size) || size < 0) {
      return Errno.EINVAL;
    }
    if (size > MAX_REQUEST) return Errno.ENOMEM;
    const handle = this.options.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      return this.allocate(core, size);
    } finally {
      handle?.unbind(outer);
    }
  }

  free(core: number, ptr: number): ErrnoStatus {
    if (!isCoreIndex(core, this.cores) || !Number.isSafeInteger(ptr)) return Errno.EINVAL;
    const entry = this.live.get(ptr);
    if (entry === undefined) return Errno.EINVAL;
    const handle = this.options.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      this.release(core, ptr, entry);
      return Ok;
    } finally {
      handle?.unbind(outer);
    }
  }

  usableSize(ptr: number): number {
    const entry = this.live.get(ptr);
    if (entry === undefined) return Errno.EINVAL;
    return entry.arena === MMAPPED ? mmappedUsable(entry.chunk) : arenaUsable(entry.chunk);
  }

  private allocate(core: number, size: number): AddressResult {
    const { costs } = this.hooks;
    this.hooks.steps(costs.entry);
    this.counts.mallocs++;
    const chunk = chunkSize(size);
    const bin = tcacheIndex(chunk);
    if (bin >= 0) {
      const cached = this.tcache.get(core, bin);
      if (cached >= 0) {
        this.hooks.steps(costs.tcache);
        this.counts.tcacheHits++;
        return this.handOut(cached, chunk, this.tcache.lastArena);
      }
    }
    const arena = this.arenaFor(core);
    arena.lock.lock(core);
    this.counts.arenaLocks++;
    let result: AddressResult;
    if (chunk >= this.counts.mmapThreshold && !arena.canServe(chunk)) {
      result = this.mmapChunk(core, chunk); // sysmalloc, still under the arena lock
    } else {
      const addr = arena.take(core, chunk);
      const taken = arena.takenBytes;
      if (addr >= 0 && bin >= 0 && taken === chunk) this.stash(core, arena, bin, chunk);
      result = addr < 0 ? Errno.ENOMEM : this.handOut(addr, taken, arena.index);
    }
    arena.lock.unlock(core);
    return result;
  }

  /** Tcache stashing: more chunks of the same size move from the arena to the tcache. */
  private stash(core: number, arena: Arena, bin: number, chunk: number): void {
    this.stashed.length = 0;
    arena.stash(chunk, this.tcache.room(core, bin), this.stashed);
    for (const extra of this.stashed) this.tcache.put(core, bin, extra, arena.index);
  }

  private handOut(addr: number, chunk: number, arena: number): number {
    const ptr = addr + CHUNK_TO_MEM;
    this.live.set(ptr, { chunk, arena });
    return ptr;
  }

  private release(core: number, ptr: number, entry: Live): void {
    const { costs } = this.hooks;
    this.hooks.steps(costs.entry);
    this.counts.frees++;
    this.live.delete(ptr);
    const addr = ptr - CHUNK_TO_MEM;
    if (entry.arena === MMAPPED) {
      this.unmapChunk(core, addr, entry.chunk);
      return;
    }
    const bin = tcacheIndex(entry.chunk);
    if (bin >= 0 && this.tcache.room(core, bin) > 0) {
      this.hooks.steps(costs.tcache);
      this.tcache.put(core, bin, addr, entry.arena);
      this.counts.tcachePuts++;
      return;
    }
    const arena = this.arenas[entry.arena];
    if (entry.arena !== this.arenaOf[core]) this.counts.remoteFrees++;
    if (entry.chunk <= MAX_FAST_CHUNK) {
      this.counts.fastbinFrees++;
      arena.pushFast(entry.chunk, addr);
      return;
    }
    arena.lock.lock(core);
    this.counts.arenaLocks++;
    arena.release(addr, entry.chunk);
    arena.lock.unlock(core);
  }

  /** The calling thread's arena (arena_get2: a new one below arenaMax, else round-robin). */
  private arenaFor(core: number): Arena {
    let index = this.arenaOf[core];
    if (index < 0) {
      if (this.arenas.length < this.arenaMax) {
        index = this.arenas.length;
        this.arenas.push(new Arena(index, this.makeLock(`glibc arena ${index}`), this.hooks));
        this.counts.arenas = this.arenas.length;
      } else {
        index = this.nextToUse;
        this.nextToUse = (this.nextToUse + 1) % this.arenas.length;
      }
      this.arenaOf[core] = index;
    }
    return this.arenas[index];
  }

  private makeLock(name: string): Lock {
    const { machine, mutex } = this.options;
    if (mutex) return mutex(name);
    // lll_lock: a cmpxchg, then futex_wait without spinning; unlock wakes one waiter.
    return machine ? new MallocMutex(machine, name, { spinCycles: 0 }) : freeLock(name);
  }

  /** sysmalloc_mmap: the chunk rounded up to pages, plus the size field. */
  private mmapChunk(core: number, chunk: number): AddressResult {
    const bytes = Math.ceil((chunk + 8) / PAGE_SIZE) * PAGE_SIZE;
    const base = this.hooks.memory.mmap(
      core,
      bytes,
      Prot.READ | Prot.WRITE,
      MapFlags.PRIVATE | MapFlags.ANONYMOUS,
    );
    if (base < 0) return Errno.ENOMEM;
    this.hooks.memory.touch(core, base + 8, true); // set_head
    this.counts.mmapChunks++;
    return this.handOut(base, bytes, MMAPPED);
  }

  private unmapChunk(core: number, base: number, bytes: number): void {
    // __libc_free: a freed mmapped chunk above the threshold (up to the max) raises it.
    if (this.dynamicThreshold && bytes > this.counts.mmapThreshold && bytes <= MMAP_THRESHOLD_MAX) {
      this.counts.mmapThreshold = bytes;
    }
    this.hooks.memory.munmap(core, base, bytes);
    this.counts.munmapChunks++;
  }

  /** Counters, with heaps mapped and grown summed over the arenas. */
  stats(): GlibcStats {
    const out = { ...this.counts };
    for (const arena of this.arenas) {
      out.heapsMapped += arena.heapsMapped;
      out.heapGrows += arena.heapGrows;
    }
    return out;
  }
}
