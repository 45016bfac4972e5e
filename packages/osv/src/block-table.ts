// Which blocks have been handed out, and how large each is: the model's own bookkeeping for the
// FrameAllocator contract (reject double frees, frees of the wrong size, answer isFree). OSv keeps
// nothing like it — free_page_range() trusts its caller — so none of this is charged to the
// simulated machine. Invariant: a frame's `used` bit is set iff it lies in a handed-out block,
// and `pages` is non-zero exactly at the first frame of such a block.

import { Bitmap } from './bitmap.js';
import { PagedInt32 } from './paged-array.js';

export class BlockTable {
  readonly used: Bitmap;
  private readonly pages: PagedInt32;
  usedFrames = 0;

  constructor(frames: number) {
    this.used = new Bitmap(frames);
    this.pages = new PagedInt32(frames, 0);
  }

  claim(first: number, pages: number): void {
    this.used.fill(first, pages, true);
    this.pages.set(first, pages);
    this.usedFrames += pages;
  }

  release(first: number, pages: number): void {
    this.used.fill(first, pages, false);
    this.pages.set(first, 0);
    this.usedFrames -= pages;
  }

  /** Pages of the block handed out at `first`, or 0 (none starts there). */
  pagesAt(first: number): number {
    return this.pages.get(first);
  }

  /** Marks a block as being freed by a batch (its size reads as -1 until `unmark`). */
  mark(first: number): void {
    this.pages.set(first, -this.pages.get(first));
  }

  unmark(first: number): void {
    this.pages.set(first, -this.pages.get(first));
  }

  isFree(first: number, pages: number): boolean {
    return !this.used.anySet(first, pages);
  }
}
