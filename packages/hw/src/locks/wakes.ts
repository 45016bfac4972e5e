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
//
// glibc's futex mutex also pays futex_wake with nobody asleep: a waiter's xchg of the word to 2
// before each futex_wait (placement.ts) makes the release that ends the hold it fell in call
// futex_wake — the syscall only (`futexWakeCycles`), no IPI. The waiter's placement names each xchg
// by its time; the first release after it in the log pays. Invariant: a release pays that syscall
// at most once, whatever the number of xchgs during its hold and of wakes charged to it (its
// `paid` stays at futexWakeCycles once paid; a wake charged to it pays wakerCycles minus that).
//
// A sleep round woken while the sleeper's CPU still polled (OSv's idle loop, idle-poll.ts;
// `polled` in the placement) charges pollWakerCycles instead — no IPI — and counts one
// `pollWakes` beside its `lockWakes` (lockWakes counts every wake, pollWakes those without IPI).

import type { Machine } from '../machine.js';

/** Releases a lock remembers for finding the waker (as many as a lock timeline keeps holds). */
export const LOG_CAPACITY = 64;
/**
 * Entries past LOG_CAPACITY the storage holds before the forgotten ones are dropped at once, so
 * that forgetting costs amortised O(1) per release rather than a shift of the whole log each.
 */
const SLACK = LOG_CAPACITY >> 2;
/**
 * Room a log allocates at its first release: two entries are 48 bytes, which V8 keeps on its
 * heap (typed arrays up to 64 bytes); larger ones get an external backing store, slower to
 * allocate and to collect (a machine may have a lock per VMA, most of them released once or
 * twice). Grows by doubling up to LOG_CAPACITY + SLACK.
 */
const INITIAL_ROOM = 2;
/** Numbers per entry: the release's time, its core and the cycles of a wake it already paid. */
const STRIDE = 3;
const TIME = 0;
const CORE = 1;
const PAID = 2;
/** The storage of every log that has never logged a release (and of every log with waker 0). */
const NO_ENTRIES = new Float64Array(0);

/** Index of the earliest remembered entry when `count` are stored (the rest are forgotten). */
const firstKept = (count: number): number => (count > LOG_CAPACITY ? count - LOG_CAPACITY : 0);

/**
 * A lock's latest LOG_CAPACITY releases in simulated time, sorted by time; when full, the
 * earliest is forgotten. Sorted by time and not kept in processing order, because a waiter's
 * waking release is late in simulated time but may have been processed long before (holds of
 * other cores that fill the gap before it are processed after it). The entries are one sorted
 * array of which the last LOG_CAPACITY are remembered (from `first`); the forgotten ones before
 * them are dropped SLACK at a time. An entry's numbers sit side by side (STRIDE), so that moving
 * entries (a release earlier than the newest) is one copy.
 */
export class ReleaseLog {
  /** Entry i: time, core and paid cycles at STRIDE × i + TIME, CORE, PAID. */
  private entries = NO_ENTRIES;
  /** Entries stored, forgotten ones included. */
  private count = 0;
  /** The `lockWakes` counter, defined at the first wake (results without wakes stay as they were). */
  private cWakes = -1;
  /** The latest time of a release forgotten otherwise than by passing `firstKept` (dropped). */
  private droppedUpTo = Number.NEGATIVE_INFINITY;
  /** The `pollWakes` counter, defined at the first wake of a polling sleeper. */
  private cPollWakes = -1;

  constructor(
    private readonly machine: Machine,
    /** What one wake costs the releaser (WaitPolicy.wakerCycles); 0: the log does nothing. */
    readonly wakerCycles: number,
    /**
     * What a futex_wake costs a release with nobody to wake (WaitPolicy.sleptReleaseCycles of a
     * glibc futex mutex: the syscall); paid once per release. 0: no such charge (other kinds).
     */
    readonly futexWakeCycles = 0,
    /** What a wake of a sleeper whose CPU still polls costs (WaitPolicy.pollWakerCycles). */
    readonly pollWakerCycles = 0,
  ) {}

  /** Remembers that `core` released the lock at `time`, having paid `paid` cycles of a wake. */
  released(time: number, core: number, paid: number): void {
    if (this.wakerCycles === 0) return;
    let count = this.count;
    if (STRIDE * count === this.entries.length) {
      this.makeRoom();
      count = this.count;
    }
    const entries = this.entries;
    const first = firstKept(count);
    // Insertion point from the newest end, where releases usually land.
    let at = count;
    while (at > first && entries[STRIDE * (at - 1) + TIME] > time) at--;
    // Full and earlier than everything remembered: it would be forgotten at once.
    if (at === first && count - first === LOG_CAPACITY) {
      if (time > this.droppedUpTo) this.droppedUpTo = time;
      return;
    }
    if (at < count) entries.copyWithin(STRIDE * (at + 1), STRIDE * at, STRIDE * count);
    const slot = STRIDE * at;
    entries[slot + TIME] = time;
    entries[slot + CORE] = core;
    entries[slot + PAID] = paid;
    this.count = count + 1; // the earliest remembered, if the log was full, is now forgotten
  }

