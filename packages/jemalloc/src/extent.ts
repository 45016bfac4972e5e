// Extent records (jemalloc's edata_t) as a table of columns indexed by a small integer handle, so
// that millions of slabs and extents cost typed-array slots rather than objects. An extent is a
// page-aligned run of address space owned by one arena, in one state: active (a slab or a large
// allocation), dirty (freed, pages possibly resident), muzzy (lazily purged with MADV_FREE) or
// retained (purged or never touched; jemalloc never unmaps it with retain:true). Handles are
// recycled through each arena's edata cache (base.ts), never returned to the table, as jemalloc
// keeps edata_t structures cached. Invariant: a handle is in at most one heap and one LRU list.

import type { LineTracer } from '@unimem/hw';

export const ExtentState = { Active: 0, Dirty: 1, Muzzy: 2, Retained: 3 } as const;
export type ExtentState = (typeof ExtentState)[keyof typeof ExtentState];

/** Cache lines of one edata_t (128 bytes: header and the slab bitmap). */
export const EDATA_LINES = 2;
/** 32-bit words of a slab bitmap with more than 32 regions (512 regions at most). */
export const BITMAP_WORDS = 16;
const NONE = -1;
const LINE_BATCH = 1024;

export class ExtentTable {
  capacity = 0;
  /** Handles created so far. */
  count = 0;
  addr = new Float64Array(0);
  size = new Float64Array(0);
  /** Serial number: creation order of the mapping; splits inherit it, merges keep the lower. */
  sn = new Float64Array(0);
  /** Usable size of a large allocation. */
  usize = new Float64Array(0);
  /** Offset of a large allocation's pointer from addr (cache-oblivious placement). */
  offset = new Int32Array(0);
  state = new Uint8Array(0);
  arena = new Int32Array(0);
  /** Size class of an active extent (slab: its bin; large: its class); -1 when inactive. */
  szind = new Int32Array(0);
  slab = new Uint8Array(0);
  /** Free regions of a slab. */
  nfree = new Int32Array(0);
  /** Slab bitmap (bit set = region free) when the slab has at most 32 regions. */
  bits = new Uint32Array(0);
  /** Slot in `bitmaps` of a slab with more than 32 regions, else -1. */
  bitmapSlot = new Int32Array(0);
  heapIndex = new Int32Array(0);
  lruPrev = new Int32Array(0);
  lruNext = new Int32Array(0);
  /** First of the EDATA_LINES cache lines of the record. */
  line = new Int32Array(0);
  /** Bitmap words of large slabs, BITMAP_WORDS per slot. */
  bitmaps = new Uint32Array(0);
  private bitmapSlots = 0;
  private readonly freeBitmapSlots: number[] = [];
  private nextLine = 0;
  private linesLeft = 0;

  constructor(private readonly tracer: LineTracer) {}

  /** A new record (called by the edata caches when they have none to reuse). */
  create(): number {
    if (this.count === this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    const handle = this.count++;
    if (this.linesLeft === 0) {
      this.nextLine = this.tracer.allocLines(LINE_BATCH * EDATA_LINES, 'jemalloc edata');
      this.linesLeft = LINE_BATCH;
    }
    this.line[handle] = this.nextLine;
    this.nextLine += EDATA_LINES;
    this.linesLeft--;
    this.heapIndex[handle] = NONE;
    this.lruPrev[handle] = NONE;
    this.lruNext[handle] = NONE;
    this.bitmapSlot[handle] = NONE;
    return handle;
  }

  /** Fills in an inactive record for [addr, addr + size). */
  init(handle: number, arena: number, addr: number, size: number, sn: number, state: number): void {
    this.addr[handle] = addr;
    this.size[handle] = size;
    this.sn[handle] = sn;
    this.state[handle] = state;
    this.arena[handle] = arena;
    this.szind[handle] = NONE;
    this.slab[handle] = 0;
    this.usize[handle] = 0;
    this.offset[handle] = 0;
    this.nfree[handle] = 0;
  }

  /** End address of the extent. */
  end(handle: number): number {
    return this.addr[handle] + this.size[handle];
  }

  /** Ordering of heaps (edata_snad_comp): serial number, then address. */
  before(a: number, b: number): boolean {
    const snA = this.sn[a];
    const snB = this.sn[b];
    return snA < snB || (snA === snB && this.addr[a] < this.addr[b]);
  }

  /** Takes a bitmap slot for a slab with more than 32 regions. */
  takeBitmap(handle: number): number {
    let slot = this.freeBitmapSlots.pop();
    if (slot === undefined) {
      slot = this.bitmapSlots++;
      if (slot * BITMAP_WORDS >= this.bitmaps.length) {
        const next = new Uint32Array(Math.max(64, this.bitmapSlots * 2) * BITMAP_WORDS);
        next.set(this.bitmaps);
        this.bitmaps = next;
      }
    }
    this.bitmapSlot[handle] = slot;
    return slot;
  }

  /** Returns the bitmap slot of a slab being dissolved. */
  releaseBitmap(handle: number): void {
    const slot = this.bitmapSlot[handle];
    if (slot !== NONE) {
      this.freeBitmapSlots.push(slot);
      this.bitmapSlot[handle] = NONE;
    }
  }

  private grow(capacity: number): void {
    const copy = <T extends Float64Array | Int32Array | Uint8Array | Uint32Array>(
      old: T,
      make: (n: number) => T,
    ): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    const f64 = (n: number) => new Float64Array(n);
    const i32 = (n: number) => new Int32Array(n);
    const u8 = (n: number) => new Uint8Array(n);
    this.addr = copy(this.addr, f64);
    this.size = copy(this.size, f64);
    this.sn = copy(this.sn, f64);
    this.usize = copy(this.usize, f64);
    this.offset = copy(this.offset, i32);
    this.state = copy(this.state, u8);
    this.arena = copy(this.arena, i32);
    this.szind = copy(this.szind, i32);
    this.slab = copy(this.slab, u8);
    this.nfree = copy(this.nfree, i32);
    this.bits = copy(this.bits, (n) => new Uint32Array(n));
    this.bitmapSlot = copy(this.bitmapSlot, i32);
    this.heapIndex = copy(this.heapIndex, i32);
    this.lruPrev = copy(this.lruPrev, i32);
    this.lruNext = copy(this.lruNext, i32);
    this.line = copy(this.line, i32);
    this.capacity = capacity;
  }
}
