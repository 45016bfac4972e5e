// The calibration of the buddy allocator, through the one frame-benchmark loop and calibration
// of @unimem/hw/frame-bench: every FITTED row (bulk and repeat, which set buddy/costs.ts) within
// 15 % of its published single-core figure at the calibration size; the PREDICTION row (rand)
// reported, not enforced. Then the multi-core prediction: cores wait for the zone lock.
// Simulated cycles only (deterministic); no host timing.

import { builtinProfile } from '@unimem/hw';
import {
  calibrate,
  FITTED_TOLERANCE,
  fittedOutsideTolerance,
  perOp,
  phaseOf,
  runFrameBench,
} from '@unimem/hw/frame-bench';
import { describe, expect, it } from 'vitest';
import { buddySubject, publishedBuddy } from '../src/index.js';

const xeon = builtinProfile('xeon-gold-5320');

describe('calibration of the buddy allocator', () => {
  it('lands every fitted row within 15 % of its published figure', () => {
    const rows = calibrate([buddySubject()]);
    expect(rows.map((r) => `${r.bench} ${r.order} ${r.op} ${r.role}`)).toEqual(
      publishedBuddy.figures.map((f) => `${f.bench} ${f.order} ${f.op} ${f.role}`),
    );
    expect(rows.filter((r) => r.role === 'prediction').map((r) => r.bench)).toEqual(['rand']);
    const off = fittedOutsideTolerance(rows).map(
      (r) => `${r.bench} o${r.order} ${r.op}: ${r.ratio.toFixed(3)}`,
    );
    expect(off, `outside ±${FITTED_TOLERANCE}`).toEqual([]);
  }, 120_000);

  it('is deterministic for a seed', () => {
    const small = { bytesPerCore: 2 ** 22, seed: 7 };
    expect(calibrate([buddySubject()], small)).toEqual(calibrate([buddySubject()], small));
  });

  it('depends on the fitted costs (a zero cost table misses the fitted figures)', () => {
    const zero = { allocCycles: 0, freeCycles: 0, tailCheckCycles: 0, tailFreeCycles: 0 };
    const rows = calibrate([buddySubject(zero)], { roles: ['fitted'], bytesPerCore: 2 ** 24 });
    expect(fittedOutsideTolerance(rows).length).toBeGreaterThan(0);
  });
});

describe('multi-core prediction', () => {
  it('makes cores wait for the zone lock, not the single core', () => {
    const bulk = (cores: number) =>
      phaseOf(
        runFrameBench(buddySubject().create, {
          bench: 'bulk',
          order: 0,
          cores,
          allocs: 4096,
          profile: xeon,
        }),
        'alloc',
      );
    const one = bulk(1);
    const four = bulk(4);
    expect(perOp(one, 'lockWaitCycles')).toBe(0);
    expect(perOp(one, 'lineTransfers')).toBe(0);
    expect(perOp(four, 'lockWaitCycles')).toBeGreaterThan(0);
    expect(perOp(four, 'lineTransfers')).toBeGreaterThan(0);
    expect(four.cycles).toBeGreaterThan(one.cycles);
    expect(bulk(4)).toEqual(four);
  });
});
