// The modelled machine: a profile, per-core clocks in cycles, counters, the cache-line model, and
// the scheduler that runs one program per core. Everything that costs time charges the clock of
// the core that pays it: a component told `core` charges through that core's handle
// (`machine.core(k)`, core-handle.ts). `current` is the bound core, the one code without a core
// parameter charges (TracedWords, LineTracer users): the scheduler binds the core whose step runs,
// and a call on behalf of another core binds that core with CoreHandle.bind/unbind.

import { mulberry32 } from '@unimem/core';
import type { CostTable, Profile, ProgramFactory, WaitUntil } from './api.js';
import { CoreHandle } from './core-handle.js';
import { Counters } from './counters.js';
import { CacheLines } from './lines.js';
import { SharedMemory } from './memory.js';
import { defaultProfile } from './profiles.js';
import { SimBarrier, schedule } from './scheduler.js';
import { Topology } from './topology.js';

export interface MachineOptions {
  /** Default: epyc-9654p-guest. */
  profile?: Profile;
  /** Cores to model (default: the profile's). May exceed the profile's count for what-if runs. */
  cores?: number;
  /** Seed of `machine.random` (default 1). */
  seed?: number;
}

export interface RunOptions {
  /** Cores that run a program: a count n (cores 0..n-1) or a list. Default: every core. */
  cores?: number | readonly number[];
}

export interface RunResult {
  /** Latest clock of a participating core minus the earliest start: the run's makespan. */
  cycles: number;
  /** Cycles each participating core spent, by position in the core list. */
  coreCycles: number[];
  /** Operations (generator steps) executed. */
  steps: number;
}

export type Costs = { readonly [K in keyof CostTable]: number };

export class Machine {
  readonly profile: Profile;
  readonly cores: number;
  /** Per-core clock in cycles. */
  readonly clocks: Float64Array;
  readonly counters: Counters;
  readonly topology: Topology;
  /** Cost table as plain numbers (cycles), for hot paths. */
  readonly costs: Costs;
  readonly lines: CacheLines;
  /** Shared memory resources: DRAM bandwidth of the socket, L3 per CCD (memory.ts). */
  readonly memory: SharedMemory;
  /** Deterministic uniform [0, 1) generator seeded from the options. */
  readonly random: () => number;
  /**
   * The bound core: the one code without a core parameter charges (0 outside a run). Read it;
   * change it only through `core(k).bind()` / `unbind` (core-handle.ts) or the scheduler.
   */
  current = 0;
  /** True while `run` executes programs (simulated time is then per core, not global). */
  running = false;
  /** Number of `run` calls started: each run is a phase that sees everything before it. */
  runs = 0;
  private readonly handles: readonly CoreHandle[];

  constructor(options: MachineOptions = {}) {
    this.profile = options.profile ?? defaultProfile;
    const cores = options.cores ?? this.profile.cores.value;
    if (!Number.isInteger(cores) || cores < 1) {
      throw new RangeError(`cores ${cores} must be a positive integer`);
    }
    this.cores = cores;
    this.clocks = new Float64Array(cores);
    this.counters = new Counters(cores);
    this.topology = new Topology(cores, this.profile.coresPerCcd.value);
    const costs: Record<string, number> = {};
    for (const [name, figure] of Object.entries(this.profile.costs)) costs[name] = figure.value;
    this.costs = costs as Costs;
    this.random = mulberry32(options.seed ?? 1);
    this.lines = new CacheLines(this);
    this.memory = new SharedMemory(this);
    this.handles = Array.from({ length: cores }, (_, core) => new CoreHandle(this, core));
  }

  /** The handle through which a component charges `core` (one per core, made once). */
  core(core: number): CoreHandle {
    const handle = this.handles[core];
    if (handle === undefined) {
      throw new RangeError(`core ${core} is out of range 0..${this.cores - 1}`);
    }
    return handle;
  }

  /** Clock of `core` (default: the bound core). */
  now(core = this.current): number {
    return this.clocks[core];
  }

  /** Advances the clock of `core` (default: the bound core) by `cycles`. */
  charge(cycles: number, core = this.current): void {
    this.clocks[core] += cycles;
  }

  /** Moves the clock of `core` forward to `time` if it is behind. */
  advanceTo(time: number, core = this.current): void {
    if (this.clocks[core] < time) this.clocks[core] = time;
  }

  /** Converts cycles to seconds at the profile's clock. */
  seconds(cycles: number): number {
    return cycles / (this.profile.frequencyGhz.value * 1e9);
  }

  /** A cyclic barrier for `parties` cores: programs `yield barrier`. */
  barrier(parties: number): SimBarrier {
    return new SimBarrier(parties);
  }

  /** Runs one program per core until all finish; see scheduler.ts for the rules. */
  run(factory: ProgramFactory, options: RunOptions = {}): RunResult {
    const list = this.coreList(options.cores);
    let start = Number.POSITIVE_INFINITY;
    for (const core of list) start = Math.min(start, this.clocks[core]);
    const programs = list.map((core) => {
      this.current = core;
      return factory(core);
    });
    this.running = true;
    this.runs++;
    let steps: number;
    try {
      ({ steps } = schedule(list, programs, this.clocks, {
        enter: (core) => {
          this.current = core;
        },
        random: this.random,
      }));
    } finally {
      this.running = false;
      this.current = 0;
    }
    let end = start;
    for (const core of list) end = Math.max(end, this.clocks[core]);
    return {
      cycles: end - start,
      coreCycles: list.map((core) => this.clocks[core] - start),
      steps,
    };
  }

  private coreList(cores: RunOptions['cores']): number[] {
    if (cores === undefined) return Array.from({ length: this.cores }, (_, i) => i);
    if (typeof cores === 'number') {
      if (!Number.isInteger(cores) || cores < 1 || cores > this.cores) {
        throw new RangeError(`run cores ${cores} must be an integer in 1..${this.cores}`);
      }
      return Array.from({ length: cores }, (_, i) => i);
    }
    const seen = new Set<number>();
    for (const core of cores) {
      if (!Number.isInteger(core) || core < 0 || core >= this.cores || seen.has(core)) {
        throw new RangeError(`run core ${core} is out of range 0..${this.cores - 1} or repeated`);
      }
      seen.add(core);
    }
    if (seen.size === 0) throw new RangeError('run cores is an empty list');
    return [...cores];
  }
}

/** `yield waitUntil(() => cond)`: blocks the core until the condition holds. */
export function waitUntil(condition: () => boolean): WaitUntil {
  return { kind: 'wait', condition };
}
