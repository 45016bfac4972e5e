// Sigmoidal decay of unused pages (jemalloc's decay.c): time is cut into SMOOTHSTEP_NSTEPS = 200
// epochs of decay_ms / 200 each; the pages that became dirty in each epoch are remembered in a
// backlog, and the number allowed to stay unpurged is sum(backlog[i] × h[i]) where h is the
// "smoother" smoothstep curve 6x^5 - 15x^4 + 10x^3 in 24-bit fixed point (smoothstep.h): pages
// freed just now may all stay, pages freed decay_ms ago none. Epochs only advance when the arena
// looks (every ~1000 allocator ticks without a background thread), at a deadline with uniform
// random jitter within the next epoch. decay_ms 0 purges at once, -1 never. Time is in seconds
// from the caller's clock (the simulated machine's). Invariant: the backlog only moves forward.

/** Epochs per decay period (SMOOTHSTEP_NSTEPS). */
export const SMOOTHSTEP_NSTEPS = 200;
/** Fixed-point bits of the smoothstep table (SMOOTHSTEP_BFP). */
export const SMOOTHSTEP_BFP = 24;

/** h_steps[i] = smootherstep((i + 1) / 200) × 2^24, truncated as smoothstep.sh prints it. */
export const H_STEPS: Float64Array = (() => {
  const steps = new Float64Array(SMOOTHSTEP_NSTEPS);
  for (let i = 0; i < SMOOTHSTEP_NSTEPS; i++) {
    const x = (i + 1) / SMOOTHSTEP_NSTEPS;
    steps[i] = Math.floor(x * x * x * (x * (x * 6 - 15) + 10) * 2 ** SMOOTHSTEP_BFP);
  }
  return steps;
})();

export class Decay {
  /** decay_ms: > 0 sigmoidal, 0 immediate, -1 never. */
  readonly ms: number;
  /** Length of one epoch in seconds. */
  readonly intervalSeconds: number;
  /** Pages that may stay unpurged after the last epoch advance. */
  npagesLimit = 0;
  /** Epoch advances so far. */
  epochs = 0;
  /** A purge is running (pac_decay_to_limit drops the decay lock meanwhile). */
  purging = false;
  private epoch: number;
  private deadline = 0;
  private nunpurged = 0;
  private readonly backlog = new Float64Array(SMOOTHSTEP_NSTEPS);

  constructor(
    ms: number,
    now: number,
    private readonly random: () => number,
  ) {
    if (!(Number.isInteger(ms) && ms >= -1)) {
      throw new RangeError(`decay ms ${ms} must be an integer >= -1 (-1: never purge)`);
    }
    this.ms = ms;
    this.intervalSeconds = ms > 0 ? ms / 1000 / SMOOTHSTEP_NSTEPS : 0;
    this.epoch = now;
    this.setDeadline();
  }

  /** Purging happens on every deallocation (decay_immediately). */
  get immediate(): boolean {
    return this.ms === 0;
  }

  /**
   * decay_maybe_advance_epoch: at or past the deadline, moves the epoch forward by whole
   * intervals, shifts the backlog, records the pages that became dirty since, and recomputes
   * npagesLimit. Returns whether the epoch advanced. A clock behind the epoch (another core's
   * clock) does not move it back: it simply does not advance.
   */
  maybeAdvance(now: number, npagesCurrent: number): boolean {
    if (this.ms <= 0 || now < this.deadline) return false;
    const advance = Math.floor((now - this.epoch) / this.intervalSeconds);
    if (advance < 1) return false;
    this.epoch += advance * this.intervalSeconds;
    this.setDeadline();
    this.updateBacklog(advance, npagesCurrent);
    this.npagesLimit = this.backlogLimit();
    this.nunpurged = Math.max(this.npagesLimit, npagesCurrent);
    this.epochs++;
    return true;
  }

  /** Pages recorded in the backlog (tests). */
  backlogPages(): number {
    let sum = 0;
    for (const pages of this.backlog) sum += pages;
    return sum;
  }

  private setDeadline(): void {
    this.deadline = this.epoch + this.intervalSeconds;
    if (this.ms > 0) this.deadline += this.random() * this.intervalSeconds;
  }

  private updateBacklog(advance: number, npagesCurrent: number): void {
    const { backlog } = this;
    if (advance >= SMOOTHSTEP_NSTEPS) {
      backlog.fill(0, 0, SMOOTHSTEP_NSTEPS - 1);
    } else {
      backlog.copyWithin(0, advance);
      backlog.fill(0, SMOOTHSTEP_NSTEPS - advance, SMOOTHSTEP_NSTEPS - 1);
    }
    backlog[SMOOTHSTEP_NSTEPS - 1] = Math.max(0, npagesCurrent - this.nunpurged);
  }

  private backlogLimit(): number {
    let sum = 0;
    for (let i = 0; i < SMOOTHSTEP_NSTEPS; i++) sum += this.backlog[i] * H_STEPS[i];
    return Math.floor(sum / 2 ** SMOOTHSTEP_BFP);
  }
}
