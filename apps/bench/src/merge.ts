// Joining the result sets of the shards of one sweep. They must belong to the same sweep (same
// id: same benchmarks and parameters, systems, cases, seed, profile, scale, order), no case may
// come from two of them, and together they must cover every case; otherwise a UsageError names
// what differs, which case is duplicated, or which cases are missing and which shard runs them.
// Inside each shard, every point must belong to a case the shard ran (same benchmark, system
// and cores as the sweep's case), appear once, and match the digest written with the points
// (digest.ts), so that an edited or hand-assembled shard is refused rather than merged.

import type { Case, Point, ResultSet } from './api.js';
import { pointsDigest, type SealedMeta } from './digest.js';
import { withProjections } from './replay/projection.js';
import { listOf, UsageError } from './usage-error.js';

export interface Origin {
  path: string;
  set: ResultSet;
}

function describeCase(entry: Case): string {
  return `${entry.bench}/${entry.system}${entry.variant === undefined ? '' : `/${entry.variant}`}@${entry.cores}`;
}

/** The first field that differs between two sweeps, for the mismatch message. */
function difference(a: ResultSet, b: ResultSet): string {
  const x = a.meta.sweep;
  const y = b.meta.sweep;
  const fields: Array<[string, unknown, unknown]> = [
    ['seed', x.seed, y.seed],
    ['scale', x.scale, y.scale],
    ['order', x.order, y.order],
    ['full', x.full, y.full],
    ['profile', x.profile.name, y.profile.name],
    [
      'benchmarks',
      x.benchmarks.map((m) => m.name).join(','),
      y.benchmarks.map((m) => m.name).join(','),
    ],
    ['systems', x.systems.map((m) => m.name).join(','), y.systems.map((m) => m.name).join(',')],
    ['cores', x.cores.join(','), y.cores.join(',')],
    ['cases', x.cases.length, y.cases.length],
  ];
  for (const [name, left, right] of fields) {
    if (left !== right) return `${name} ${String(left)} vs ${String(right)}`;
  }
  return 'benchmark parameters or profile figures differ';
}

/**
 * Refuses a result set whose points do not match their digest, belong to no case it ran, differ
 * from their case, or appear twice. Result sets of older versions have no digest: only the
 * other checks apply to them.
 */
export function checkPoints({ path, set }: Origin): void {
  const digest = (set.meta as SealedMeta).pointsDigest;
  if (digest !== undefined && digest !== pointsDigest(set.points)) {
    throw new UsageError(
      `"${path}": its points do not match the digest written with them (edited after the run?); re-run that shard`,
    );
  }
  const { cases } = set.meta.sweep;
  const ran = new Set(set.meta.selected);
  for (const index of set.meta.missing) ran.delete(index);
  const seen = new Set<string>();
  for (const [i, point] of set.points.entries()) {
    const entry = Number.isInteger(point.case) ? cases[point.case] : undefined;
    const where = `"${path}": points[${i}] (${point.bench}/${point.system}@${point.cores} ${point.metric})`;
    if (entry === undefined || !ran.has(point.case)) {
      throw new UsageError(`${where} has case ${point.case}, which this result set did not run`);
    }
    if (
      entry.bench !== point.bench ||
      entry.system !== point.system ||
      entry.cores !== point.cores
    ) {
      throw new UsageError(`${where} does not match its case ${describeCase(entry)}`);
    }
    const key = `${point.case}|${point.metric}`;
    if (seen.has(key)) throw new UsageError(`${where} appears twice`);
    seen.add(key);
  }
}

export function mergeResultSets(
  origins: readonly Origin[],
  command: string,
  argv: string[],
): ResultSet {
  if (origins.length === 0) throw new UsageError('merge needs at least one result folder');
  const first = origins[0];
  const sweep = first.set.meta.sweep;
  for (const other of origins.slice(1)) {
    if (other.set.meta.sweep.id !== sweep.id) {
      throw new UsageError(
        `"${other.path}" is from sweep ${other.set.meta.sweep.id}, not ${sweep.id} like "${first.path}" (${difference(first.set, other.set)})`,
      );
    }
  }
  for (const origin of origins) checkPoints(origin);
  const from = new Map<number, string>();
  const points: Point[] = [];
  for (const { path, set } of origins) {
    const cases = new Set(set.points.map((p) => p.case));
    for (const index of cases) {
      const earlier = from.get(index);
      if (earlier !== undefined) {
        throw new UsageError(
          `case ${describeCase(sweep.cases[index])} is in both "${earlier}" and "${path}" (merge each shard once)`,
        );
      }
      from.set(index, path);
    }
    points.push(...set.points);
  }
  const missing = sweep.cases.filter((entry) => !from.has(entry.index));
  if (missing.length > 0) {
    const count = origins.find((o) => o.set.meta.shard)?.set.meta.shard?.count;
    const shards = count
      ? ` (shards ${listOf([...new Set(missing.map((m) => `${(m.index % count) + 1}/${count}`))])})`
      : '';
    const shown = missing.slice(0, 8).map(describeCase);
    const more = missing.length > shown.length ? ` and ${missing.length - shown.length} more` : '';
    throw new UsageError(
      `${missing.length} of ${sweep.cases.length} cases of sweep ${sweep.id} are missing: ${shown.join(', ')}${more}${shards}`,
    );
  }
  points.sort((a, b) => a.case - b.case);
  const projection = withProjections(points);
  const metas = origins.map((o) => o.set.meta);
  const caseHostMs: Record<string, number> = {};
  for (const meta of metas) Object.assign(caseHostMs, meta.caseHostMs);
  return {
    points: projection.points,
    meta: {
      ...first.set.meta,
      projectionSkipped: points.some((p) => p.bench === 'tpch') ? projection.skipped : undefined,
      complete: true,
      interrupted: false,
      selected: sweep.cases.map((c) => c.index),
      missing: [],
      shard: null,
      mergedFrom: origins.map((o) => o.path),
      command,
      argv,
      startedAt: metas.map((m) => m.startedAt).sort()[0],
      finishedAt: metas
        .map((m) => m.finishedAt)
        .sort()
        .at(-1)!,
      jobs: Math.max(...metas.map((m) => m.jobs)),
      caseHostMs,
      pointsDigest: pointsDigest(projection.points),
    } as SealedMeta,
  };
}
