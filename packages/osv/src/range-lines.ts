// The lines page_range_allocator touches, charged to the running core when a Machine is given and
// ignored otherwise (native mode). Layout of the allocator object, a global in OSv
// (core/mempool.cc, `free_page_ranges`), assumed to start on a line boundary:
//
//   offset   0  _free_huge    bi::multiset header (parent, left, right, color: 32 B)
//   offset  32  _free[0..15]  bi::list heads, 16 B each (4 per line: neighbouring size classes
//                             share lines, as in memory)
//   offset 288  _not_empty    std::bitset<17>
//   offset 296  _bitmap       boost::dynamic_bitset (vector + bit count)
//
// The bitmap has one bit per page in 64-bit words: one line covers 512 pages. Range headers and
// back-pointers live in the free pages (frame-lines.ts).
//
// Every one of these lines is touched only under free_page_ranges_lock, whose holds the SimMutex
// orders in simulated time. Stores are therefore `writePlaced`: they pay transfers and move
// ownership like any store, but do not queue on the line's busy-until, which follows scheduler-
// step order. Queuing there too would make a hold placed in a gap before a later-processed hold
// wait for that hold's lines, stretch, and push every following hold back (a feedback the mutex
// timeline cannot undo). With no queued stores, loads of these lines never wait either.

import type { CacheLines, Machine } from '@unimem/hw';
import type { OsvCosts } from './costs.js';
import { FrameLine, type FrameLines, frameLines } from './frame-lines.js';

const HUGE_OFFSET = 0;
const LISTS_OFFSET = 32;
const LIST_HEAD_BYTES = 16;
const NOT_EMPTY_OFFSET = 288;
const BITMAP_OFFSET = 296;
const OBJECT_BYTES = 336;
/** Pages per bitmap line: 64 bytes of bits. */
const BITMAP_LINE_SHIFT = 9;

export class RangeLines {
  private lines: CacheLines | null;
  private machine: Machine | null;
  private readonly frames: FrameLines | null;
  private readonly objectLine: number;
  private readonly bitmapLine: number;
  private readonly freeMemoryLine: number;

  constructor(
    machine: Machine | undefined,
    totalFrames: number,
    readonly costs: OsvCosts,
  ) {
    this.machine = machine ?? null;
    this.lines = machine?.lines ?? null;
    this.frames = machine ? frameLines(machine) : null;
    const lines = this.lines;
    this.objectLine = lines ? lines.allocLines(Math.ceil(OBJECT_BYTES / 64), 'osv.page-ranges') : 0;
    this.bitmapLine = lines
      ? lines.allocLines(Math.ceil(totalFrames / 2 ** BITMAP_LINE_SHIFT), 'osv.page-ranges.bitmap')
      : 0;
    this.freeMemoryLine = lines ? lines.allocLines(1, 'osv.stats.free_memory') : 0;
  }

  /**
   * on_alloc / on_free: `free_memory.fetch_sub/fetch_add` on the global atomic behind
   * stats::free(), done under the lock by every caller of the allocator.
   */
  freeMemory(): void {
    this.lines?.rmwPlaced(this.freeMemoryLine);
  }

  /** True when charging a machine. */
  get active(): boolean {
    return this.lines !== null;
  }

  /** Runs `body` without charging anything (boot-time setup the caller charges separately). */
  quietly(body: () => void): void {
    const { lines, machine } = this;
    this.lines = null;
    this.machine = null;
    try {
      body();
    } finally {
      this.lines = lines;
      this.machine = machine;
    }
  }

  /** Instruction cycles of the operation (cost table), charged to the current core. */
  cycles(cycles: number): void {
    this.machine?.charge(cycles);
  }

  listHead(order: number, write: boolean): void {
    this.object(LISTS_OFFSET + order * LIST_HEAD_BYTES, write);
  }

  hugeHeader(write: boolean): void {
    this.object(HUGE_OFFSET, write);
  }

  notEmpty(write: boolean): void {
    this.object(NOT_EMPTY_OFFSET, write);
  }

  /** The dynamic_bitset's own fields (word pointer and size), read before any bit access. */
  bitmapHeader(): void {
    this.object(BITMAP_OFFSET, false);
  }

  /** The page_range header (size and hook) at the first bytes of `frame`. */
  header(frame: number, write: boolean): void {
    this.frame(frame, FrameLine.First, write);
  }

  /** The back-pointer in the last 8 bytes of page `frame` (the last page of a range). */
  tail(frame: number, write: boolean): void {
    this.frame(frame, FrameLine.Last, write);
  }

  /** The bitmap word holding the bit of `page`. */
  bit(page: number, write: boolean): void {
    const lines = this.lines;
    if (lines === null) return;
    const line = this.bitmapLine + (page >>> BITMAP_LINE_SHIFT);
    if (write) lines.writePlaced(line);
    else lines.read(line);
  }

  /** Writes every bitmap line covering [first, first + count) (set_bits with fill). */
  bitRange(first: number, count: number): void {
    const lines = this.lines;
    if (lines === null) return;
    const last = (first + count - 1) >>> BITMAP_LINE_SHIFT;
    for (let l = first >>> BITMAP_LINE_SHIFT; l <= last; l++) {
      lines.writePlaced(this.bitmapLine + l);
    }
  }

  private frame(frame: number, which: number, write: boolean): void {
    const lines = this.lines;
    if (lines === null) return;
    const line = this.frames!.line(frame, which);
    if (write) lines.writePlaced(line);
    else lines.read(line);
  }

  private object(offset: number, write: boolean): void {
    const lines = this.lines;
    if (lines === null) return;
    const line = this.objectLine + (offset >>> 6);
    if (write) lines.writePlaced(line);
    else lines.read(line);
  }
}
