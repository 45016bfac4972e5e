// The calibration of simulated LLFree: every FITTED row (bulk, which set LLFREE_LINUX_OP_COSTS)
// lies within 15 % of its published single-core figure at the calibration size, through the one
// frame-benchmark loop of @unimem/hw/frame-bench; PREDICTION rows are reported, not enforced.
// Simulated cycles are deterministic, so this is not a timing test.

import { calibrate, FITTED_TOLERANCE, fittedOutsideTolerance } from '@unimem/hw/frame-bench';
import { describe, expect, it } from 'vitest';
import { LLFREE_LINUX_OP_COSTS, publishedLLFree, simulatedLLFree } from '../src/index.js';

describe('calibration of simulated LLFree', () => {
  it('lands every fitted row within 15 % of its published figure', () => {
    const rows = calibrate([
      {
        create: (machine, options) => simulatedLLFree(machine, options),
        published: publishedLLFree,
      },
    ]);
    expect(rows.map((r) => `${r.bench} ${r.order} ${r.op} ${r.role}`)).toEqual(
      publishedLLFree.figures.map((f) => `${f.bench} ${f.order} ${f.op} ${f.role}`),
    );
    expect(rows.filter((r) => r.role === 'fitted')).toHaveLength(4);
    const off = fittedOutsideTolerance(rows).map(
      (r) => `${r.bench} o${r.order} ${r.op}: ${r.ratio.toFixed(3)}`,
    );
    expect(off, `outside ±${FITTED_TOLERANCE}`).toEqual([]);
  }, 120_000);

  it('charges the fitted per-call costs: without them bulk falls far below the figures', () => {
    const none = { getSmall: 0, putSmall: 0, getHuge: 0, putHuge: 0, source: 'none' };
    const rows = calibrate(
      [
        {
          create: (machine, options) => simulatedLLFree(machine, { ...options, costs: none }),
          published: publishedLLFree,
        },
      ],
      { roles: ['fitted'], bytesPerCore: 2 ** 26 },
    );
    for (const row of rows) expect(row.ratio).toBeLessThan(0.8);
    expect(LLFREE_LINUX_OP_COSTS.getSmall).toBeGreaterThan(0);
  }, 60_000);
});
