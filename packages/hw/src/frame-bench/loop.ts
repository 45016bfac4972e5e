// The frame-benchmark loop of the LLFree ATC'23 artifact (luhsra/linux-alloc-bench `alloc.c`;
// documented in docs/calibration.md), over any FrameAllocator on a Machine. It is
// the only copy in the tree: `unimem bench frames.*`, `unimem calibrate`, the linux and llfree
// benches and OSv's bulk experiment all run these programs.
// - bulk: each core allocates `allocs` blocks, barrier, frees them in allocation order (alloc and
//   free timed separately);
// - repeat: each core allocates and immediately frees one block, `allocs` times (pair timed);
// - rand: each core allocates `allocs` blocks, core 0 shuffles all of them across cores, each core
//   frees its shuffled share; only the free is timed.
// Warm-up policy (one, everywhere): `FRAME_BENCH_WARMUP_ROUNDS` untimed rounds of the same
// benchmark run first, because the artifact times repeated iterations on a live kernel allocator,
// never a freshly built one. Invariant: a phase's value is the mean over cores of each core's own
// clock advance between its marks divided by its operations, and its counters are the model's
// events each core was charged between its own marks; barriers separate phases, so phases never
// mix whatever order the scheduler resumes cores in.

import { allocErrorName, type FrameAllocator, mulberry32, Ok } from '@unimem/core';
import type { Program, ProgramFactory } from '../api.js';
import { addCounterDifference } from '../counters.js';
import type { Machine } from '../machine.js';

export type FrameBenchName = 'bulk' | 'repeat' | 'rand';
/** alloc / free: one get or one put; pair: one get plus one put (repeat). */
export type FrameBenchOp = 'alloc' | 'free' | 'pair';

export const FRAME_BENCHES: readonly FrameBenchName[] = ['bulk', 'repeat', 'rand'];
/** The timed operations of each benchmark, in the order the results list them. */
export const FRAME_BENCH_OPS: Readonly<Record<FrameBenchName, readonly FrameBenchOp[]>> = {
  bulk: ['alloc', 'free'],
  repeat: ['pair'],
  rand: ['free'],
};
/** Untimed rounds before the timed one: the one warm-up policy of every frame benchmark. */
export const FRAME_BENCH_WARMUP_ROUNDS = 1;

export interface FrameBenchOptions {
  bench: FrameBenchName;
  order: number;
  /** Cores running the benchmark: cores 0..cores-1 of the machine. */
  cores: number;
  /** Blocks each core allocates (bulk, rand), or get+put pairs it runs (repeat). */
  allocs: number;
  /** Seed of rand's shuffle (default 1). */
  seed?: number;
  /** Untimed rounds first (default FRAME_BENCH_WARMUP_ROUNDS; other values are for tests). */
  warmupRounds?: number;
  /**
   * A source of extra event counts (an allocator's own statistics): sampled when the first core
   * enters a timed phase and when the last leaves it; the differences join the phase counters.
   */
  extraCounters?: () => Record<string, number>;
}

/** One timed phase over all participating cores. */
export interface FrameBenchPhase {
  op: FrameBenchOp;
  /** Mean over cores of (clock advance / operations): simulated cycles per operation. */
  cycles: number;
  /** Operations of all cores together. */
  ops: number;
  /** Latest end minus earliest start of the phase over cores. */
  makespanCycles: number;
  /** Model events (and extra counters) of the phase, summed over cores. */
  counters: Record<string, number>;
}

export interface PreparedFrameBench {
  /** One program per core, for `machine.run(program, { cores })`. */
  program: ProgramFactory;
  /** The timed phases, after the run, in FRAME_BENCH_OPS order. */
  phases(): FrameBenchPhase[];
}

/** A phase's counter `name` per operation (0 when the model never counted it). */
export function perOp(phase: FrameBenchPhase, name: string): number {
  return phase.ops === 0 ? 0 : (phase.counters[name] ?? 0) / phase.ops;
}

/**
 * The artifact's sizing rule: allocs = mem_GiB * 512 * 512 / max_cores / 2 / 2^order, i.e. half
 * of `memoryBytes` is allocated when `maxCores` cores run.
 */
export function artifactAllocs(memoryBytes: number, maxCores: number, order: number): number {
  return Math.floor(memoryBytes / 4096 / maxCores / 2 / 2 ** order);
}

