// Fits the buddy allocator's per-operation costs (src/buddy/costs.ts) to its FITTED published
// single-core figures (src/published.ts) with the one fit of @unimem/hw/frame-bench:
// `pnpm --filter @unimem/linux exec tsx bench/fit-costs.ts`. The costs named in FITTED are
// solved for; the others stay at their table values (estimates). It prints the solution and the
// fitted rows it gives; the values are then written into costs.ts (whole cycles, except the
// per-tail-page costs, which the fit resolves to a hundredth of a cycle by scaling).

import { calibrationLines, fitCosts } from '@unimem/hw/frame-bench';
import { type BuddyCosts, buddySubject, defaultBuddyCosts } from '../src/index.js';

/** Per-tail-page costs are charged 511 times per huge block: fit them in 1/100 cycles. */
const SCALED: ReadonlyArray<keyof BuddyCosts> = ['tailCheckCycles', 'tailFreeCycles'];
const SCALE = 100;
const FITTED = ['allocCycles', 'freeCycles', 'tailCheckCycles', 'tailFreeCycles'] as const;

const fit = fitCosts({
  names: FITTED,
  subject: (c) =>
    buddySubject(
      Object.fromEntries(
        FITTED.map((name) => [name, SCALED.includes(name) ? c[name] / SCALE : c[name]]),
      ),
    ),
});
console.log('held at their table values:');
for (const [name, value] of Object.entries(defaultBuddyCosts)) {
  if (!(FITTED as readonly string[]).includes(name)) console.log(`  ${name} = ${value}`);
}
console.log('fitted:');
for (const name of FITTED) {
  const value = SCALED.includes(name) ? fit.costs[name] / SCALE : fit.costs[name];
  console.log(`  ${name} = ${value}`);
}
for (const line of calibrationLines(fit.rows)) console.log(line);
