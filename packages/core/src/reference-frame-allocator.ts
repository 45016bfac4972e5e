// A deliberately simple FrameAllocator: one byte per frame plus the order of each allocated
// block, first fit from a moving hint. It is the reference model the conformance suite and the
// property tests compare real allocators against; it is correct rather than fast (O(frames) in
// the worst case) and has no per-core state.

import type { FrameAllocator, FrameAllocatorOptions, FrameResult } from './api.js';
import { isCoreIndex, isFrameBlock, isOrderIn } from './checks.js';
import { AllocError, Ok, type Status } from './errors.js';
import { MAX_ORDER } from './units.js';

export interface ReferenceFrameAllocatorOptions extends FrameAllocatorOptions {
  /** Largest order handed out; default MAX_ORDER (10). */
  maxOrder?: number;
}

const NO_BLOCK = -1;

export class ReferenceFrameAllocator implements FrameAllocator {
  readonly name = 'reference';
  readonly cores: number;
  readonly maxOrder: number;
  private readonly frames: number;
  /** 1 where the frame is allocated. */
  private readonly used: Uint8Array;
  /** Order of the block starting at a frame, NO_BLOCK elsewhere. */
  private readonly blockOrder: Int8Array;
  private free: number;
  private hint = 0;

  constructor(options: ReferenceFrameAllocatorOptions) {
    const { frames, cores, maxOrder = MAX_ORDER } = options;
    if (!Number.isSafeInteger(frames) || frames < 1) {
      throw new RangeError(`frames ${frames} must be a positive integer`);
    }
    if (!Number.isSafeInteger(cores) || cores < 1) {
      throw new RangeError(`cores ${cores} must be a positive integer`);
    }
    if (!Number.isSafeInteger(maxOrder) || maxOrder < 0 || maxOrder > 30) {
      throw new RangeError(`maxOrder ${maxOrder} must be an integer in 0..30`);
    }
    this.frames = frames;
    this.cores = cores;
    this.maxOrder = maxOrder;
    this.used = new Uint8Array(frames);
    this.blockOrder = new Int8Array(frames).fill(NO_BLOCK);
    this.free = frames;
  }

  get(core: number, order: number): FrameResult {
    if (!isCoreIndex(core, this.cores) || !isOrderIn(order, this.maxOrder))
      return AllocError.Argument;
    const size = 2 ** order;
    if (size > this.free) return AllocError.Memory;
    const blocks = Math.floor(this.frames / size);
    const start = Math.floor(this.hint / size);
    for (let i = 0; i < blocks; i++) {
      const frame = ((start + i) % blocks) * size;
      if (this.rangeFree(frame, size)) {
        this.used.fill(1, frame, frame + size);
        this.blockOrder[frame] = order;
        this.free -= size;
        this.hint = frame + size;
        return frame;
      }
    }
    return AllocError.Memory;
  }

  getAt(core: number, frame: number, order: number): FrameResult {
    if (!isCoreIndex(core, this.cores) || !isOrderIn(order, this.maxOrder))
      return AllocError.Argument;
    const size = 2 ** order;
    if (!isFrameBlock(frame, order, this.frames)) return AllocError.Address;
    if (!this.rangeFree(frame, size)) return AllocError.Memory;
    this.used.fill(1, frame, frame + size);
    this.blockOrder[frame] = order;
    this.free -= size;
    return frame;
  }

  put(core: number, frame: number, order: number): Status {
    if (!isCoreIndex(core, this.cores) || !isOrderIn(order, this.maxOrder))
      return AllocError.Argument;
    const size = 2 ** order;
    if (!isFrameBlock(frame, order, this.frames) || this.blockOrder[frame] !== order) {
      return AllocError.Address;
    }
    this.used.fill(0, frame, frame + size);
    this.blockOrder[frame] = NO_BLOCK;
    this.free += size;
    return Ok;
  }

  drain(_core: number): void {}

  freeFrames(): number {
    return this.free;
  }

  totalFrames(): number {
    return this.frames;
  }

  isFree(frame: number, order: number): boolean {
    if (!isOrderIn(order, this.maxOrder)) return false;
    return isFrameBlock(frame, order, this.frames) && this.rangeFree(frame, 2 ** order);
  }

  metadataBytes(): number {
    return this.used.byteLength + this.blockOrder.byteLength;
  }

  private rangeFree(frame: number, size: number): boolean {
    for (let f = frame; f < frame + size; f++) if (this.used[f] !== 0) return false;
    return true;
  }
}
