// AtomicWords over a SharedArrayBuffer with JavaScript Atomics (sequentially consistent, so at
// least as strong as the AcqRel orderings LLFree needs). This is the native execution mode: the
// same allocator code runs on it from many worker threads.

import type { AtomicWords } from './api.js';

export class NativeWords implements AtomicWords {
  readonly length: number;
  readonly buffer: ArrayBufferLike;
  private readonly words: Int32Array;

  /**
   * Views `length` words of `buffer` starting at `byteOffset` (a multiple of 4; of 64 if the
   * caller relies on cache-line alignment).
   */
  constructor(buffer: ArrayBufferLike, byteOffset = 0, length?: number) {
    this.words = wordView(buffer, byteOffset, length);
    this.length = this.words.length;
    this.buffer = buffer;
  }

  load(index: number): number {
    return Atomics.load(this.words, index);
  }
  store(index: number, value: number): void {
    Atomics.store(this.words, index, value);
  }
  cas(index: number, expected: number, value: number): number {
    return Atomics.compareExchange(this.words, index, expected, value);
  }
  add(index: number, value: number): number {
    return Atomics.add(this.words, index, value);
  }
  sub(index: number, value: number): number {
    return Atomics.sub(this.words, index, value);
  }
  and(index: number, value: number): number {
    return Atomics.and(this.words, index, value);
  }
  or(index: number, value: number): number {
    return Atomics.or(this.words, index, value);
  }
  exchange(index: number, value: number): number {
    return Atomics.exchange(this.words, index, value);
  }
}

/**
 * The Int32Array of `length` words (default: to the end) of `buffer` at `byteOffset`; throws a
 * RangeError naming the values when they do not fit. Shared by NativeWords and TracedWords.
 */
export function wordView(buffer: ArrayBufferLike, byteOffset = 0, length?: number): Int32Array {
  if (byteOffset % 4 !== 0 || byteOffset < 0) {
    throw new RangeError(`byteOffset ${byteOffset} must be a non-negative multiple of 4`);
  }
  const words = length ?? (buffer.byteLength - byteOffset) / 4;
  if (!Number.isInteger(words) || words < 0 || byteOffset + words * 4 > buffer.byteLength) {
    throw new RangeError(
      `length ${length} words at byteOffset ${byteOffset} do not fit a buffer of ${buffer.byteLength} bytes`,
    );
  }
  return new Int32Array(buffer, byteOffset, words);
}
