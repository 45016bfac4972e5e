// Bookkeeping of 2 MiB frames beyond what the page table records: the page-table page deposited
// with each huge mapping, and the pieces still mapped of a huge frame that was split into 4 KiB
// mappings. A FrameAllocator frees a block only with the order it was allocated with, so a split
// huge frame goes back as one order-9 block when its last piece is unmapped (Linux keeps a
// partially unmapped THP until it is split under pressure, likewise). The deposit is Linux's
// `pgtable_trans_huge_deposit`: one frame set aside at a huge fault so that a later split can
// never fail for lack of a page-table page (see split.ts).
//
// Invariant: every huge region populated as a 2 MiB leaf has exactly one deposit; every frame of
// `remaining` is the first frame of an order-9 block some of whose 512 pieces are still mapped.

import { HUGE_ORDER } from '@unimem/core';

const PIECES = 2 ** HUGE_ORDER;

/** What `releasePiece` returns for a frame that is not part of a split huge frame. */
export const NOT_A_PIECE = -2;
/** What `releasePiece` returns while other pieces of the huge frame are still mapped. */
export const PIECES_LEFT = -1;

export class HugeFrames {
  /** Region key of a huge mapping -> its deposited page-table frame. */
  private readonly deposits = new Map<number, number>();
  /** First frame of a split huge frame -> pieces still mapped. */
  private readonly remaining = new Map<number, number>();

  get depositCount(): number {
    return this.deposits.size;
  }

  get splitCount(): number {
    return this.remaining.size;
  }

  /** Deposited table frames (for checks). */
  depositedFrames(): IterableIterator<number> {
    return this.deposits.values();
  }

  /** First frames of the split huge frames (for checks). */
  splitFrames(): IterableIterator<number> {
    return this.remaining.keys();
  }

  deposit(key: number, frame: number): void {
    this.deposits.set(key, frame);
  }

  /** Takes the deposit of region `key` back (the caller frees or uses it). */
  takeDeposit(key: number): number {
    const frame = this.deposits.get(key);
    if (frame === undefined) throw new Error(`huge region ${key} has no deposited table frame`);
    this.deposits.delete(key);
    return frame;
  }

  /** The huge frame starting at `frame` is now mapped as 512 pieces. */
  split(frame: number): void {
    this.remaining.set(frame, PIECES);
  }

  /**
   * A 4 KiB mapping of `frame` went away. Returns the huge frame to free when that was its last
   * piece, PIECES_LEFT while others remain, NOT_A_PIECE when `frame` is an ordinary order-0 frame.
   */
  releasePiece(frame: number): number {
    if (this.remaining.size === 0) return NOT_A_PIECE;
    const huge = frame - (frame % PIECES);
    const left = this.remaining.get(huge);
    if (left === undefined) return NOT_A_PIECE;
    if (left > 1) {
      this.remaining.set(huge, left - 1);
      return PIECES_LEFT;
    }
    this.remaining.delete(huge);
    return huge;
  }
}
