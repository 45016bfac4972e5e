// A simulated reader-writer lock: one cache line holding the lock word (reader count and writer
// flag), a timeline of write holds, one of read holds, and one of the accesses to the line.
// Readers wait only for writers, so read holds overlap; writers wait for writers and readers.
// Every acquire and release also updates the lock word — a locked RMW on the shared line, placed
// on the line's timeline — so concurrent readers still serialise on the line, one transfer each.
//
// `readerMutex` models OSv's rwlock before commit e3ae696a (2025-08, reference/osv.md; core/
// rwlock.cc): rlock, runlock, wlock and wunlock each take the internal `_mtx` in the same line,
// update the count under it, and release it (RMW, store, RMW). Readers then queue on that mutex
// twice per read section, and a reader that waits longer than spinCycles sleeps and pays
// wakeupCycles like any mutex waiter (OSv's mutex sleeps at once: pass spinCycles 0 to match it).
// Without it the lock is the atomics-based kind: one RMW per acquire and release. Not modelled:
// OSv readers also defer to queued writers (writer preference); here readers wait only for
// write holds.
//
// As with every simulated lock, a critical section never spans a yield: finding the lock held at
// an acquire is an error naming the holder, and so is a release by a core that does not hold it.

import type { RwLock } from '@unimem/core';
import type { CacheLines } from './lines.js';
import {
  checkCore,
  heldError,
  LockBook,
  type LockStats,
  type SleepOptions,
  sleepPolicy,
} from './locks.js';
import type { Machine } from './machine.js';
import { BusyTimeline, HoldEstimate } from './timeline.js';

export interface RwLockOptions extends SleepOptions {
  /**
   * rlock/runlock take an internal mutex (OSv's rwlock until 2025-08), so readers serialise
   * briefly on it. Default false (an atomics-based rwlock).
   */
  readerMutex?: boolean;
}

const NONE = -1;
const READ = 1;
const WRITE = 2;

export class SimRwLock implements RwLock {
  /** The lock word's line; only the lock may touch it. */
  readonly line: number;
  readonly readerMutex: boolean;
  readonly spinCycles: number;
  readonly wakeupCycles: number;
  private readonly machine: Machine;
  private readonly lines: CacheLines;
  private readonly readHolds = new BusyTimeline();
  private readonly writeHolds = new BusyTimeline();
  private readonly expectedRead = new HoldEstimate();
  private readonly expectedWrite = new HoldEstimate();
  /** Accesses to the lock line (or, with readerMutex, internal-mutex sections). */
  private readonly lineBusy = new BusyTimeline();
  private readonly reads: LockBook;
  private readonly writes: LockBook;
  private readonly what: string;
  private holder = NONE;
  private mode = NONE;
  private holdStart = 0;
  private acquiredAt = 0;
  private waited = 0;
  /** Sleeps counted by the last lineSection (booked into the current mode's stats). */
  private sectionSlept = false;

  constructor(
    machine: Machine,
    readonly name: string,
    options: RwLockOptions = {},
  ) {
    this.what = `rwlock "${name}"`;
    this.machine = machine;
    this.lines = machine.lines;
    this.line = machine.lines.allocLines(1, this.what);
    this.readerMutex = options.readerMutex ?? false;
    const policy = sleepPolicy(machine, options, this.what);
    this.spinCycles = policy.spinCycles;
    this.wakeupCycles = policy.wakeupCycles;
    this.reads = new LockBook(machine);
    this.writes = new LockBook(machine);
  }

  get readStats(): Readonly<LockStats> {
    return this.reads.stats;
  }

  get writeStats(): Readonly<LockStats> {
    return this.writes.stats;
  }

  /** Core holding the lock (for read or write), or -1. */
  get heldBy(): number {
    return this.holder;
  }

  readLock(core: number): void {
    this.acquire(core, READ);
  }

  writeLock(core: number): void {
    this.acquire(core, WRITE);
  }

