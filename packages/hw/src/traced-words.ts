// AtomicWords whose every access charges the machine's bound core (machine.current) through the
// cache-line model: the simulated execution mode of allocator code written against AtomicWords.
// That code has no core parameter; the caller that knows the core binds it (core-handle.ts: the
// scheduler for a running step, ChargedFrameAllocator and the components for a call on behalf of
// a core). Values live in a
// real buffer with the same Atomics operations as NativeWords; each access additionally touches
// the line the word sits on (load → read, store → write, every read-modify-write → rmw; a failed
// CAS is still a locked RMW on x86). Lines follow the buffer's own 64-byte lines: word i of the
// view is on line base + ((byteOffset + 4i) >> 6) - (byteOffset >> 6), so two words share a line
// here exactly when they would share one in memory.
//
// Races in simulated time (optimistic interleaving). The scheduler runs one operation at a time,
// so an operation processed earlier may already have written a word at a simulated time that
// lies in the future of the core now running. Each word remembers when its last write completed
// and the value before it, and:
// - a load at a time before that write returns the value before it (what the core would really
//   have read then); only writes of the current `machine.run` count (a run is a phase that sees
//   everything before it), and outside a run loads see the buffer as it is;
// - a write (store, RMW, CAS) by a core whose clock is before the word's last write lost the
//   race at its own time: the last write is re-dated to that time (it happened, as far as any
//   later load can tell, just before this one), and the write goes on at the core's clock. So
//   writes to one word keep the buffer's order in simulated time too, and what a write waits
//   for is decided where the hardware decides it, on the word's line (line-timelines.ts places
//   each exclusive access on the line's timeline: it queues behind an overlapping one, or goes
//   in the gap before it).
// A CAS whose expected value came from such an earlier read therefore fails, and the code retries
// with the current value: exactly what lock-free code pays under contention (counted as
// `casFailures`). When two cores race, the one processed later is the one that fails, which in
// hardware could be either; the number of failures and the extra transfers are the same. The
// re-dating makes the winner's value visible from the loser's time on, up to one step early
// (the winner's write may lie late in a long step). Until 2026-12-05 the loser instead waited
// for the winner's write, so a core waited for the rest of another core's step: 100,000 cycles
// after a write at the end of 100,000 cycles of work (test/interleaving.test.ts); `pipeline`
// 4096 B on `osv-superblock` at 64 cores cost 532 cycles per malloc instead of 412.
// Only the value before the latest write is kept: a load older than two writes sees the
// older of the two kept values, which only makes a CAS fail (the buffer is never wrong, since
// every update is a real atomic on the current value).

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
  private readonly machine: Machine;
  private readonly clocks: Float64Array;
  /** Completion time (cycles) of each word's latest write. */
  private readonly writeEnd: Float64Array;
  /** Each word's value before its latest write. */
  private readonly before: Int32Array;
  /** The run (machine.runs) of each word's latest write; -1 outside a run. */
  private readonly writeRun: Int32Array;
  private readonly cCasFailures: number;
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
    this.machine = machine;
    this.clocks = machine.clocks;
    this.writeEnd = new Float64Array(words);
    this.before = new Int32Array(words);
    this.writeRun = new Int32Array(words).fill(-1);
    this.cCasFailures = machine.counters.define('casFailures');
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
    const core = this.machine.current;
    this.lines.readBy(core, this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT));
    return this.inFuture(index, core) ? this.before[index] : value;
  }
  store(index: number, value: number): void {
    const old = Atomics.exchange(this.words, index, value);
    this.write(index, old);
  }
  cas(index: number, expected: number, value: number): number {
    const found = Atomics.compareExchange(this.words, index, expected, value);
    const core = this.machine.current;
    this.order(core, index);
    this.lines.rmwBy(core, this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT));
    // Compare as int32, as Atomics does with `expected`.
    if (found === (expected | 0)) this.record(core, index, found);
    else this.machine.counters.add(core, this.cCasFailures);
    return found;
  }
  add(index: number, value: number): number {
    return this.rmw(index, Atomics.add(this.words, index, value));
  }
  sub(index: number, value: number): number {
    return this.rmw(index, Atomics.sub(this.words, index, value));
  }
  and(index: number, value: number): number {
    return this.rmw(index, Atomics.and(this.words, index, value));
  }
  or(index: number, value: number): number {
    return this.rmw(index, Atomics.or(this.words, index, value));
  }
  exchange(index: number, value: number): number {
    return this.rmw(index, Atomics.exchange(this.words, index, value));
  }

  /** Charges an RMW that replaced `old` in word `index`; returns `old`. */
  private rmw(index: number, old: number): number {
    const core = this.machine.current;
    this.order(core, index);
    this.lines.rmwBy(core, this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT));
    this.record(core, index, old);
    return old;
  }

  /** Charges a plain store that replaced `old` in word `index`. */
  private write(index: number, old: number): void {
    const core = this.machine.current;
    this.order(core, index);
    this.lines.writeBy(core, this.lineBias + ((this.wordOffset + index) >>> WORDS_PER_LINE_SHIFT));
    this.record(core, index, old);
  }

  /**
   * Whether the word's latest write completes after `core`'s clock. Only writes of the current
   * run count: a run is a phase that sees everything done before it (setup, earlier runs), and
   * outside a run there is no per-core time.
   */
  private inFuture(index: number, core: number): boolean {
    const machine = this.machine;
    return (
      machine.running &&
      this.writeRun[index] === machine.runs &&
      this.writeEnd[index] > this.clocks[core]
    );
  }

  /**
   * A write by `core` to word `index`: if the word's latest write lies in the core's future, the
   * core lost the race at its own time, and that write is re-dated to now (see the header).
   */
  private order(core: number, index: number): void {
    if (this.inFuture(index, core)) this.writeEnd[index] = this.clocks[core];
  }

  /** Records a completed write of word `index` that replaced `old`. */
  private record(core: number, index: number, old: number): void {
    this.before[index] = old;
    this.writeEnd[index] = this.clocks[core];
    this.writeRun[index] = this.machine.running ? this.machine.runs : -1;
  }
}
