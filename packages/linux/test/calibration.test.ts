// The simulated calibration: deterministic, within 25 % of the published single-core buddy
// figures (what the cost table was fitted for), and generic over FrameAllocators (LLFree runs
// through the same benchmark programs). Simulated cycles only; no host timing.

import { builtinProfile, TracedWords } from '@unimem/hw';
import { LLFree } from '@unimem/llfree';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buddySubject,
  type CalibrationRow,
  type CalibrationSubject,
  calibrate,
  predictBulkScaling,
  publishedBuddy,
  publishedLLFree,
  runFrameBench,
} from '../src/index.js';

const xeon = builtinProfile('xeon-gold-5320');
const llfree: CalibrationSubject = {
  name: 'llfree',
  create: (machine, { frames, cores }) =>
    LLFree.create({ frames, cores, words: (buffer) => new TracedWords(machine, buffer) }),
  published: publishedLLFree,
};

describe('calibrate', () => {
  // 256 MiB per core keeps the test short; the struct pages still overflow the private cache.
  let rows: CalibrationRow[] = [];
  beforeAll(() => {
    rows = calibrate({ bytesPerCore: 2 ** 28 });
  });

  it('reports every published buddy figure', () => {
    expect(rows.map((r) => `${r.bench} ${r.order} ${r.op}`)).toEqual(
      publishedBuddy.map((f) => `${f.bench} ${f.order} ${f.op}`),
    );
    for (const row of rows) {
      expect(row.allocator).toBe('buddy');
      expect(row.simulatedNs).toBeCloseTo(row.simulatedCycles / 2.2, 9);
      expect(row.ratio).toBeCloseTo(row.simulatedNs / row.publishedNs, 9);
    }
  });

  it('lands within 25 % of the published bulk and repeat figures', () => {
    for (const row of rows.filter((r) => r.bench !== 'rand')) {
      expect(row.ratio, `${row.bench} o${row.order} ${row.op}`).toBeGreaterThan(0.75);
      expect(row.ratio, `${row.bench} o${row.order} ${row.op}`).toBeLessThan(1.25);
    }
  });

  it('predicts rand (not fitted) within 50 %', () => {
    const rand = rows.find((r) => r.bench === 'rand')!;
    expect(rand.ratio).toBeGreaterThan(0.5);
    expect(rand.ratio).toBeLessThan(1.5);
  });

  it('is deterministic', () => {
    expect(calibrate({ bytesPerCore: 2 ** 22 })).toEqual(calibrate({ bytesPerCore: 2 ** 22 }));
    const a = calibrate({ bytesPerCore: 2 ** 22, seed: 7 });
    expect(a).toEqual(calibrate({ bytesPerCore: 2 ** 22, seed: 7 }));
  });

  it('runs LLFree through the same benchmarks', () => {
    const llfreeRows = calibrate({ bytesPerCore: 2 ** 24, subjects: [llfree] });
    expect(llfreeRows).toHaveLength(publishedLLFree.length);
    for (const row of llfreeRows) {
      expect(row.allocator).toBe('llfree');
      expect(row.simulatedCycles).toBeGreaterThan(0);
      expect(row.publishedNs).toBe(
        publishedLLFree.find(
          (f) => f.bench === row.bench && f.order === row.order && f.op === row.op,
        )!.ns,
      );
    }
  });
});

describe('multi-core prediction', () => {
  it('makes cores wait for the zone lock, not the single core', () => {
    const [one, four] = predictBulkScaling({
      profile: xeon,
      coreCounts: [1, 4],
      bytesPerCore: 2 ** 24,
    });
    expect(one.alloc.lockWaitCycles).toBe(0);
    expect(one.alloc.lineTransfers).toBe(0);
    expect(four.alloc.lockWaitCycles).toBeGreaterThan(0);
    expect(four.alloc.lineTransfers).toBeGreaterThan(0);
    expect(four.alloc.cycles).toBeGreaterThan(one.alloc.cycles);
    expect(predictBulkScaling({ profile: xeon, coreCounts: [4], bytesPerCore: 2 ** 24 })).toEqual([
      four,
    ]);
  });
});

describe('runFrameBench', () => {
  const create = buddySubject().create;

  it('rejects bad options with a RangeError naming them', () => {
    expect(() => runFrameBench(create, { bench: 'bulk', order: 0, cores: 0, allocs: 1 })).toThrow(
      /cores 0/,
    );
    expect(() => runFrameBench(create, { bench: 'bulk', order: 0, cores: 1, allocs: 0 })).toThrow(
      /allocs 0/,
    );
    expect(() =>
      runFrameBench(create, { bench: 'nope' as 'bulk', order: 0, cores: 1, allocs: 1 }),
    ).toThrow(/bench "nope"/);
    expect(() =>
      runFrameBench(create, { bench: 'bulk', order: 0, cores: 1, allocs: 1, warmupRounds: -1 }),
    ).toThrow(/warmupRounds -1/);
  });

  it('fails loudly when memory is too small for the run', () => {
    expect(() =>
      runFrameBench(create, { bench: 'bulk', order: 0, cores: 2, allocs: 1000, frames: 1024 }),
    ).toThrow(/get\(\d, 0\) #\d+ failed with -1/);
  });

  it('times each phase separately: bulk alloc and free, repeat pairs', () => {
    const bulk = runFrameBench(create, {
      bench: 'bulk',
      order: 0,
      cores: 2,
      allocs: 512,
      profile: xeon,
    });
    expect(Object.keys(bulk.phases).sort()).toEqual(['alloc', 'free']);
    const repeat = runFrameBench(create, {
      bench: 'repeat',
      order: 0,
      cores: 1,
      allocs: 512,
      profile: xeon,
    });
    expect(Object.keys(repeat.phases)).toEqual(['pair']);
    expect(repeat.frames).toBe(1024);
  });
});
