// The releaser's cost of waking a sleeping waiter. A blocking lock's unlock that finds a waiter
// asleep wakes it, and the releaser pays for that on its own CPU before it goes on: glibc's
// pthread mutex unlock calls futex(FUTEX_WAKE) (a syscall, then the kernel's try_to_wake_up,
// which kicks the waiter's idle CPU with a reschedule IPI); a Linux mutex or rw_semaphore unlock
// wakes the sleeper from inside the kernel (wake_up_q -> try_to_wake_up, the same IPI). The cost
// per wake is the lock kind's WaitPolicy.wakerCycles. glibc's unlock by a thread that itself slept
// for the lock calls futex_wake whether or not anyone sleeps (the futex word stays 2 after a
// slow-path acquire): that release pays sleptReleaseCycles (the syscall) at once, and a wake
// charged to it later pays only the rest.
//
// The obstacle: the scheduler runs one operation at a time in clock order and a hold is placed
// at its release (exclusive.ts), so a releaser cannot know of waiters processed after it — a
// waiter that arrived before the release in simulated time but is processed later. The decision
// is therefore taken at the waiter's placement, where it is known: each sleep round of the
// waiter's final placement (placement.ts) names the release that woke it, by its time. Every
// lock logs its recent releases (time, core); the core whose release woke the waiter is found
// there and charged wakerCycles on its clock (and one `lockWakes`), at that point — like an IPI
// handler's time charged to its target. Invariants: one wake is charged per sleep round, to the
// core whose release ended the busy stretch the sleeper waited for, never to the sleeper itself;
// a lock whose waiters never sleep (single-threaded runs among them) charges nothing, so results
// without sleeps are unchanged. Approximations: the cost lands on the waker's clock when the
// waiter is processed, so work the waker did after that release and already processed stays at
// the earlier times (as for a moved hold, exclusive.ts); a release earlier in simulated time
// than the log's latest LOG_CAPACITY releases is no longer known and its wake is not charged (a
// lower bound); where
// glibc's futex_wake(1) wakes one waiter per unlock and the next unlock the next one, the model
// may wake two sleepers with one release (no handoff) and charges that release twice: the number
// of wakes equals the number of sleeps in both.

import type { Machine } from '../machine.js';

/** Releases a lock remembers for finding the waker (as many as a lock timeline keeps holds). */
export const LOG_CAPACITY = 64;
/**
 * Room a log allocates at its first release; it and LOG_CAPACITY are powers of two (ring masks).
 * Two entries are 48 bytes, which V8 keeps on its heap (typed arrays up to 64 bytes); larger ones
 * get an external backing store, slower to allocate and to collect (a machine may have a lock per
 * VMA, most of them released once or twice).
 */
const INITIAL_ROOM = 2;
/** Numbers per entry: the release's time, its core and the cycles of a wake it already paid. */
const STRIDE = 3;
const TIME = 0;
const CORE = 1;
const PAID = 2;
/** The storage of every log that has never logged a release (and of every log with waker 0). */
const NO_ENTRIES = new Float64Array(0);

/**
 * A lock's latest releases in simulated time, sorted by time; when full, the earliest is
 * forgotten. Sorted by time and not kept in processing order, because a waiter's waking release
 * is late in simulated time but may have been processed long before (holds of other cores that
 * fill the gap before it are processed after it). Kept in a ring: the k-th earliest release is in
 * slot (head + k) & mask, so forgetting the earliest moves `head` instead of the entries, and a
 * release at the newest end (the common case) is stored in O(1) even when the log is full. An
 * entry's numbers sit side by side (STRIDE), and the storage is allocated at the first release.
 */
export class ReleaseLog {
  /** Entry in slot s: time, core and paid cycles at STRIDE × s + TIME, CORE, PAID. */
  private entries = NO_ENTRIES;
  /** Slot of the earliest release kept. */
  private head = 0;
  /** Entries the storage has room for (0 or a power of two). */
  private slots = 0;
  /** slots − 1. */
  private mask = 0;
  private count = 0;
  /** The `lockWakes` counter, defined at the first wake (results without wakes stay as they were). */
  private cWakes = -1;

