// The reference model of the property tests: which frames are owned, as which blocks. Unlike
// @unimem/core's FrameOwnership it supports partial frees (LLFree frees any allocated aligned
// sub-block, e.g. 4 KiB pages of a huge frame).

export class Model {
  readonly owned: Uint8Array;
  /** Owned blocks: first frame -> order. */
  readonly blocks = new Map<number, number>();
  ownedFrames = 0;

  constructor(readonly frames: number) {
    this.owned = new Uint8Array(frames);
  }

  clone(): Model {
    const copy = new Model(this.frames);
    copy.owned.set(this.owned);
    for (const [frame, order] of this.blocks) copy.blocks.set(frame, order);
    copy.ownedFrames = this.ownedFrames;
    return copy;
  }

  /** Records a block handed out; returns a problem or undefined. */
  claim(frame: number, order: number): string | undefined {
    const size = 2 ** order;
    if (!Number.isInteger(frame) || frame < 0 || frame + size > this.frames) {
      return `block ${frame}/${order} out of range`;
    }
    if (frame % size !== 0) return `block ${frame}/${order} misaligned`;
    for (let f = frame; f < frame + size; f++) {
      if (this.owned[f]) return `frame ${f} handed out twice (block ${frame}/${order})`;
    }
    this.owned.fill(1, frame, frame + size);
    this.blocks.set(frame, order);
    this.ownedFrames += size;
    return undefined;
  }

  release(frame: number, order: number): void {
    this.owned.fill(0, frame, frame + 2 ** order);
    this.blocks.delete(frame);
    this.ownedFrames -= 2 ** order;
  }

  /** Replaces an owned block by its sub-blocks of `order` (before one of them is freed). */
  split(frame: number, order: number): void {
    const from = this.blocks.get(frame)!;
    this.blocks.delete(frame);
    for (let f = frame; f < frame + 2 ** from; f += 2 ** order) this.blocks.set(f, order);
  }

  /** True when the aligned block is entirely unowned. */
  isFree(frame: number, order: number): boolean {
    for (let f = frame; f < frame + 2 ** order; f++) if (this.owned[f]) return false;
    return true;
  }

  /** Some entirely free aligned block of `order`, or -1. */
  findFree(order: number, from = 0): number {
    const size = 2 ** order;
    const blocks = Math.floor(this.frames / size);
    for (let i = 0; i < blocks; i++) {
      const frame = ((Math.floor(from / size) + i) % blocks) * size;
      if (this.isFree(frame, order)) return frame;
    }
    return -1;
  }

  get freeFrames(): number {
    return this.frames - this.ownedFrames;
  }
}
