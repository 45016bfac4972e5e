// Whether a smaller run preserves the conclusions of a larger one: the ranking of systems per
// benchmark, metric, variant and core count. Two systems are ordered when one is lower than the
// other by more than a tolerance (default 10 %, the order of the seed spread of a single run); a
// flip is a pair ordered one way in the reference (e.g. `--full`) and the other way in the
// candidate (the quick sizes). Pairs within the tolerance in either run are ties, not flips: a
// quick run may blur a difference, but must not reverse one. Replicas are averaged first
// (`meanPoints`), which is also the form a stored reference keeps (scripts/ranking-reference.ts).

import { type Profile, resolveProfile } from '@unimem/hw';
import type { Point } from '../api.js';

/** A profile by name (for scripts outside the workspace packages, which cannot import @unimem/hw). */
export function profileNamed(name: string): Profile {
  return resolveProfile(name);
}

/** What a ranking needs of a point: where it belongs and its value. */
export type RankedPoint = Pick<
  Point,
  'bench' | 'system' | 'cores' | 'metric' | 'variant' | 'value'
>;

export interface RankingFlip {
  bench: string;
  metric: string;
  variant: string | null;
  cores: number;
  /** The system that is lower (better) in the reference… */
  lower: string;
  /** …than this one, while the candidate has the opposite order. */
  higher: string;
  reference: [number, number];
  candidate: [number, number];
}

export interface RankingComparison {
  /** Groups (bench, metric, variant, cores) present in both runs. */
  groups: number;
  /** Pairs of systems compared. */
  pairs: number;
  flips: RankingFlip[];
  /** Per group: systems in ascending order of value, reference and candidate. */
  orders: Array<{ key: string; reference: string[]; candidate: string[] }>;
}

function groupKey(p: RankedPoint): string {
  return `${p.bench} ${p.metric}${p.variant === null ? '' : ` ${p.variant}`} @${p.cores}`;
}

/** Mean value per group and system (replicas averaged). */
function means(points: readonly RankedPoint[]): Map<string, Map<string, number>> {
  const sums = new Map<string, Map<string, [number, number]>>();
  for (const p of points) {
    const key = groupKey(p);
    let group = sums.get(key);
    if (!group) sums.set(key, (group = new Map()));
    const entry = group.get(p.system) ?? [0, 0];
    entry[0] += p.value;
    entry[1] += 1;
    group.set(p.system, entry);
  }
  const out = new Map<string, Map<string, number>>();
  for (const [key, group] of sums) {
    out.set(key, new Map([...group].map(([system, [sum, n]]) => [system, sum / n])));
  }
  return out;
}

/** -1 if a is clearly lower than b, 1 if clearly higher, 0 within the tolerance. */
function order(a: number, b: number, tolerance: number): number {
  if (a < b * (1 - tolerance)) return -1;
  if (b < a * (1 - tolerance)) return 1;
  return 0;
}

/**
 * The variants a full-size reference must be made of so that the check compares like with like:
 * when the full sizes have variants the quick ones lack (bufmgr's workloads, tpch's 22 queries
 * against 4), the quick run's that the full run has too; else undefined (every variant).
 */
export function comparableVariants(
  quick: readonly string[],
  full: readonly string[],
): string[] | undefined {
  if (full.every((v) => quick.includes(v))) return undefined;
  return quick.filter((v) => full.includes(v));
}

/** One point per group and system, its value the mean of the replicas (seeds, iterations). */
export function meanPoints(points: readonly RankedPoint[]): RankedPoint[] {
  const samples = new Map<string, RankedPoint>();
  for (const p of points) samples.set(groupKey(p), p);
  const out: RankedPoint[] = [];
  for (const [key, group] of means(points)) {
    const { bench, metric, variant, cores } = samples.get(key)!;
    for (const [system, value] of group) out.push({ bench, metric, variant, cores, system, value });
  }
  return out;
}

export function compareRankings(
  reference: readonly RankedPoint[],
  candidate: readonly RankedPoint[],
  tolerance = 0.1,
): RankingComparison {
  if (!(tolerance >= 0 && tolerance < 1)) {
    throw new RangeError(`ranking tolerance ${tolerance} must be in [0, 1)`);
  }
  const ref = means(reference);
  const cand = means(candidate);
  const result: RankingComparison = { groups: 0, pairs: 0, flips: [], orders: [] };
  for (const [key, refGroup] of ref) {
    const candGroup = cand.get(key);
    if (!candGroup) continue;
    result.groups++;
    const systems = [...refGroup.keys()].filter((s) => candGroup.has(s)).sort();
    const sample = reference.find((p) => groupKey(p) === key)!;
    for (let i = 0; i < systems.length; i++) {
      for (let j = i + 1; j < systems.length; j++) {
        const [a, b] = [systems[i], systems[j]];
        result.pairs++;
        const r = order(refGroup.get(a)!, refGroup.get(b)!, tolerance);
        const c = order(candGroup.get(a)!, candGroup.get(b)!, tolerance);
        if (r !== 0 && c !== 0 && r !== c) {
          const [lower, higher] = r < 0 ? [a, b] : [b, a];
          result.flips.push({
            bench: sample.bench,
            metric: sample.metric,
            variant: sample.variant === null ? null : String(sample.variant),
            cores: sample.cores,
            lower,
            higher,
            reference: [refGroup.get(lower)!, refGroup.get(higher)!],
            candidate: [candGroup.get(lower)!, candGroup.get(higher)!],
          });
        }
      }
    }
    const sorted = (group: Map<string, number>) =>
      systems.slice().sort((x, y) => group.get(x)! - group.get(y)!);
    result.orders.push({ key, reference: sorted(refGroup), candidate: sorted(candGroup) });
  }
  return result;
}
