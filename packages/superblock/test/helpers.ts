// Test doubles for the superblock allocator's collaborators: a non-simulated RwLock that throws
// on misuse (so a test fails when the allocator takes a lock its caller holds, or releases one
// it does not), a sorted-array VmaIndex, a LineTracer that records what was charged, and
// AtomicWords that run a hook before each CAS (to interleave a second claim deterministically).
// The real ones come from @unimem/hw (SimRwLock, traced words) and @unimem/vma-tree.

import type { RwLock, Vma, VmaIndex } from '@unimem/core';
import { type AtomicWords, type LineTracer, NativeWords } from '@unimem/hw';

const NOBODY = -1;

/** A single-threaded reader-writer lock that checks its use. */
export class CheckedRwLock implements RwLock {
  readers = 0;
  writer = NOBODY;
  /** Write acquisitions so far. */
  writes = 0;
  /** Read acquisitions so far. */
  reads = 0;

  constructor(readonly name: string) {}

  readLock(core: number): void {
    if (this.writer !== NOBODY) {
      throw new Error(`${this.name}: core ${core} read-locks while core ${this.writer} writes`);
    }
    this.readers++;
    this.reads++;
  }
  readUnlock(core: number): void {
    if (this.readers === 0) throw new Error(`${this.name}: core ${core} read-unlocks, not held`);
    this.readers--;
  }
  writeLock(core: number): void {
    if (this.writer !== NOBODY || this.readers > 0) {
      throw new Error(`${this.name}: core ${core} write-locks a held lock (would deadlock)`);
    }
    this.writer = core;
    this.writes++;
  }
  writeUnlock(core: number): void {
    if (this.writer !== core) {
      throw new Error(`${this.name}: core ${core} write-unlocks, held by ${this.writer}`);
    }
    this.writer = NOBODY;
  }
  get held(): boolean {
    return this.writer !== NOBODY || this.readers > 0;
  }
}

/** A lock factory that remembers every lock it made. */
export function lockFactory(): { locks: CheckedRwLock[]; lock: (name: string) => CheckedRwLock } {
  const locks: CheckedRwLock[] = [];
  return {
    locks,
    lock: (name) => {
      const lock = new CheckedRwLock(name);
      locks.push(lock);
      return lock;
    },
  };
}

/** VMAs in an array sorted by start; binary search for lookups. */
export class SortedVmaIndex<V extends Vma = Vma> implements VmaIndex<V> {
  private readonly list: V[] = [];

  get size(): number {
    return this.list.length;
  }
  insert(vma: V): void {
    const i = this.firstEndingAfter(vma.start);
    if (i < this.list.length && this.list[i].start < vma.end) {
      throw new RangeError(`VMA [${vma.start}, ${vma.end}) overlaps one in the index`);
    }
    this.list.splice(i, 0, vma);
  }
  erase(vma: V): boolean {
    const i = this.firstEndingAfter(vma.start);
    if (this.list[i] !== vma) return false;
    this.list.splice(i, 1);
    return true;
  }
  find(addr: number): V | undefined {
    const vma = this.list[this.firstEndingAfter(addr)];
    return vma !== undefined && vma.start <= addr ? vma : undefined;
  }
  findIntersecting(addr: number, size: number): V[] {
    const out: V[] = [];
    for (let i = this.firstEndingAfter(addr); i < this.list.length; i++) {
      if (this.list[i].start >= addr + size) break;
      out.push(this.list[i]);
    }
    return out;
  }
  [Symbol.iterator](): IterableIterator<V> {
    return this.list[Symbol.iterator]();
  }
  /** Index of the first VMA whose end is above `addr`. */
  private firstEndingAfter(addr: number): number {
    let low = 0;
    let high = this.list.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.list[mid].end <= addr) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** Records every line charged, by kind. */
export class RecordingTracer implements LineTracer {
  next = 0;
  readonly reads: number[] = [];
  readonly writes: number[] = [];
  readonly rmws: number[] = [];
  readonly labels = new Map<number, string>();

  allocLines(count: number, label = ''): number {
    const first = this.next;
    for (let i = 0; i < count; i++) this.labels.set(first + i, label);
    this.next += count;
    return first;
  }
  read(line: number): void {
    this.reads.push(line);
  }
  write(line: number): void {
    this.writes.push(line);
  }
  rmw(line: number): void {
    this.rmws.push(line);
  }
  clear(): void {
    this.reads.length = 0;
    this.writes.length = 0;
    this.rmws.length = 0;
  }
}

/** NativeWords that call `beforeCas(word)` before every CAS (re-entrant calls are allowed). */
export class HookedWords extends NativeWords {
  beforeCas: ((word: number) => void) | undefined;
  loads = 0;
  cases = 0;

  override load(index: number): number {
    this.loads++;
    return super.load(index);
  }
  override cas(index: number, expected: number, value: number): number {
    this.cases++;
    const hook = this.beforeCas;
    if (hook) hook(index);
    return super.cas(index, expected, value);
  }
}

/** A `words` option that keeps the words it made in `made`. */
export function hookedWords(): {
  made: HookedWords[];
  words: (b: SharedArrayBuffer) => AtomicWords;
} {
  const made: HookedWords[] = [];
  return {
    made,
    words: (buffer) => {
      const words = new HookedWords(buffer);
      made.push(words);
      return words;
    },
  };
}