/** Validates the options; throws a RangeError naming the bad value. */
export function checkFrameBenchOptions(options: FrameBenchOptions, maxOrder = 63): void {
  const { bench, order, cores, allocs, warmupRounds = FRAME_BENCH_WARMUP_ROUNDS } = options;
  if (!FRAME_BENCHES.includes(bench)) {
    throw new RangeError(`bench "${bench}" must be one of ${FRAME_BENCHES.join(', ')}`);
  }
  if (!Number.isInteger(order) || order < 0 || order > maxOrder) {
    throw new RangeError(`order ${order} must be an integer in 0..${maxOrder}`);
  }
  for (const [name, value] of [
    ['cores', cores],
    ['allocs', allocs],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${name} ${value} must be a positive integer`);
    }
  }
  if (!Number.isSafeInteger(warmupRounds) || warmupRounds < 0) {
    throw new RangeError(`warmupRounds ${warmupRounds} must be a non-negative integer`);
  }
}

class TimedPhase {
  private cycles = 0;
  private ops = 0;
  private inside = 0;
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;
  private readonly startClock: Float64Array;
  private readonly startCounters: Array<Record<string, number>>;
  private startExtra: Record<string, number> = {};
  readonly counters: Record<string, number> = {};

  constructor(
    private readonly machine: Machine,
    readonly op: FrameBenchOp,
    private readonly extra: (() => Record<string, number>) | undefined,
  ) {
    this.startClock = new Float64Array(machine.cores);
    this.startCounters = new Array(machine.cores);
  }

  begin(core: number): void {
    if (this.inside++ === 0 && this.extra) this.startExtra = this.extra();
    const now = this.machine.now(core);
    this.startClock[core] = now;
    this.first = Math.min(this.first, now);
    this.startCounters[core] = this.machine.counters.perCore(core);
  }

  end(core: number, ops: number): void {
    const now = this.machine.now(core);
    this.cycles += now - this.startClock[core];
    this.ops += ops;
    this.last = Math.max(this.last, now);
    addCounterDifference(
      this.counters,
      this.machine.counters.perCore(core),
      this.startCounters[core],
    );
    if (--this.inside === 0 && this.extra) {
      addCounterDifference(this.counters, this.extra(), this.startExtra);
    }
  }

  /** Every core runs the same operations, so the mean over cores is total cycles / ops. */
  result(): FrameBenchPhase {
    return {
      op: this.op,
      cycles: this.ops === 0 ? 0 : this.cycles / this.ops,
      ops: this.ops,
      makespanCycles: this.ops === 0 ? 0 : this.last - this.first,
      counters: { ...this.counters },
    };
  }
}

/** Builds the per-core programs of one benchmark on `machine` over `allocator`. */
export function prepareFrameBench(
  machine: Machine,
  allocator: FrameAllocator,
  options: FrameBenchOptions,
): PreparedFrameBench {
  checkFrameBenchOptions(options, allocator.maxOrder);
  const { bench, order, cores, allocs, seed = 1 } = options;
  const warmupRounds = options.warmupRounds ?? FRAME_BENCH_WARMUP_ROUNDS;
  if (cores > machine.cores) {
    throw new RangeError(`cores ${cores} exceeds the machine's ${machine.cores}`);
  }
  const barrier = machine.barrier(cores);
  const held = new Float64Array(cores * allocs);
  const random = mulberry32(seed);
  const phases = new Map(
    FRAME_BENCH_OPS[bench].map((op) => [op, new TimedPhase(machine, op, options.extraCounters)]),
  );
  const timed = (op: FrameBenchOp, round: number) =>
    round === warmupRounds ? phases.get(op) : undefined;

  const get = (core: number, done: number): number => {
    const frame = allocator.get(core, order);
    if (frame < 0) {
      throw new Error(
        `${bench} on ${allocator.name}: get(core ${core}, order ${order}) failed with ` +
          `${allocErrorName(frame)} after ${done} allocations`,
      );
    }
    return frame;
  };
  const put = (core: number, frame: number): void => {
    const status = allocator.put(core, frame, order);
    if (status !== Ok) {
      throw new Error(
        `${bench} on ${allocator.name}: put(core ${core}, frame ${frame}, order ${order}) ` +
          `failed with ${allocErrorName(status)}`,
      );
    }
  };

  // One generator per core with the phases' loops written out in it: each step of a core is one
  // generator resumption and one iterator result, not two of each as with a yield* into a
  // generator per phase (a few percent of a frame benchmark's host time). Same yields, in the
  // same order, as the per-phase generators it replaced.
  function* program(core: number): Program {
    const base = core * allocs;
    for (let round = 0; round <= warmupRounds; round++) {
      if (bench === 'repeat') {
        const phase = timed('pair', round);
        yield barrier;
        phase?.begin(core);
        for (let i = 0; i < allocs; i++) {
          const frame = get(core, i);
          yield;
          put(core, frame);
          yield;
        }
        phase?.end(core, allocs);
        continue;
      }
      const allocPhase = timed('alloc', round);
      yield barrier;
      allocPhase?.begin(core);
      for (let i = 0; i < allocs; i++) {
        held[base + i] = get(core, i);
        yield;
      }
      allocPhase?.end(core, allocs);
      if (bench === 'rand') {
        yield barrier;
        if (core === 0) shuffle(held, random);
      }
      const freePhase = timed('free', round);
      yield barrier;
      freePhase?.begin(core);
      for (let i = 0; i < allocs; i++) {
        put(core, held[base + i]);
        yield;
      }
      freePhase?.end(core, allocs);
    }
  }

  return {
    program,
    phases: () => [...phases.values()].map((phase) => phase.result()),
  };
}

/** Uniform shuffle of every core's blocks (the artifact's core-0 swap loop). */
function shuffle(held: Float64Array, random: () => number): void {
  for (let i = held.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = held[i];
    held[i] = held[j];
    held[j] = swap;
  }
}
