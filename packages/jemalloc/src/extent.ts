// Extent records (jemalloc's edata_t) as a table of 64-byte records indexed by a small integer
// handle, so that millions of slabs and extents cost typed-array bytes rather than objects. An
// extent is a page-aligned run of address space owned by one arena, in one state: active (a slab
// or a large allocation), dirty (freed, pages possibly resident), muzzy (lazily purged with
// MADV_FREE) or retained (purged or never touched; jemalloc never unmaps it with retain:true).
// Handles are recycled through each arena's edata cache (base.ts), never returned to the table,
// as jemalloc keeps edata_t structures cached. Invariant: a handle is in at most one heap and one
// LRU list.
//
// Why one record per handle rather than one typed array per field: a free of a 4 KiB object (one
// slab per object) reaches a handle no host cache holds and reads its state, arena, class,
// address, size, free count and heap links; with a column per field each was a host cache miss
// of its own (in a V8 profile of `pipeline` 4096 B at 64 cores, ~15 % of the case). All fields
// of a handle now share one 64-byte record, so the first load brings the rest. A record's
// simulated cache lines (`line`) are computed from the batch they were allocated in, not stored.
// Fields and widths (byte offsets): addr, size, usize doubles (0, 8, 16); sn, offset, arena int32
// (24, 28, 32); szind int16 (36); state, slab uint8 (38, 39); nfree, bits (uint32), bitmapSlot,
// heapIndex, lruPrev, lruNext int32 (40..60). A serial number is a count of mappings and fits.

import type { LineTracer } from '@unimem/hw';

export const ExtentState = { Active: 0, Dirty: 1, Muzzy: 2, Retained: 3 } as const;
export type ExtentState = (typeof ExtentState)[keyof typeof ExtentState];

/** Cache lines of one edata_t (128 bytes: header and the slab bitmap). */
export const EDATA_LINES = 2;
/** 32-bit words of a slab bitmap with more than 32 regions (512 regions at most). */
export const BITMAP_WORDS = 16;
const NONE = -1;
/** Handles whose lines are allocated with one allocLines call. */
const LINE_BATCH_SHIFT = 10;
const LINE_BATCH = 1 << LINE_BATCH_SHIFT;

/** Bytes per record, and the record's fields as indices of the views (see the header). */
const RECORD_BYTES = 64;
const F64_PER = RECORD_BYTES / 8;
const I32_PER = RECORD_BYTES / 4;
const I16_PER = RECORD_BYTES / 2;
const ADDR = 0;
const SIZE = 1;
const USIZE = 2;
const SN = 6;
const OFFSET = 7;
const ARENA = 8;
const SZIND = 18;
const STATE = 38;
const SLAB = 39;
const NFREE = 10;
const BITS = 11;
const BITMAP_SLOT = 12;
const HEAP_INDEX = 13;
const LRU_PREV = 14;
const LRU_NEXT = 15;
/** Largest serial number an int32 field holds. */
const MAX_SN = 0x7fffffff;
/**
 * Where the views start in their buffer: glibc maps a large buffer 16 bytes past a page
 * boundary, so records start on a host cache line (the same as @unimem/hw's lines.ts records);
 * elsewhere alignment is only a matter of speed.
 */
const VIEW_OFFSET = 48;

export class ExtentTable {
  capacity = 0;
  /** Handles created so far. */
  count = 0;
  /** Bitmap words of large slabs, BITMAP_WORDS per slot. */
  bitmaps = new Uint32Array(0);
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private u32 = new Uint32Array(0);
  private i16 = new Int16Array(0);
  private u8 = new Uint8Array(0);
  /** First line of each batch of LINE_BATCH handles (handle >> LINE_BATCH_SHIFT). */
  private lineBatches = new Int32Array(16);
  private bitmapSlots = 0;
  private readonly freeBitmapSlots: number[] = [];

  constructor(private readonly tracer: LineTracer) {}

