// The one frame-benchmark loop and the one calibration: phases measure exactly what the
// allocator charged while they ran (warm-up rounds excluded), rand frees other cores' blocks,
// calibration rows carry their role and ratio, and the fit recovers known per-call costs.
// Simulated cycles only; no host timing.

import { type FrameAllocator, ReferenceFrameAllocator } from '@unimem/core';
import { describe, expect, it } from 'vitest';
import {
  artifactAllocs,
  type CalibrationSubject,
  calibrate,
  calibrationLines,
  FRAME_BENCH_WARMUP_ROUNDS,
  type FrameAllocatorFactory,
  fitCosts,
  fittedOutsideTolerance,
  type PublishedFigures,
  perOp,
  phaseOf,
  runFrameBench,
  solveNonNegative,
} from '../src/frame-bench/index.js';
import { builtinProfile, type Machine } from '../src/index.js';

/** A reference allocator that charges fixed cycles per call and counts its calls. */
class Charging implements FrameAllocator {
  readonly name = 'charging';
  readonly maxOrder: number;
  readonly cores: number;
  gets = 0;
  puts = 0;
  /** core that allocated each frame */
  readonly owner = new Map<number, number>();
  /** (allocating core, freeing core) pairs seen by put */
  crossFrees = 0;

  constructor(
    private readonly inner: FrameAllocator,
    private readonly machine: Machine,
    private readonly getCycles: (order: number) => number,
    private readonly putCycles: (order: number) => number,
  ) {
    this.maxOrder = inner.maxOrder;
    this.cores = inner.cores;
  }
  get(core: number, order: number) {
    this.gets++;
    this.machine.charge(this.getCycles(order), core);
    const frame = this.inner.get(core, order);
    if (frame >= 0) this.owner.set(frame, core);
    return frame;
  }
  put(core: number, frame: number, order: number) {
    this.puts++;
    if (this.owner.get(frame) !== core) this.crossFrees++;
    this.machine.charge(this.putCycles(order), core);
    return this.inner.put(core, frame, order);
  }
  drain() {}
  freeFrames() {
    return this.inner.freeFrames();
  }
  totalFrames() {
    return this.inner.totalFrames();
  }
  isFree(frame: number, order: number) {
    return this.inner.isFree(frame, order);
  }
  metadataBytes() {
    return 0;
  }
}

const xeon = builtinProfile('xeon-gold-5320');
let last: Charging | undefined;
const charging =
  (get: (order: number) => number, put: (order: number) => number): FrameAllocatorFactory =>
  (machine, { frames, cores }) => {
    last = new Charging(new ReferenceFrameAllocator({ frames, cores }), machine, get, put);
    return last;
  };

describe('the frame-benchmark loop', () => {
  const create = charging(
    () => 40,
    () => 70,
  );

  it('times exactly the charged cycles of each phase, warm-up excluded', () => {
    const bulk = runFrameBench(create, { bench: 'bulk', order: 0, cores: 3, allocs: 100 });
    expect(bulk.phases.map((p) => p.op)).toEqual(['alloc', 'free']);
    expect(phaseOf(bulk, 'alloc').cycles).toBe(40);
    expect(phaseOf(bulk, 'free').cycles).toBe(70);
    expect(phaseOf(bulk, 'alloc').ops).toBe(300);
    expect(last!.gets).toBe((FRAME_BENCH_WARMUP_ROUNDS + 1) * 300);
    const repeat = runFrameBench(create, { bench: 'repeat', order: 0, cores: 2, allocs: 50 });
    expect(repeat.phases.map((p) => [p.op, p.cycles])).toEqual([['pair', 110]]);
    expect(repeat.frames).toBe(1024);
    const cold = runFrameBench(create, {
      bench: 'bulk',
      order: 0,
      cores: 1,
      allocs: 10,
      warmupRounds: 0,
    });
    expect(last!.gets).toBe(10);
    expect(phaseOf(cold, 'alloc').cycles).toBe(40);
  });

  it('rand times only the free, of blocks shuffled across cores', () => {
    const rand = runFrameBench(create, { bench: 'rand', order: 0, cores: 4, allocs: 256 });
    expect(rand.phases.map((p) => [p.op, p.cycles])).toEqual([['free', 70]]);
    // Each warm-up and timed round frees about 3/4 of the blocks on a core that did not get them.
    const rounds = FRAME_BENCH_WARMUP_ROUNDS + 1;
    expect(last!.crossFrees).toBeGreaterThan(rounds * 1024 * 0.6);
    const again = runFrameBench(create, { bench: 'rand', order: 0, cores: 4, allocs: 256 });
    expect(again).toEqual(rand);
    expect(() => phaseOf(rand, 'alloc')).toThrow(/op "alloc" is not timed by rand/);
  });

  it('reports the model counters and extra counters of a phase', () => {
    const create = (machine: Machine, options: { frames: number; cores: number }) => {
      const allocator = charging(
        () => 5,
        () => 5,
      )(machine, options);
      const lines = machine.lines.allocLines(1, 'shared');
      return {
        ...allocator,
        name: allocator.name,
        maxOrder: allocator.maxOrder,
        cores: allocator.cores,
        get: (core: number, order: number) => {
          machine.lines.rmw(lines);
          return allocator.get(core, order);
        },
        put: (core: number, frame: number, order: number) => allocator.put(core, frame, order),
      } as FrameAllocator;
    };
    const result = runFrameBench(create, { bench: 'bulk', order: 0, cores: 2, allocs: 64 });
    expect(perOp(phaseOf(result, 'alloc'), 'lineTransfers')).toBeGreaterThan(0);
    expect(perOp(phaseOf(result, 'free'), 'lineTransfers')).toBe(0);
    expect(phaseOf(result, 'alloc').cycles).toBeGreaterThan(5);
  });

  it('rejects bad options with a RangeError naming them, and names failed calls', () => {
    const bad = [
      [{ bench: 'nope' as 'bulk' }, /bench "nope"/],
      [{ cores: 0 }, /cores 0/],
      [{ allocs: 1.5 }, /allocs 1.5/],
      [{ order: -1 }, /order -1/],
      [{ warmupRounds: -1 }, /warmupRounds -1/],
    ] as const;
    for (const [override, message] of bad) {
      expect(() =>
        runFrameBench(create, { bench: 'bulk', order: 0, cores: 1, allocs: 1, ...override }),
      ).toThrow(message);
    }
    expect(() =>
      runFrameBench(create, { bench: 'bulk', order: 0, cores: 2, allocs: 1000, frames: 1024 }),
    ).toThrow(/bulk on charging: get\(core \d, order 0\) failed with Memory after \d+ allocations/);
  });

  it('sizes runs by the artifact rule', () => {
    expect(artifactAllocs(8 * 2 ** 30, 64, 0)).toBe((8 * 512 * 512) / 64 / 2);
    expect(artifactAllocs(60 * 2 ** 30, 64, 9)).toBe(Math.floor((60 * 512 * 512) / 64 / 2 / 512));
  });
});

