// Calibration of simulated LLFree (`pnpm --filter @unimem/llfree bench:calibration [--fit]`):
// the LLFree artifact's single-core benchmarks through the one frame-benchmark loop of
// @unimem/hw/frame-bench on xeon-gold-5320, simulated vs published ns per operation. Rows with
// role `fitted` (bulk) set LLFREE_LINUX_OP_COSTS (src/simulated.ts); `prediction` rows (repeat,
// rand) were never used to fit. `--fit` re-runs the fit of the four per-call costs and prints
// the values to write into simulated.ts. All figures are simulated cycles: deterministic.

import {
  type CalibrationSubject,
  calibrate,
  calibrationLines,
  fitCosts,
  fittedOutsideTolerance,
} from '@unimem/hw/frame-bench';
import { LLFREE_LINUX_OP_COSTS, publishedLLFree, simulatedLLFree } from '../src/index.js';

const subject = (costs = LLFREE_LINUX_OP_COSTS): CalibrationSubject => ({
  create: (machine, options) => simulatedLLFree(machine, { ...options, costs }),
  published: publishedLLFree,
});

if (process.argv.includes('--fit')) {
  const fit = fitCosts({
    names: ['getSmall', 'putSmall', 'getHuge', 'putHuge'] as const,
    subject: (c) => subject({ ...c, source: 'fit' }),
  });
  console.log('LLFREE_LINUX_OP_COSTS fitted (cycles per call):', fit.costs);
  for (const line of calibrationLines(fit.rows)) console.log(`  ${line}`);
} else {
  console.log(
    `calibration of simulated LLFree on ${publishedLLFree.profile}, 1 core, 1 GiB per core`,
  );
  console.log(`  published: ${publishedLLFree.source}`);
  const rows = calibrate([subject()]);
  for (const line of calibrationLines(rows)) console.log(`  ${line}`);
  const off = fittedOutsideTolerance(rows);
  console.log(
    off.length === 0
      ? '  every fitted row is within 15 % of its published figure; predictions are not fitted.'
      : `  ${off.length} fitted row(s) outside 15 %: run with --fit and update simulated.ts`,
  );
}
