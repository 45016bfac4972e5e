// jemalloc's base allocator (src/base.c) and edata cache: metadata lives in separate mappings,
// never inside the memory handed to the application. A base maps blocks aligned to 2 MiB whose
// sizes grow through the page-size classes (the first 2 MiB, then 4, 6, 8, 10 MiB...: each the
// next class rounded up to 2 MiB), bump-allocates from them, and never frees. Writing metadata
// faults its page in (the base touches each page once, through the MemorySystem), so metadata
// shows in the footprint as it does under Linux. Each arena has its own base (its arena_t, bins
// and edata_t records); base 0 also holds the global extent map's leaves. Invariant: allocated
// <= mapped, and every address handed out lies in a block of this base.

import { alignUp, Errno, type Lock, Ok, PAGE_SIZE } from '@unimem/core';
import type { LineTracer } from '@unimem/hw';
import type { ExtentTable } from './extent.js';
import type { Pages } from './pages.js';
import type { SizeClasses } from './size-classes.js';

/** Base blocks are aligned to, and sized in multiples of, the huge page. */
export const HUGEPAGE = 2 * 1024 * 1024;
/** base_block_t: size, next and an embedded edata_t [C: base.c], rounded to a line. */
export const BLOCK_HEADER_BYTES = 192;
/** base_t: lock, ehooks, avail heaps for every size class (~232 × 8 B) and stats [E]. */
export const BASE_HEADER_BYTES = 2048;
/** sizeof(edata_t) with its slab bitmap: 128 bytes (EDATA_ALIGNMENT) [C: edata.h]. */
export const EDATA_BYTES = 128;

interface Block {
  addr: number;
  size: number;
  used: number;
  /** Pages already written (faulted in). */
  touched: Uint8Array;
}

export class Base {
  /** Bytes handed out (jemalloc stats.arenas.<i>.base). */
  allocatedBytes = 0;
  /** Bytes of blocks mapped. */
  mappedBytes = 0;
  /** Pages of blocks written so far. */
  residentPages = 0;
  private readonly blocks: Block[] = [];
  /** The last of `blocks`, or null. */
  private newest: Block | null = null;
  /** Page-size class index of the last block (base_t.pind_last). */
  private pszLast = 0;

  constructor(
    readonly name: string,
    private readonly pages: Pages,
    private readonly classes: SizeClasses,
    private readonly lock: Lock,
    private readonly tracer: LineTracer,
    private readonly line: number,
  ) {}

  /** Maps the first block and writes the base header (base_new). ENOMEM on failure. */
  init(core: number): number {
    return this.alloc(core, BASE_HEADER_BYTES, 64, true);
  }

  /**
   * Allocates `bytes` aligned to `align` (bump, first block with room, newest first); writes
   * (faults in) the pages when `write`. Returns the address or Errno.ENOMEM (nothing changed).
   */
  alloc(core: number, bytes: number, align: number, write: boolean): number {
    this.lock.lock(core);
    this.tracer.write(this.line);
    // The newest block first (from a field: the blocks array is one more cold load), then the
    // older ones, newest first.
    let block = this.newest;
    let addr: number = block === null ? Errno.ENOMEM : this.carve(block, bytes, align);
    for (let i = this.blocks.length - 2; i >= 0 && addr < 0; i--) {
      block = this.blocks[i];
      addr = this.carve(block, bytes, align);
    }
    if (addr < 0) {
      block = this.newBlock(core, bytes + align);
      if (block !== null) addr = this.carve(block, bytes, align);
    }
    this.lock.unlock(core);
    if (addr < 0) return Errno.ENOMEM;
    this.allocatedBytes += bytes;
    // The block carved from: touch() searches the blocks oldest first, once per edata record.
    if (write) this.touchIn(core, block!, addr, bytes);
    return addr;
  }

  /** Faults in the pages of [addr, addr + bytes) not written before (a metadata write). */
  touch(core: number, addr: number, bytes: number): void {
    this.touchIn(core, this.blockOf(addr), addr, bytes);
  }

  private touchIn(core: number, block: Block, addr: number, bytes: number): void {
    const first = Math.floor((addr - block.addr) / PAGE_SIZE);
    const last = Math.floor((addr + bytes - 1 - block.addr) / PAGE_SIZE);
    for (let page = first; page <= last; page++) {
      if (block.touched[page] === 0) {
        block.touched[page] = 1;
        this.residentPages++;
        this.pages.touch(core, block.addr + page * PAGE_SIZE);
      }
    }
  }

  private carve(block: Block, bytes: number, align: number): number {
    const start = alignUp(block.addr + block.used, align);
    if (start + bytes > block.addr + block.size) return Errno.ENOMEM;
    block.used = start + bytes - block.addr;
    return start;
  }

  /** base_block_alloc: the next class rounded up to 2 MiB, or what the request needs. */
  private newBlock(core: number, bytes: number): Block | null {
    const { classes } = this;
    const need = classes.pszSize(classes.pszIndex(BLOCK_HEADER_BYTES + bytes));
    const next = classes.pszSize(Math.min(this.pszLast + 1, classes.pszCount - 1));
    const size = alignUp(Math.max(need, next), HUGEPAGE);
    const addr = this.pages.map(core, size, HUGEPAGE);
    if (addr < 0) return null;
    this.pszLast = classes.pszIndex(size);
    const block: Block = {
      addr,
      size,
      used: BLOCK_HEADER_BYTES,
      touched: new Uint8Array(size / PAGE_SIZE),
    };
    this.blocks.push(block);
    this.newest = block;
    this.mappedBytes += size;
    this.allocatedBytes += BLOCK_HEADER_BYTES;
    this.touchIn(core, block, addr, BLOCK_HEADER_BYTES);
    return block;
  }

  private blockOf(addr: number): Block {
    for (const block of this.blocks) {
      if (addr >= block.addr && addr < block.addr + block.size) return block;
    }
    throw new Error(`${this.name}: 0x${addr.toString(16)} is not in any base block`);
  }
}

/**
 * An arena's cache of edata_t records (edata_cache.c): records are taken from the base once and
 * then recycled, never returned to the base. Callers reserve() what an operation may need
 * before changing anything, then take() cannot fail.
 */
export class EdataCache {
  private readonly free: number[] = [];

  constructor(
    private readonly table: ExtentTable,
    private readonly base: Base,
    private readonly lock: Lock,
  ) {}

  /**
   * Makes sure at least `count` records are cached, taking new ones from the base. Ok, or
   * Errno.ENOMEM when the base cannot map a block (the records already taken stay cached).
   */
  reserve(core: number, count: number): number {
    while (this.free.length < count) {
      const addr = this.base.alloc(core, EDATA_BYTES, EDATA_BYTES, true);
      if (addr < 0) return Errno.ENOMEM;
      this.free.push(this.table.create());
    }
    return Ok;
  }

  /** A cached record; the caller reserved it. */
  take(core: number): number {
    this.lock.lock(core);
    const handle = this.free.pop();
    this.lock.unlock(core);
    if (handle === undefined) throw new Error('jemalloc: edata cache empty (reserve first)');
    return handle;
  }

  put(core: number, handle: number): void {
    this.lock.lock(core);
    this.free.push(handle);
    this.lock.unlock(core);
  }

  /** Records cached for reuse. */
  get size(): number {
    return this.free.length;
  }
}
