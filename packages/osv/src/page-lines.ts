// All 64 cache lines of a frame, for structures spread over a whole page: malloc_pools' objects,
// whose free-list pointers live in the objects themselves. Lines 0-3 and 63 are FrameLines'
// (frame-lines.ts), so a pool's page_header lands on the line where the page's page_range header
// or page_batch lived before, as in memory; lines 4..62 are assigned per frame on first use, in
// blocks, so frames never used as pool pages cost nothing.

import type { CacheLines, Machine } from '@unimem/hw';
import { FrameLine, type FrameLines, frameLines } from './frame-lines.js';
import { PagedInt32 } from './paged-array.js';

/** Lines of a 4 KiB page. */
export const LINES_PER_PAGE = 64;
const MIDDLE_LINES = LINES_PER_PAGE - 5;
const BLOCK_FRAMES = 1024;
const MAX_FRAMES = 2 ** 31;

export class PageLines {
  private readonly frames: FrameLines;
  /** First middle line id + 1 of each frame (0: none yet). */
  private readonly middle = new PagedInt32(MAX_FRAMES, 0);
  private next = 0;
  private end = 0;

  constructor(
    private readonly lines: CacheLines,
    machine: Machine,
  ) {
    this.frames = frameLines(machine);
  }

  /** Line id of line `index` (0..63, byte offset / 64) of `frame`. */
  line(frame: number, index: number): number {
    if (index < 4) return this.frames.line(frame, index);
    if (index === LINES_PER_PAGE - 1) return this.frames.line(frame, FrameLine.Last);
    let first = this.middle.get(frame);
    if (first === 0) {
      if (this.next === this.end) {
        this.next = this.lines.allocLines(BLOCK_FRAMES * MIDDLE_LINES, 'osv.page-memory');
        this.end = this.next + BLOCK_FRAMES * MIDDLE_LINES;
      }
      first = this.next + 1;
      this.next += MIDDLE_LINES;
      this.middle.set(frame, first);
    }
    return first - 1 + index - 4;
  }
}

const perMachine = new WeakMap<Machine, PageLines>();

/** The PageLines of `machine`, shared by every OSv component that runs on it. */
export function pageLines(machine: Machine): PageLines {
  let lines = perMachine.get(machine);
  if (lines === undefined) {
    lines = new PageLines(machine.lines, machine);
    perMachine.set(machine, lines);
  }
  return lines;
}
