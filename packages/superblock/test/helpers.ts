// Test doubles for the superblock allocator's collaborators: a non-simulated RwLock that throws
// on misuse (so a test fails when the allocator takes a lock its caller holds, or releases one
// it does not), a LineTracer that records what was charged, and AtomicWords that run a hook
// before each CAS (to interleave a second claim deterministically). The real ones come from
// @unimem/hw (SimRwLock, traced words); the sorted-array VmaIndex the tests use is
// SortedVmaIndex of @unimem/core/testing.

import type { RwLock } from '@unimem/core';
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