  readUnlock(core: number): void {
    this.release(core, READ);
  }

  writeUnlock(core: number): void {
    this.release(core, WRITE);
  }

  private acquire(core: number, mode: number): void {
    checkCore(this.machine, core, this.what);
    if (this.holder !== NONE) {
      throw heldError(`${this.what} (held for ${modeName(this.mode)})`, this.holder, core);
    }
    const machine = this.machine;
    const saved = machine.current;
    machine.current = core;
    const clocks = machine.clocks;
    const book = mode === READ ? this.reads : this.writes;
    const arrival = clocks[core];
    const free =
      mode === READ
        ? this.writeHolds.fit(arrival, this.expectedRead.value)
        : this.fitOfAll(arrival, this.expectedWrite.value);
    let wait = free - arrival;
    if (wait > this.spinCycles) {
      wait += this.wakeupCycles;
      book.stats.sleeps++;
    }
    clocks[core] = arrival + wait;
    wait += this.lineSection(core);
    if (this.sectionSlept) book.stats.sleeps++;
    this.holder = core;
    this.mode = mode;
    this.holdStart = free;
    this.acquiredAt = clocks[core];
    this.waited = wait;
    book.acquired(core, wait);
    machine.current = saved;
  }

  private release(core: number, mode: number): void {
    if (this.holder !== core || this.mode !== mode) {
      const held =
        this.holder === NONE
          ? 'it is not held'
          : `core ${this.holder} holds it for ${modeName(this.mode)}`;
      throw new Error(
        `${this.what}: core ${core} ${mode === READ ? 'read' : 'write'}-unlocks it but ${held}`,
      );
    }
    const machine = this.machine;
    const saved = machine.current;
    machine.current = core;
    const clocks = machine.clocks;
    const book = mode === READ ? this.reads : this.writes;
    const releaseWait = this.lineSection(core);
    if (this.sectionSlept) book.stats.sleeps++;
    book.lateWait(core, this.waited, releaseWait);
    const end = clocks[core];
    (mode === READ ? this.readHolds : this.writeHolds).add(this.holdStart, end);
    (mode === READ ? this.expectedRead : this.expectedWrite).observe(end - this.holdStart);
    book.stats.holdCycles += end - this.acquiredAt;
    this.holder = NONE;
    this.mode = NONE;
    machine.current = saved;
  }

  /**
   * One update of the lock word, placed on the line's timeline at the earliest free slot at or
   * after the core's clock: one RMW, or with readerMutex the internal mutex section (RMW, store,
   * RMW) whose waiter sleeps if it waits longer than spinCycles. Returns the cycles waited.
   */
  private lineSection(core: number): number {
    const clocks = this.machine.clocks;
    const lines = this.lines;
    const at = clocks[core];
    lines.rmwPlaced(this.line);
    if (this.readerMutex) {
      lines.writePlaced(this.line);
      lines.rmwPlaced(this.line);
    }
    const cost = clocks[core] - at;
    let start = this.lineBusy.fit(at, cost);
    let length = cost;
    this.sectionSlept = false;
    if (this.readerMutex && start - at > this.spinCycles) {
      // Slept on the internal mutex: it is handed over at `start`, the waiter runs after wakeup.
      length = cost + this.wakeupCycles;
      start = this.lineBusy.fit(at, length);
      this.sectionSlept = true;
    }
    this.lineBusy.add(start, start + length);
    clocks[core] = start + length;
    return start + length - cost - at;
  }

  /** Earliest start at or after `time` of a free span of `duration` in both timelines. */
  private fitOfAll(time: number, duration: number): number {
    let start = time;
    for (;;) {
      const next = this.readHolds.fit(this.writeHolds.fit(start, duration), duration);
      if (next === start) return start;
      start = next;
    }
  }
}

function modeName(mode: number): string {
  return mode === READ ? 'read' : mode === WRITE ? 'write' : 'nothing';
}
