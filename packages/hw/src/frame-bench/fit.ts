// Fitting an allocator's per-operation costs (fixed cycles per call that the line model does not
// see) to its FITTED published single-core figures. On one core nothing waits, so a simulated
// figure is close to linear in such costs: base (all fitted costs 0) plus, per cost, its unit
// response times its value. The fit measures base and unit responses with the calibration runs
// of calibration.ts, solves non-negative least squares on the relative errors, then re-measures
// at the solution and corrects the base by the residual (a fixed-point step for what is not
// linear, e.g. shared DRAM bandwidth), a few times. Invariants: only single-core runs and only
// figures with role 'fitted' are used; costs stay >= 0; prediction figures never enter the fit.

import { builtinProfile } from '../profile-loader.js';
import {
  type CalibrateOptions,
  type CalibrationRow,
  type CalibrationSubject,
  calibrate,
} from './calibration.js';

export interface FitOptions<K extends string> extends Omit<CalibrateOptions, 'roles'> {
  /** Names of the costs to fit. */
  names: readonly K[];
  /** The subject with these values of the fitted costs (the others held at their values). */
  subject(costs: Readonly<Record<K, number>>): CalibrationSubject;
  /** Residual corrections after the linear solve (default 2). */
  refinements?: number;
  /** Cycles of the probe that measures each unit response (default 100). */
  probeCycles?: number;
}

export interface FitResult<K extends string> {
  /** Fitted costs, rounded to whole cycles. */
  costs: Record<K, number>;
  /** The fitted rows measured with the rounded costs. */
  rows: CalibrationRow[];
}

const key = (r: CalibrationRow) => `${r.bench}/${r.order}/${r.op}`;

/** Fits `names` to the subject's fitted figures; see the header for the procedure. */
export function fitCosts<K extends string>(options: FitOptions<K>): FitResult<K> {
  const { names, refinements = 2, probeCycles = 100 } = options;
  if (names.length === 0) throw new RangeError('names [] must name at least one cost');
  if (!Number.isInteger(refinements) || refinements < 0) {
    throw new RangeError(`refinements ${refinements} must be a non-negative integer`);
  }
  if (!(probeCycles > 0)) throw new RangeError(`probeCycles ${probeCycles} must be > 0`);
  const calibrateOptions: CalibrateOptions = {
    bytesPerCore: options.bytesPerCore,
    seed: options.seed,
    profile: options.profile,
    roles: ['fitted'],
  };
  const costsOf = (values: readonly number[]) =>
    Object.fromEntries(names.map((name, i) => [name, values[i]])) as Record<K, number>;
  const measure = (values: readonly number[]) =>
    calibrate([options.subject(costsOf(values))], calibrateOptions);

  const zero = names.map(() => 0);
  const { published } = options.subject(costsOf(zero));
  const ghz = (options.profile ?? builtinProfile(published.profile)).frequencyGhz.value;
  const baseRows = measure(zero);
  if (baseRows.length === 0) {
    throw new RangeError(`subject ${published.allocator} has no fitted figures`);
  }
  const keys = baseRows.map(key);
  const targets = baseRows.map((r) => r.publishedNs * ghz);
  const cycles = (rows: CalibrationRow[]) => {
    const byKey = new Map(rows.map((r) => [key(r), r.simulatedCycles]));
    return keys.map((k) => byKey.get(k)!);
  };
  let base = cycles(baseRows);
  const unit = names.map((_, i) => {
    const probe = zero.map((_, m) => (m === i ? probeCycles : 0));
    return cycles(measure(probe)).map((c, j) => (c - base[j]) / probeCycles);
  });

  let solution = solveNonNegative(base, unit, targets);
  for (let step = 0; step < refinements; step++) {
    const measured = cycles(measure(solution));
    base = base.map((b, j) => b + measured[j] - predicted(base, unit, solution, j));
    solution = solveNonNegative(base, unit, targets);
  }
  const rounded = solution.map((c) => Math.round(c));
  return { costs: costsOf(rounded), rows: measure(rounded) };
}

function predicted(base: number[], unit: number[][], c: readonly number[], j: number): number {
  let sum = base[j];
  for (let i = 0; i < c.length; i++) sum += unit[i][j] * c[i];
  return sum;
}

/**
 * Minimises sum_j ((base_j + sum_i unit_ij c_i) / target_j - 1)^2 over c >= 0 by projected
 * coordinate descent (exact minimisation per coordinate; a handful of unknowns).
 */
export function solveNonNegative(
  base: readonly number[],
  unit: readonly (readonly number[])[],
  targets: readonly number[],
  sweeps = 10_000,
): number[] {
  const c = unit.map(() => 0);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let moved = 0;
    for (let i = 0; i < c.length; i++) {
      let num = 0;
      let den = 0;
      for (let j = 0; j < targets.length; j++) {
        const a = unit[i][j] / targets[j];
        let rest = base[j] / targets[j] - 1;
        for (let m = 0; m < c.length; m++) if (m !== i) rest += (unit[m][j] / targets[j]) * c[m];
        num -= a * rest;
        den += a * a;
      }
      const next = den > 0 ? Math.max(0, num / den) : 0;
      moved = Math.max(moved, Math.abs(next - c[i]));
      c[i] = next;
    }
    if (moved < 1e-9) break;
  }
  return c;
}
