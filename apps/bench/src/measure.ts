// Measuring one phase of a benchmark on every core: each core marks the start and the end of its
// own phase, so the value is the mean over cores of that core's cycles per operation (the thesis
// harness: sum over threads / (threads x operations)), and the counters are the model's events
// each core was charged between its own marks, summed over cores. Phases separated by barriers
// therefore never mix, whatever order the scheduler resumes the cores in.

import { addCounterDifference, type Machine } from '@unimem/hw';
import type { Measurement } from './api.js';

export class Phase {
  private cycles = 0;
  private ops = 0;
  private readonly startClock: Float64Array;
  private readonly startCounters: Array<Record<string, number> | undefined>;
  private readonly counters: Record<string, number> = {};

  constructor(
    private readonly machine: Machine,
    readonly metric: string,
    readonly unit = 'cycles/op',
  ) {
    this.startClock = new Float64Array(machine.cores);
    this.startCounters = new Array(machine.cores);
  }

  /** `core` starts its part of the phase (call from that core's program). */
  begin(core: number): void {
    this.startClock[core] = this.machine.now(core);
    this.startCounters[core] = this.machine.counters.perCore(core);
  }

  /** `core` finished `ops` operations of the phase. */
  end(core: number, ops: number): void {
    const start = this.startCounters[core];
    if (start === undefined)
      throw new Error(`phase ${this.metric}: core ${core} ended before it began`);
    this.cycles += this.machine.now(core) - this.startClock[core];
    this.ops += ops;
    for (const [name, value] of Object.entries(this.machine.counters.perCore(core))) {
      this.counters[name] = (this.counters[name] ?? 0) + value - (start[name] ?? 0);
    }
    this.startCounters[core] = undefined;
  }

  measurement(): Measurement {
    return {
      metric: this.metric,
      value: this.ops === 0 ? 0 : this.cycles / this.ops,
      unit: this.unit,
      ops: this.ops,
      counters: { ...this.counters },
    };
  }
}

/**
 * A timed part whose counters are the machine's totals (every core, IPI targets included) over
 * the window in which at least one core is inside it, plus the differences of an optional source
 * of extra counters (a preset's own events). Right for parts that barriers separate from the
 * rest of the run, where every core's events during the window belong to the part; the value is
 * still the mean over cores of each core's own cycles per operation, as in Phase.
 */
export class TimedPart {
  private cycles = 0;
  private ops = 0;
  private inside = 0;
  private readonly startClock: Float64Array;
  private startTotals: Record<string, number> = {};
  private startExtra: Record<string, number> = {};
  private readonly counters: Record<string, number> = {};

  constructor(
    private readonly machine: Machine,
    readonly metric: string,
    private readonly extra?: () => Record<string, number>,
    readonly unit = 'cycles/op',
  ) {
    this.startClock = new Float64Array(machine.cores);
  }

  begin(core: number): void {
    if (this.inside++ === 0) {
      this.startTotals = this.machine.counters.totals();
      this.startExtra = this.extra?.() ?? {};
    }
    this.startClock[core] = this.machine.now(core);
  }

  end(core: number, ops: number): void {
    if (this.inside === 0)
      throw new Error(`part ${this.metric}: core ${core} ended before it began`);
    this.cycles += this.machine.now(core) - this.startClock[core];
    this.ops += ops;
    if (--this.inside === 0) {
      addCounterDifference(this.counters, this.machine.counters.totals(), this.startTotals);
      if (this.extra) addCounterDifference(this.counters, this.extra(), this.startExtra);
    }
  }

  measurement(): Measurement {
    return {
      metric: this.metric,
      value: this.ops === 0 ? 0 : this.cycles / this.ops,
      unit: this.unit,
      ops: this.ops,
      counters: { ...this.counters },
    };
  }
}
