// AtomicWords whose every access charges the current simulated core through the cache-line model:
// the simulated execution mode of allocator code written against AtomicWords. Values live in a
// real buffer with the same Atomics operations as NativeWords, so the semantics are identical;
// each access additionally touches the line the word sits on (load → read, store → write, every
// read-modify-write → rmw; a failed CAS is still a locked RMW on x86). Lines follow the buffer's
// own 64-byte lines: word i of the view is on line base + ((byteOffset + 4i) >> 6) - (byteOffset >> 6),
// so two words share a line here exactly when they would share one in memory.

import type { AtomicWords } from './api.js';
import type { CacheLines } from './lines.js';
import type { Machine } from './machine.js';
import { wordView } from './native-words.js';

/** Words per 64-byte cache line, as a shift. */
const WORDS_PER_LINE_SHIFT = 4;

export class TracedWords implements AtomicWords {
  readonly length: number;
  readonly buffer: ArrayBufferLike;
  /** First line id of the view (its first word's line). */
  readonly firstLine: number;
  /** Number of lines the view spans. */
  readonly lineCount: number;
  private readonly words: Int32Array;
  private readonly lines: CacheLines;
  /** Word offset of the view inside the buffer. */
  private readonly wordOffset: number;
  /** firstLine minus the buffer line of the first word: line = lineBias + ((wordOffset + i) >>> 4). */
  private readonly lineBias: number;

  /**
   * Views `length` words of `buffer` starting at `byteOffset` (a multiple of 4) and allocates one
   * line per 64 bytes the view spans, labelled `label`.
   */
  constructor(
    machine: Machine,
    buffer: ArrayBufferLike,
    byteOffset = 0,
    length?: number,
    label = 'words',
  ) {
    this.words = wordView(buffer, byteOffset, length);
    const words = this.words.length;
    this.length = words;
    this.buffer = buffer;
    this.lines = machine.lines;
    this.wordOffset = byteOffset / 4;
    const bufferLine = this.wordOffset >>> WORDS_PER_LINE_SHIFT;
    this.lineCount =
      words === 0 ? 0 : ((this.wordOffset + words - 1) >>> WORDS_PER_LINE_SHIFT) - bufferLine + 1;
    this.firstLine = machine.lines.allocLines(this.lineCount, label);
    this.lineBias = this.firstLine - bufferLine;
  }

  /** Line id of word `index`. */
  lineOf(index: number): number {
    return this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT);
  }

  load(index: number): number {
    const value = Atomics.load(this.words, index);
    this.lines.read(this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT));
    return value;
  }
  store(index: number, value: number): void {
    Atomics.store(this.words, index, value);
    this.lines.write(this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT));
  }
  cas(index: number, expected: number, value: number): number {
    const found = Atomics.compareExchange(this.words, index, expected, value);
    this.lines.rmw(this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT));
    return found;
  }
  add(index: number, value: number): number {
    const old = Atomics.add(this.words, index, value);
    this.lines.rmw(this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT));
    return old;
  }
  sub(index: number, value: number): number {
    const old = Atomics.sub(this.words, index, value);
    this.lines.rmw(this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT));
    return old;
  }
  and(index: number, value: number): number {
    const old = Atomics.and(this.words, index, value);
    this.lines.rmw(this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT));
    return old;
  }
  or(index: number, value: number): number {
    const old = Atomics.or(this.words, index, value);
    this.lines.rmw(this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT));
    return old;
  }
  exchange(index: number, value: number): number {
    const old = Atomics.exchange(this.words, index, value);
    this.lines.rmw(this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT));
    return old;
  }
}
