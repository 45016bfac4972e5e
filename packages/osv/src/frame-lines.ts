// Cache lines inside the frames themselves. OSv keeps allocator metadata in free memory: a
// page_range header at the first bytes of a free range, its back-pointer in the last 8 bytes of
// the range's last page, a page_batch (32 pointers, 256 bytes) at the start of a pooled page. The
// model gives each frame it touches five line ids — the four lines of its first 256 bytes and
// its last line — assigned on first touch, in blocks, so untouched frames cost nothing.
//
// One FrameLines per machine (`frameLines(machine)`): the page-range allocator and the page pools
// touching the first line of the same frame touch the same line, as they do in memory.

import type { CacheLines, Machine } from '@unimem/hw';
import { PagedInt32 } from './paged-array.js';

/** Which line of a frame: its first four (bytes 0..255) or its last (bytes 4032..4095). */
export const FrameLine = { First: 0, Second: 1, Third: 2, Fourth: 3, Last: 4 } as const;

const LINES_PER_FRAME = 5;
/** Frames whose lines are allocated with one allocLines call. */
const BLOCK_FRAMES = 4096;
/** Frames addressable (2^31: 8 TiB of 4 KiB frames). */
const MAX_FRAMES = 2 ** 31;

export class FrameLines {
  /** First line id + 1 of each frame's lines (0: none yet). */
  private readonly base = new PagedInt32(MAX_FRAMES, 0);
  private next = 0;
  private end = 0;

  constructor(private readonly lines: CacheLines) {}

  /** Line id of line `which` (FrameLine) of `frame`, assigning the frame's lines on first use. */
  line(frame: number, which: number): number {
    let first = this.base.get(frame);
    if (first === 0) {
      if (this.next === this.end) {
        this.next = this.lines.allocLines(BLOCK_FRAMES * LINES_PER_FRAME, 'osv.frame-memory');
        this.end = this.next + BLOCK_FRAMES * LINES_PER_FRAME;
      }
      first = this.next + 1;
      this.next += LINES_PER_FRAME;
      this.base.set(frame, first);
    }
    return first - 1 + which;
  }
}

const perMachine = new WeakMap<Machine, FrameLines>();

/** The FrameLines of `machine`, shared by every OSv component that runs on it. */
export function frameLines(machine: Machine): FrameLines {
  let lines = perMachine.get(machine);
  if (lines === undefined) {
    lines = new FrameLines(machine.lines);
    perMachine.set(machine, lines);
  }
  return lines;
}