const figures = (get0: number, put0: number, get9: number): PublishedFigures => ({
  allocator: 'charging',
  profile: 'xeon-gold-5320',
  source: 'test figures',
  figures: [
    { bench: 'bulk', order: 0, op: 'alloc', ns: get0, role: 'fitted' },
    { bench: 'bulk', order: 0, op: 'free', ns: put0, role: 'fitted' },
    { bench: 'bulk', order: 9, op: 'alloc', ns: get9, role: 'fitted' },
    { bench: 'repeat', order: 0, op: 'pair', ns: 100, role: 'prediction' },
  ],
});

describe('calibration', () => {
  const ghz = xeon.frequencyGhz.value;
  const subject = (get0: number, put0: number, get9: number): CalibrationSubject => ({
    create: charging(
      (order) => (order >= 9 ? get9 : get0),
      () => put0,
    ),
    published: figures(50, 60, 400),
  });

  it('gives one row per figure with role, ratio and source', () => {
    const rows = calibrate([subject(110, 132, 880)], { bytesPerCore: 2 ** 24 });
    expect(rows.map((r) => `${r.bench} ${r.order} ${r.op} ${r.role}`)).toEqual([
      'bulk 0 alloc fitted',
      'bulk 0 free fitted',
      'bulk 9 alloc fitted',
      'repeat 0 pair prediction',
    ]);
    for (const row of rows) {
      expect(row.allocator).toBe('charging');
      expect(row.profile).toBe('xeon-gold-5320');
      expect(row.simulatedNs).toBeCloseTo(row.simulatedCycles / ghz, 9);
      expect(row.ratio).toBeCloseTo(row.simulatedNs / row.publishedNs, 9);
      expect(row.source).toBe('test figures');
    }
    expect(rows[0].simulatedCycles).toBe(110);
    expect(rows[3].simulatedCycles).toBe(110 + 132);
    expect(fittedOutsideTolerance(rows)).toEqual([]);
    expect(calibrationLines(rows)).toHaveLength(5);
    expect(calibrationLines(rows)[0]).toMatch(
      /^allocator\s+bench\s+order\s+op\s+role\s+sim cycles/,
    );
  });

  it('flags fitted rows off by more than the tolerance, never predictions', () => {
    const rows = calibrate([subject(110, 200, 880)], { bytesPerCore: 2 ** 24 });
    expect(fittedOutsideTolerance(rows).map((r) => `${r.bench} ${r.order} ${r.op}`)).toEqual([
      'bulk 0 free',
    ]);
    const onlyPredictions = calibrate([subject(1, 1, 1)], {
      bytesPerCore: 2 ** 24,
      roles: ['prediction'],
    });
    expect(onlyPredictions.map((r) => r.role)).toEqual(['prediction']);
    expect(fittedOutsideTolerance(onlyPredictions)).toEqual([]);
  });

  it('fits per-call costs to the fitted figures only', () => {
    // The allocator does 20 cycles of its own work per get; the fit must add the rest.
    const fit = fitCosts({
      names: ['get0', 'put0', 'get9'] as const,
      bytesPerCore: 2 ** 24,
      subject: (c) => ({
        create: charging(
          (order) => 20 + (order >= 9 ? c.get9 : c.get0),
          () => c.put0,
        ),
        published: figures(50, 60, 400),
      }),
    });
    expect(fit.costs).toEqual({
      get0: Math.round(50 * ghz - 20),
      put0: Math.round(60 * ghz),
      get9: Math.round(400 * ghz - 20),
    });
    expect(fit.rows.map((r) => r.role)).toEqual(['fitted', 'fitted', 'fitted']);
    expect(fittedOutsideTolerance(fit.rows, 0.01)).toEqual([]);
  });

  it('solves non-negative least squares', () => {
    // One cost, two rows wanting +10 and +30 cycles of a unit response 1: the relative errors
    // balance between them; a negative solution is clipped to 0.
    const [c] = solveNonNegative([0, 0], [[1, 1]], [10, 30]);
    // d/dc [(c/10 - 1)^2 + (c/30 - 1)^2] = 0  =>  c = (1/10 + 1/30) / (1/100 + 1/900) = 12.
    expect(c).toBeCloseTo(12, 6);
    expect(solveNonNegative([50], [[1]], [10])).toEqual([0]);
  });
});