  constructor(
    private readonly machine: Machine,
    /** What one wake costs the releaser (WaitPolicy.wakerCycles); 0: the log does nothing. */
    readonly wakerCycles: number,
  ) {}

  /** Remembers that `core` released the lock at `time`, having paid `paid` cycles of a wake. */
  released(time: number, core: number, paid: number): void {
    if (this.wakerCycles === 0) return;
    if (this.count === this.slots && this.count < LOG_CAPACITY) this.grow();
    const entries = this.entries;
    const mask = this.mask;
    let head = this.head;
    // Insertion point (in time order) from the newest end, where releases usually land.
    let at = this.count;
    while (at > 0 && entries[STRIDE * ((head + at - 1) & mask) + TIME] > time) at--;
    if (this.count === LOG_CAPACITY) {
      if (at === 0) return; // earlier than everything kept: it would be forgotten at once
      head = (head + 1) & mask; // forget the earliest
      this.head = head;
      this.count--;
      at--;
    }
    // Entries later than `time` move one slot on (usually none).
    for (let k = this.count; k > at; k--) {
      const to = STRIDE * ((head + k) & mask);
      const from = STRIDE * ((head + k - 1) & mask);
      entries[to + TIME] = entries[from + TIME];
      entries[to + CORE] = entries[from + CORE];
      entries[to + PAID] = entries[from + PAID];
    }
    const slot = STRIDE * ((head + at) & mask);
    entries[slot + TIME] = time;
    entries[slot + CORE] = core;
    entries[slot + PAID] = paid;
    this.count++;
  }

  /**
   * Charges the wake of every sleep round of `sleeper`'s final placement to the core whose release
   * woke it (`wakes[0..count)` are the releases' times).
   */
  chargeWakes(sleeper: number, wakes: readonly number[], count: number): void {
    if (this.wakerCycles === 0) return;
    const entries = this.entries;
    for (let i = 0; i < count; i++) {
      const slot = this.slotAt(wakes[i]);
      if (slot < 0) continue;
      const waker = entries[STRIDE * slot + CORE];
      if (waker === sleeper) continue;
      this.machine.clocks[waker] += this.wakerCycles - entries[STRIDE * slot + PAID];
      entries[STRIDE * slot + PAID] = 0;
      if (this.cWakes < 0) this.cWakes = this.machine.counters.define('lockWakes');
      this.machine.counters.add(waker, this.cWakes);
    }
  }

  /** The slot of the latest release at exactly `time`, or -1 if not remembered. */
  private slotAt(time: number): number {
    const entries = this.entries;
    for (let k = this.count - 1; k >= 0; k--) {
      const slot = (this.head + k) & this.mask;
      const t = entries[STRIDE * slot + TIME];
      if (t === time) return slot;
      if (t < time) return -1;
    }
    return -1;
  }

  /**
   * Allocates the storage (INITIAL_ROOM slots) or doubles it (up to LOG_CAPACITY), the entries in
   * time order from slot 0.
   */
  private grow(): void {
    const room = this.slots === 0 ? INITIAL_ROOM : Math.min(LOG_CAPACITY, 2 * this.slots);
    const entries = new Float64Array(STRIDE * room);
    for (let k = 0; k < this.count; k++) {
      const from = STRIDE * ((this.head + k) & this.mask);
      entries[STRIDE * k + TIME] = this.entries[from + TIME];
      entries[STRIDE * k + CORE] = this.entries[from + CORE];
      entries[STRIDE * k + PAID] = this.entries[from + PAID];
    }
    this.entries = entries;
    this.head = 0;
    this.slots = room;
    this.mask = room - 1;
  }
}
