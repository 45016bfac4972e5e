// DRAM bandwidth of one socket as a resource shared by all cores in simulated time. Time is cut
// into windows of `windowCycles`; a window carries at most `bytesPerCycle × windowCycles` bytes
// for all cores together. A transfer of `bytes` that its core alone would finish in `ownCycles`
// (the core's own streaming rate: its fill buffers and prefetchers, not the channels) places its
// bytes window by window from its start: in each window no more than its own rate allows and no
// more than the window has left. It ends when its last byte is placed; where a window is full it
// stalls until the next one.
//
// Invariant: the bytes placed in any window never exceed the window's capacity, so the aggregate
// throughput of any number of cores cannot exceed the socket's bandwidth. A transfer that never
// meets a full window ends at exactly start + ownCycles, so single-core costs stay the
// calibrated ones. Windows are kept in a ring of `slots`; a transfer into a window older than
// the ring remembers (more than slots × windowCycles behind the newest) is not limited and not
// recorded (`forgotten` counts them, and transfers past 2^52 cycles). Transfers are placed in
// the order the scheduler processes them: within one window, whichever is processed first gets
// the room first.

/** Cycles past which windows are not accounted (float spacing would exceed a window). */
const MAX_EXACT_CYCLE = 2 ** 52;

export interface DramOptions {
  /** Length of one accounting window in cycles (default 1024, ~0.4 us at 2.4 GHz). */
  windowCycles?: number;
  /** Windows remembered (default 2^16: ~28 ms of simulated time at 2.4 GHz). */
  slots?: number;
}

export class DramChannel {
  readonly windowCycles: number;
  /** Bytes one window carries. */
  readonly windowBytes: number;
  /** Transfers that fell before the remembered windows (placed without limit). */
  forgotten = 0;
  private readonly slots: number;
  private readonly used: Float64Array;
  private readonly tags: Float64Array;

  constructor(
    /** Sustained bandwidth of the socket in bytes per cycle. */
    readonly bytesPerCycle: number,
    options: DramOptions = {},
  ) {
    if (!(Number.isFinite(bytesPerCycle) && bytesPerCycle > 0)) {
      throw new RangeError(`DRAM bandwidth ${bytesPerCycle} bytes/cycle must be positive`);
    }
    const windowCycles = options.windowCycles ?? 1024;
    if (!(Number.isInteger(windowCycles) && windowCycles > 0)) {
      throw new RangeError(`DRAM windowCycles ${windowCycles} must be a positive integer`);
    }
    const slots = options.slots ?? 1 << 16;
    if (!(Number.isInteger(slots) && slots > 0 && slots <= 1 << 24)) {
      throw new RangeError(`DRAM slots ${slots} must be an integer in 1..2^24`);
    }
    this.windowCycles = windowCycles;
    this.windowBytes = bytesPerCycle * windowCycles;
    this.slots = slots;
    this.used = new Float64Array(slots);
    // Tag 0 with 0 bytes used is a correct initial state for window 0 and is reset for any
    // later window, so the ring needs no fill.
    this.tags = new Float64Array(slots);
  }

  /**
   * Places a transfer of `bytes` starting at cycle `start` that its core alone finishes in
   * `ownCycles`, and returns the cycle it ends (≥ start + ownCycles).
   */
  place(start: number, bytes: number, ownCycles: number): number {
    if (!(ownCycles >= 0 && bytes >= 0 && Number.isFinite(start + bytes + ownCycles))) {
      throw new RangeError(
        `DRAM transfer of ${bytes} bytes in ${ownCycles} cycles at ${start} must be finite, >= 0`,
      );
    }
    if (bytes === 0) return start + ownCycles;
    if (start >= MAX_EXACT_CYCLE) {
      // Beyond 2^52 cycles (~22 days at 2.4 GHz) window arithmetic is no longer exact.
      this.forgotten++;
      return start + ownCycles;
    }
    const rate = ownCycles > 0 ? bytes / ownCycles : Number.POSITIVE_INFINITY;
    const W = this.windowCycles;
    const capacity = this.windowBytes;
    let t = start;
    let left = bytes;
    let window = Math.floor(t / W);
    let stalled = false;
    for (;;) {
      const slot = window % this.slots;
      const tag = this.tags[slot];
      if (tag !== window) {
        if (tag > window) {
          // Older than anything the ring remembers: not limited, not recorded.
          this.forgotten++;
          return stalled ? t + left / rate : start + ownCycles;
        }
        this.tags[slot] = window;
        this.used[slot] = 0;
      }
      const windowEnd = (window + 1) * W;
      const room = capacity - this.used[slot];
      const own = rate * (windowEnd - t); // Infinity when the core's own rate is unbounded
      if (left <= room && left <= own) {
        this.used[slot] += left;
        if (!stalled) return start + ownCycles;
        return rate === Number.POSITIVE_INFINITY ? t : t + left / rate;
      }
      const take = Math.min(room, own);
      if (room < own) stalled = true;
      if (take > 0) {
        this.used[slot] += take;
        left -= take;
      }
      t = windowEnd;
      window++;
    }
  }

  /** Bytes already placed in the window that holds cycle `time` (0 if not remembered). */
  usedAt(time: number): number {
    const window = Math.floor(time / this.windowCycles);
    const slot = window % this.slots;
    return this.tags[slot] === window ? this.used[slot] : 0;
  }
}
