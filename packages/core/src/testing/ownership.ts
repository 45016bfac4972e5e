// A model of which frames are owned: the checker property and stress tests use to prove that no
// frame is handed out twice and that nothing is lost when everything has been freed.

import { isFrameBlock } from '../checks.js';

export class FrameOwnership {
  private readonly owned: Uint8Array;
  /** Blocks currently owned: first frame -> order. */
  readonly blocks = new Map<number, number>();
  private count = 0;

  constructor(readonly frames: number) {
    this.owned = new Uint8Array(frames);
  }

  /** Records a block handed out; throws if any of its frames is already owned or out of range. */
  claim(frame: number, order: number): void {
    if (!isFrameBlock(frame, order, this.frames)) {
      throw new Error(
        `block ${frame} of order ${order} is misaligned or lies outside 0..${this.frames}`,
      );
    }
    const size = 2 ** order;
    for (let f = frame; f < frame + size; f++) {
      if (this.owned[f] !== 0) {
        throw new Error(`frame ${f} handed out twice (block ${frame}, order ${order})`);
      }
    }
    this.owned.fill(1, frame, frame + size);
    this.blocks.set(frame, order);
    this.count += size;
  }

  /** Records a block given back; throws if it was not owned as exactly this block. */
  release(frame: number, order: number): void {
    if (this.blocks.get(frame) !== order) {
      throw new Error(`block ${frame} of order ${order} was not handed out`);
    }
    this.owned.fill(0, frame, frame + 2 ** order);
    this.blocks.delete(frame);
    this.count -= 2 ** order;
  }

  isOwned(frame: number): boolean {
    return this.owned[frame] === 1;
  }

  /** Frames currently owned. */
  get ownedFrames(): number {
    return this.count;
  }
}