  /** A new record (called by the edata caches when they have none to reuse). */
  create(): number {
    if (this.count === this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    const handle = this.count++;
    const batch = handle >> LINE_BATCH_SHIFT;
    if ((handle & (LINE_BATCH - 1)) === 0) {
      if (batch === this.lineBatches.length) {
        const next = new Int32Array(2 * batch);
        next.set(this.lineBatches);
        this.lineBatches = next;
      }
      this.lineBatches[batch] = this.tracer.allocLines(LINE_BATCH * EDATA_LINES, 'jemalloc edata');
    }
    const r = handle * I32_PER;
    this.i32[r + HEAP_INDEX] = NONE;
    this.i32[r + LRU_PREV] = NONE;
    this.i32[r + LRU_NEXT] = NONE;
    this.i32[r + BITMAP_SLOT] = NONE;
    return handle;
  }

  /** Fills in an inactive record for [addr, addr + size). */
  init(handle: number, arena: number, addr: number, size: number, sn: number, state: number): void {
    if (!(sn >= 0 && sn <= MAX_SN)) {
      throw new RangeError(`extent serial number ${sn} must be an integer in 0..${MAX_SN}`);
    }
    const f = handle * F64_PER;
    this.f64[f + ADDR] = addr;
    this.f64[f + SIZE] = size;
    this.f64[f + USIZE] = 0;
    const r = handle * I32_PER;
    this.i32[r + SN] = sn;
    this.i32[r + OFFSET] = 0;
    this.i32[r + ARENA] = arena;
    this.i32[r + NFREE] = 0;
    this.i16[handle * I16_PER + SZIND] = NONE;
    this.u8[handle * RECORD_BYTES + STATE] = state;
    this.u8[handle * RECORD_BYTES + SLAB] = 0;
  }

  /** Start address. */
  addr(handle: number): number {
    return this.f64[handle * F64_PER + ADDR];
  }
  setAddr(handle: number, value: number): void {
    this.f64[handle * F64_PER + ADDR] = value;
  }
  /** Bytes of the extent. */
  size(handle: number): number {
    return this.f64[handle * F64_PER + SIZE];
  }
  setSize(handle: number, value: number): void {
    this.f64[handle * F64_PER + SIZE] = value;
  }
  /** Usable size of a large allocation. */
  usize(handle: number): number {
    return this.f64[handle * F64_PER + USIZE];
  }
  setUsize(handle: number, value: number): void {
    this.f64[handle * F64_PER + USIZE] = value;
  }
  /** Serial number: creation order of the mapping; splits inherit it, merges keep the lower. */
  sn(handle: number): number {
    return this.i32[handle * I32_PER + SN];
  }
  setSn(handle: number, value: number): void {
    this.i32[handle * I32_PER + SN] = value;
  }
  /** Offset of a large allocation's pointer from addr (cache-oblivious placement). */
  offset(handle: number): number {
    return this.i32[handle * I32_PER + OFFSET];
  }
  setOffset(handle: number, value: number): void {
    this.i32[handle * I32_PER + OFFSET] = value;
  }
  arena(handle: number): number {
    return this.i32[handle * I32_PER + ARENA];
  }
  /** Size class of an active extent (slab: its bin; large: its class); -1 when inactive. */
  szind(handle: number): number {
    return this.i16[handle * I16_PER + SZIND];
  }
  setSzind(handle: number, value: number): void {
    this.i16[handle * I16_PER + SZIND] = value;
  }
  /** ExtentState. */
  state(handle: number): number {
    return this.u8[handle * RECORD_BYTES + STATE];
  }
  setState(handle: number, value: number): void {
    this.u8[handle * RECORD_BYTES + STATE] = value;
  }
  /** 1 for a slab. */
  slab(handle: number): number {
    return this.u8[handle * RECORD_BYTES + SLAB];
  }
  setSlab(handle: number, value: number): void {
    this.u8[handle * RECORD_BYTES + SLAB] = value;
  }
  /** Free regions of a slab. */
  nfree(handle: number): number {
    return this.i32[handle * I32_PER + NFREE];
  }
  setNfree(handle: number, value: number): void {
    this.i32[handle * I32_PER + NFREE] = value;
  }
  /** Slab bitmap (bit set = region free) when the slab has at most 32 regions. */
  bits(handle: number): number {
    return this.u32[handle * I32_PER + BITS];
  }
  setBits(handle: number, value: number): void {
    this.u32[handle * I32_PER + BITS] = value;
  }
  /** Slot in `bitmaps` of a slab with more than 32 regions, else -1. */
  bitmapSlot(handle: number): number {
    return this.i32[handle * I32_PER + BITMAP_SLOT];
  }
  /** Position in the heap holding the handle (extent-heap.ts), -1 when in none. */
  heapIndex(handle: number): number {
    return this.i32[handle * I32_PER + HEAP_INDEX];
  }
  setHeapIndex(handle: number, value: number): void {
    this.i32[handle * I32_PER + HEAP_INDEX] = value;
  }
  lruPrev(handle: number): number {
    return this.i32[handle * I32_PER + LRU_PREV];
  }
  setLruPrev(handle: number, value: number): void {
    this.i32[handle * I32_PER + LRU_PREV] = value;
  }
  lruNext(handle: number): number {
    return this.i32[handle * I32_PER + LRU_NEXT];
  }
  setLruNext(handle: number, value: number): void {
    this.i32[handle * I32_PER + LRU_NEXT] = value;
  }
  /** First of the EDATA_LINES cache lines of the record. */
  line(handle: number): number {
    return this.lineBatches[handle >> LINE_BATCH_SHIFT] + (handle & (LINE_BATCH - 1)) * EDATA_LINES;
  }

  /** End address of the extent. */
  end(handle: number): number {
    return this.addr(handle) + this.size(handle);
  }

  /** Ordering of heaps (edata_snad_comp): serial number, then address. */
  before(a: number, b: number): boolean {
    const snA = this.sn(a);
    const snB = this.sn(b);
    return snA < snB || (snA === snB && this.addr(a) < this.addr(b));
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
    this.i32[handle * I32_PER + BITMAP_SLOT] = slot;
    return slot;
  }

  /** Returns the bitmap slot of a slab being dissolved. */
  releaseBitmap(handle: number): void {
    const slot = this.bitmapSlot(handle);
    if (slot !== NONE) {
      this.freeBitmapSlots.push(slot);
      this.i32[handle * I32_PER + BITMAP_SLOT] = NONE;
    }
  }

  private grow(capacity: number): void {
    const buffer = new ArrayBuffer(VIEW_OFFSET + capacity * RECORD_BYTES);
    const u8 = new Uint8Array(buffer, VIEW_OFFSET, capacity * RECORD_BYTES);
    u8.set(this.u8);
    this.u8 = u8;
    this.f64 = new Float64Array(buffer, VIEW_OFFSET, capacity * F64_PER);
    this.i32 = new Int32Array(buffer, VIEW_OFFSET, capacity * I32_PER);
    this.u32 = new Uint32Array(buffer, VIEW_OFFSET, capacity * I32_PER);
    this.i16 = new Int16Array(buffer, VIEW_OFFSET, capacity * I16_PER);
    this.capacity = capacity;
  }
}
