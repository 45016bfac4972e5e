// The baseline of every bench case: a simple locked free-list allocator on the same kind of
// SharedArrayBuffer, so that worker threads share it the way they share LLFree. One free list
// per order (a next-pointer per frame), blocks split on demand and never coalesced, all under
// one futex-style lock (Atomics.compareExchange to take it, Atomics.wait/notify when contended;
// states 0 free, 1 taken, 2 taken with waiters). Inside the lock plain typed-array accesses
// suffice: the lock's atomics order them.

import { AllocError, Ok, type Status } from '@unimem/core';

const MAX_ORDER = 10;
const EMPTY = -1;
/** Word layout: [lock, frames, heads[0..10], next[frames]]. */
const LOCK = 0;
const FRAMES = 1;
const HEADS = 2;
const NEXT = HEADS + MAX_ORDER + 1;
const SPINS = 100;

export class LockedFreeList {
  readonly name = 'locked-free-list';
  private readonly words: Int32Array;
  private readonly frames: number;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer);
    this.frames = this.words[FRAMES];
  }

  /** All frames free, as blocks of the largest order (frames must be a multiple of 1024). */
  static create(frames: number): LockedFreeList {
    if (!Number.isInteger(frames) || frames <= 0 || frames % (1 << MAX_ORDER) !== 0) {
      throw new RangeError(`frames ${frames} must be a positive multiple of ${1 << MAX_ORDER}`);
    }
    const words = new Int32Array(new SharedArrayBuffer((NEXT + frames) * 4));
    words[FRAMES] = frames;
    words.fill(EMPTY, HEADS, NEXT);
    for (let frame = frames - (1 << MAX_ORDER); frame >= 0; frame -= 1 << MAX_ORDER) {
      words[NEXT + frame] = words[HEADS + MAX_ORDER];
      words[HEADS + MAX_ORDER] = frame;
    }
    return new LockedFreeList(words.buffer as SharedArrayBuffer);
  }

  static attach(buffer: SharedArrayBuffer): LockedFreeList {
    return new LockedFreeList(buffer);
  }

  get(_core: number, order: number): number {
    this.lock();
    let from = order;
    while (from <= MAX_ORDER && this.words[HEADS + from] === EMPTY) from++;
    if (from > MAX_ORDER) {
      this.unlock();
      return AllocError.Memory;
    }
    const frame = this.pop(from);
    // Split: keep the first half, push the upper halves onto the lower lists.
    while (from > order) {
      from--;
      this.push(from, frame + (1 << from));
    }
    this.unlock();
    return frame;
  }

  put(_core: number, frame: number, order: number): Status {
    if (frame < 0 || frame >= this.frames) return AllocError.Address;
    this.lock();
    this.push(order, frame);
    this.unlock();
    return Ok;
  }

  private pop(order: number): number {
    const frame = this.words[HEADS + order];
    this.words[HEADS + order] = this.words[NEXT + frame];
    return frame;
  }

  private push(order: number, frame: number): void {
    this.words[NEXT + frame] = this.words[HEADS + order];
    this.words[HEADS + order] = frame;
  }

  private lock(): void {
    let state = Atomics.compareExchange(this.words, LOCK, 0, 1);
    if (state === 0) return;
    for (let i = 0; i < SPINS && state !== 0; i++) {
      state = Atomics.compareExchange(this.words, LOCK, 0, 1);
    }
    if (state === 0) return;
    if (state !== 2) state = Atomics.exchange(this.words, LOCK, 2);
    while (state !== 0) {
      Atomics.wait(this.words, LOCK, 2);
      state = Atomics.exchange(this.words, LOCK, 2);
    }
  }

  private unlock(): void {
    if (Atomics.exchange(this.words, LOCK, 0) === 2) Atomics.notify(this.words, LOCK, 1);
  }
}
