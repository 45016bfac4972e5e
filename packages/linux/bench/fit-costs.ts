// Fits the buddy allocator's per-operation costs (src/buddy/costs.ts) to the published
// single-core figures: `pnpm --filter @unimem/linux exec tsx bench/fit-costs.ts`.
//
// On one core nothing waits, so a simulated figure is linear in the cost table: the line-model
// cycles (all costs 0) plus, per cost, its event count per operation times its value. The
// script measures that base and each cost's unit response with the calibration benchmarks, then
// solves non-negative least squares on the relative errors for the costs named in FITTED,
// holding the others at their table values (estimates). It prints the solution and the rows it
// gives; the values are then written into costs.ts by hand, rounded.

import { builtinProfile } from '@unimem/hw';
import {
  BuddyAllocator,
  type BuddyCosts,
  CALIBRATION_RUNS,
  type CalibrationRow,
  calibrate,
  defaultBuddyCosts,
  profileTuning,
  publishedBuddy,
} from '../src/index.js';

const FITTED: ReadonlyArray<keyof BuddyCosts> = [
  'allocCycles',
  'freeCycles',
  'tailCheckCycles',
  'tailFreeCycles',
];
/** Rows the fit minimises over (rand o0 free is kept as a check). */
const TARGETS = publishedBuddy.filter((f) => f.bench !== 'rand');
const profile = builtinProfile('xeon-gold-5320');
const bytesPerCore = process.argv.includes('--quick') ? 2 ** 28 : 2 ** 30;

function run(costs: BuddyCosts): CalibrationRow[] {
  return calibrate({
    profile,
    bytesPerCore,
    subjects: [
      {
        name: 'buddy',
        create: (machine, { frames, cores }) =>
          new BuddyAllocator({ frames, cores, machine, costs, tuning: profileTuning(profile) }),
        published: publishedBuddy,
      },
    ],
  });
}

const key = (r: { bench: string; order: number; op: string }) => `${r.bench} o${r.order} ${r.op}`;
const cyclesOf = (rows: CalibrationRow[]) => new Map(rows.map((r) => [key(r), r.simulatedCycles]));

const fixed: BuddyCosts = { ...defaultBuddyCosts };
for (const name of FITTED) fixed[name] = 0;
const base = cyclesOf(run(fixed));
const unit = FITTED.map((name) => {
  const costs = { ...fixed, [name]: 1 };
  const response = cyclesOf(run(costs));
  return new Map([...response].map(([k, v]) => [k, v - base.get(k)!]));
});
const ghz = profile.frequencyGhz.value;

// Rows j: minimise sum_j ((base_j + sum_i A_ji c_i) / target_j - 1)^2 with c >= 0, by
// projected coordinate descent (a handful of unknowns, exact per-coordinate minimisation).
const rows = TARGETS.map((t) => ({ k: key(t), target: t.ns * ghz }));
const c = FITTED.map(() => 0);
for (let sweep = 0; sweep < 10000; sweep++) {
  for (let i = 0; i < c.length; i++) {
    let num = 0;
    let den = 0;
    for (const { k, target } of rows) {
      const a = unit[i].get(k)! / target;
      let rest = base.get(k)! / target - 1;
      for (let m = 0; m < c.length; m++) if (m !== i) rest += (unit[m].get(k)! / target) * c[m];
      num -= a * rest;
      den += a * a;
    }
    c[i] = den > 0 ? Math.max(0, num / den) : 0;
  }
}
console.log(`fit on ${profile.name} (${bytesPerCore / 2 ** 20} MiB per core), fixed:`);
for (const [name, value] of Object.entries(fixed)) {
  if (!FITTED.includes(name as keyof BuddyCosts)) console.log(`  ${name} = ${value}`);
}
console.log('solution:');
for (const [i, name] of FITTED.entries()) console.log(`  ${name} = ${c[i].toFixed(2)}`);
console.log('rows (cycles): base + fitted → published, ratio');
for (const { bench, order, op } of CALIBRATION_RUNS.flatMap((r) =>
  r.ops.map((op) => ({ ...r, op })),
)) {
  const k = key({ bench, order, op });
  let cycles = base.get(k)!;
  FITTED.forEach((_, i) => {
    cycles += unit[i].get(k)! * c[i];
  });
  const target = publishedBuddy.find((f) => key(f) === k)!.ns * ghz;
  console.log(
    `  ${k.padEnd(16)} ${base.get(k)!.toFixed(1).padStart(8)} ${cycles.toFixed(1).padStart(8)}` +
      ` → ${target.toFixed(1).padStart(8)}  ${(cycles / target).toFixed(3)}`,
  );
}
