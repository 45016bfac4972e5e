// The LLFree paper's frame-allocator benchmarks as simulated programs, for any FrameAllocator
// built by a factory on a Machine (definitions: shared/reference/llfree.md §5):
// - bulk: each core allocates `allocs` blocks, barrier, frees them in allocation order;
// - repeat: each core allocates and immediately frees one block, `allocs` times;
// - rand: each core allocates `allocs` blocks, core 0 shuffles all of them, each core frees its
//   shuffled share (only the free is timed in the paper).
// Each runs `warmupRounds` untimed rounds first (the paper's kernel module runs several
// iterations on a live allocator, so struct pages and metadata are not cold on first use), then
// one timed round. Phases are separated by barriers; a phase's cycles per operation is the mean
// over cores of that core's clock advance divided by its operations, and its counters (lock
// wait, line transfers) are the machine's totals over the phase divided by all operations.

import { mulberry32, Ok } from '@unimem/core';
import { defaultProfile, Machine, type Profile, type SimBarrier } from '@unimem/hw';
import type { FrameAllocatorFactory } from '../api.js';
import type { FrameBenchName, FrameBenchOp } from '../published.js';

export interface FrameBenchOptions {
  bench: FrameBenchName;
  order: number;
  /** Cores running the benchmark (cores 0..cores-1 of the machine). */
  cores: number;
  /** Blocks each core allocates (bulk, rand), or alloc+free pairs it runs (repeat). */
  allocs: number;
  /**
   * Frames of the allocator. Default: twice what all cores hold at once (the paper allocates
   * half of memory), rounded up to 4 MiB.
   */
  frames?: number;
  /** Untimed rounds before the timed one (default 1). */
  warmupRounds?: number;
  /** Machine profile (default: the default profile). */
  profile?: Profile;
  /** Seed of the machine's tie-breaking and of rand's shuffle (default 1). */
  seed?: number;
}

/** One timed phase: per operation, averaged over the participating cores. */
export interface PhaseResult {
  /** Simulated cycles per operation (mean over cores of clock advance / operations). */
  cycles: number;
  /** The same in nanoseconds at the profile's clock. */
  ns: number;
  /** Machine-wide lock wait (lockWaitCycles counter) per operation. */
  lockWaitCycles: number;
  /** Cache-line transfers between cores per operation. */
  lineTransfers: number;
  /** Cycles spent waiting for a line another core was using, per operation. */
  lineWaitCycles: number;
}

export interface FrameBenchResult {
  allocator: string;
  profile: string;
  bench: FrameBenchName;
  order: number;
  cores: number;
  allocs: number;
  frames: number;
  /** bulk and rand: alloc and free; repeat: pair. */
  phases: Partial<Record<FrameBenchOp, PhaseResult>>;
}

interface Phase {
  op: FrameBenchOp;
  start: Float64Array;
  end: Float64Array;
  counters?: Record<string, number>;
  totals?: Record<string, number>;
}

/** Runs one benchmark on a fresh machine and allocator; throws if an allocation fails. */
export function runFrameBench(
  create: FrameAllocatorFactory,
  options: FrameBenchOptions,
): FrameBenchResult {
  const { bench, order, cores, allocs, warmupRounds = 1, seed = 1 } = options;
  const profile = options.profile ?? defaultProfile;
  if (!['bulk', 'repeat', 'rand'].includes(bench)) {
    throw new RangeError(`bench "${bench}" must be bulk, repeat or rand`);
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
  const blocks = bench === 'repeat' ? 1 : allocs;
  const frames = options.frames ?? Math.ceil((2 * cores * blocks * 2 ** order) / 1024) * 1024;
  const machine = new Machine({ profile, cores, seed });
  const allocator = create(machine, { frames, cores });
  const barrier = machine.barrier(cores);
  const held = new Int32Array(cores * allocs);
  const shuffle = mulberry32(seed);
  const timed: Phase[] = (bench === 'repeat' ? ['pair'] : ['alloc', 'free']).map((op) => ({
    op: op as FrameBenchOp,
    start: new Float64Array(cores),
    end: new Float64Array(cores),
  }));

  /** Barrier; then the phase's start: the first core through takes the counters. */
  function* begin(core: number, phase: Phase | undefined): Generator<SimBarrier, void> {
    yield barrier;
    if (phase === undefined) return;
    phase.counters ??= machine.counters.totals();
    phase.start[core] = machine.now(core);
  }

  function* end(core: number, phase: Phase | undefined): Generator<SimBarrier, void> {
    if (phase !== undefined) phase.end[core] = machine.now(core);
    yield barrier;
    if (phase !== undefined) phase.totals ??= machine.counters.totals();
  }

  const get = (core: number, i: number) => {
    const frame = allocator.get(core, order);
    if (frame < 0) {
      throw new Error(
        `${allocator.name}: get(${core}, ${order}) #${i} failed with ${frame} in ${bench} ` +
          `(${frames} frames for ${cores} cores x ${allocs} blocks)`,
      );
    }
    return frame;
  };
  const put = (core: number, frame: number) => {
    const status = allocator.put(core, frame, order);
    if (status !== Ok)
      throw new Error(`${allocator.name}: put(${core}, ${frame}, ${order}) = ${status}`);
  };

  function* program(core: number) {
    const base = core * allocs;
    for (let round = 0; round <= warmupRounds; round++) {
      const last = round === warmupRounds;
      if (bench === 'repeat') {
        yield* begin(core, last ? timed[0] : undefined);
        for (let i = 0; i < allocs; i++) {
          put(core, get(core, i));
          yield;
        }
        yield* end(core, last ? timed[0] : undefined);
        continue;
      }
      const [allocPhase, freePhase] = last ? timed : [undefined, undefined];
      yield* begin(core, allocPhase);
      for (let i = 0; i < allocs; i++) {
        held[base + i] = get(core, i);
        yield;
      }
      yield* end(core, allocPhase);
      if (bench === 'rand') {
        if (core === 0) shuffleAll(held, shuffle);
        yield barrier;
      }
      yield* begin(core, freePhase);
      for (let i = 0; i < allocs; i++) {
        put(core, held[base + i]);
        yield;
      }
      yield* end(core, freePhase);
    }
  }

  machine.run((core) => program(core), { cores });
  const frequency = profile.frequencyGhz.value;
  const result: FrameBenchResult = {
    allocator: allocator.name,
    profile: profile.name,
    bench,
    order,
    cores,
    allocs,
    frames,
    phases: {},
  };
  for (const done of timed) {
    let sum = 0;
    for (let core = 0; core < cores; core++) sum += done.end[core] - done.start[core];
    const cycles = sum / cores / allocs;
    const ops = cores * allocs;
    const delta = (name: string) => ((done.totals![name] ?? 0) - (done.counters![name] ?? 0)) / ops;
    result.phases[done.op] = {
      cycles,
      ns: cycles / frequency,
      lockWaitCycles: delta('lockWaitCycles'),
      lineTransfers: delta('lineTransfers'),
      lineWaitCycles: delta('lineWaitCycles'),
    };
  }
  return result;
}

/** Fisher-Yates over all blocks of all cores (the paper's core 0 shuffle). */
function shuffleAll(held: Int32Array, random: () => number): void {
  for (let i = held.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = held[i];
    held[i] = held[j];
    held[j] = t;
  }
}