  /**
   * Charges the wake of every sleep round of `sleeper`'s final placement to the core whose release
   * woke it (`wakes[0..count)` are the releases' times; `polled[i]` 1 if round i was woken while
   * the sleeper's CPU polled: pollWakerCycles, no IPI).
   */
  chargeWakes(
    sleeper: number,
    wakes: readonly number[],
    polled: readonly number[],
    count: number,
  ): void {
    if (this.wakerCycles === 0) return;
    const entries = this.entries;
    const counters = this.machine.counters;
    for (let i = 0; i < count; i++) {
      const slot = this.slotAt(wakes[i]);
      if (slot < 0) continue;
      const waker = entries[slot + CORE];
      if (waker === sleeper) continue;
      if (this.cWakes < 0) this.cWakes = counters.define('lockWakes');
      counters.add(waker, this.cWakes);
      if (polled[i] === 1) {
        this.machine.clocks[waker] += Math.max(0, this.pollWakerCycles - entries[slot + PAID]);
        if (this.cPollWakes < 0) this.cPollWakes = counters.define('pollWakes');
        counters.add(waker, this.cPollWakes);
      } else {
        this.machine.clocks[waker] += this.wakerCycles - entries[slot + PAID];
      }
      entries[slot + PAID] = this.futexWakeCycles; // its futex_wake syscall is paid (header)
    }
  }

  /**
   * Charges the futex_wake syscall of every xchg of `waiter`'s final placement (`xchgs[0..count)`,
   * their times) to the release that ends the hold it fell in: the first release after it. A
   * release pays it at most once.
   */
  chargeFutexWaits(waiter: number, xchgs: readonly number[], count: number): void {
    const cost = this.futexWakeCycles;
    if (cost === 0 || this.wakerCycles === 0) return;
    const entries = this.entries;
    for (let i = 0; i < count; i++) {
      const slot = this.slotAfter(xchgs[i]);
      if (slot < 0) continue;
      const holder = entries[slot + CORE];
      if (holder === waiter || entries[slot + PAID] >= cost) continue;
      this.machine.clocks[holder] += cost - entries[slot + PAID];
      entries[slot + PAID] = cost;
    }
  }

  /**
   * The time of the first release after `time`, or -1 if none is remembered or the first one may
   * have been forgotten.
   */
  firstAfter(time: number): number {
    const slot = this.slotAfter(time);
    return slot < 0 ? -1 : this.entries[slot + TIME];
  }

  /**
   * Whether the first release after `time` left the lock word at 2: it paid its futex_wake (its
   * hold was acquired through futex_wait, or a waiter's xchg during it was charged to it). True
   * when that release is not remembered (the model before futex retries: the waiter sleeps).
   */
  leftAtTwo(time: number): boolean {
    const slot = this.slotAfter(time);
    return slot < 0 || this.entries[slot + PAID] >= this.futexWakeCycles;
  }

  /** The offset of the earliest release after `time` (see firstAfter), or -1. */
  private slotAfter(time: number): number {
    const entries = this.entries;
    const count = this.count;
    const first = firstKept(count);
    let k = count;
    while (k > first && entries[STRIDE * (k - 1) + TIME] > time) k--;
    if (k === count) return -1;
    if (k === first) {
      // Every remembered release is after `time`: an earlier forgotten one may be the first.
      if (this.droppedUpTo > time) return -1;
      if (first > 0 && entries[STRIDE * (first - 1) + TIME] > time) return -1;
    }
    return STRIDE * k;
  }

  /** The offset of the latest remembered release at exactly `time`, or -1 if not remembered. */
  private slotAt(time: number): number {
    const entries = this.entries;
    const first = firstKept(this.count);
    for (let k = this.count - 1; k >= first; k--) {
      const t = entries[STRIDE * k + TIME];
      if (t === time) return STRIDE * k;
      if (t < time) return -1;
    }
    return -1;
  }

  /**
   * Room for one more entry: allocates the storage or doubles it (up to LOG_CAPACITY + SLACK
   * entries); once that is full, drops the SLACK forgotten entries.
   */
  private makeRoom(): void {
    const room = this.entries.length / STRIDE;
    if (room === LOG_CAPACITY + SLACK) {
      const dropped = this.entries[STRIDE * (SLACK - 1) + TIME];
      if (dropped > this.droppedUpTo) this.droppedUpTo = dropped;
      this.entries.copyWithin(0, STRIDE * SLACK, STRIDE * this.count);
      this.count -= SLACK;
      return;
    }
    const entries = new Float64Array(
      STRIDE * (room === 0 ? INITIAL_ROOM : Math.min(LOG_CAPACITY + SLACK, 2 * room)),
    );
    entries.set(this.entries);
    this.entries = entries;
  }
}
