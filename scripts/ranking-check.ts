// Checks that the quick sizes of `unimem bench` keep the conclusions of the published (--full)
// sizes: for every benchmark, metric and variant, at 1, 16 and 64 cores, the quick run must not
// reverse an order of two systems that the full run shows clearly (apps/bench/src/results/
// ranking.ts: more than the tolerance apart in both runs, in opposite directions; ties are not
// flips). Full runs take hours, so their means are stored once per benchmark under
// benchmarks/ranking/ (scripts/ranking-reference.ts) and the check compares against them.
// Exits 1 on a flip, 2 on bad input.
//
//   pnpm exec tsx scripts/ranking-check.ts                  # quick sizes vs the stored reference
//   pnpm exec tsx scripts/ranking-check.ts --benchmarks random,bulk --systems osv,osv-superblock
//   pnpm exec tsx scripts/ranking-check.ts --scale 0.5      # would --scale 0.5 flip one?
//   pnpm exec tsx scripts/ranking-check.ts --full --scale 0.1   # would --full --scale 0.1?
//   pnpm exec tsx scripts/ranking-check.ts --write-reference --benchmarks random --reference-scale 1
//   pnpm exec tsx scripts/ranking-check.ts --live           # runs the full sizes too (hours)
//   pnpm exec tsx scripts/ranking-check.ts --results results/<run>/results.json  # a finished run
//   options: --cores LIST (default: each reference's, 1,16,64 when writing)  --seeds N (default 1)  --tolerance 0.1  --jobs J  --json FILE
//
// Like with like: a benchmark whose --full sizes have more variants than its quick ones (bufmgr's
// workloads, tpch's 22 queries against Q1, Q6, Q9, Q18) runs and stores only the quick run's
// variants, and the check compares at the core counts its reference was made at unless --cores
// names others.

import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { Case, Point, SweepInfo } from '../apps/bench/src/api.js';
import { planSweep } from '../apps/bench/src/plan.js';
import { loadRegistry } from '../apps/bench/src/registry.js';
import {
  comparableVariants,
  compareRankings,
  meanPoints,
  profileNamed,
  type RankedPoint,
  type RankingFlip,
} from '../apps/bench/src/results/ranking.js';
import { runSweep } from '../apps/bench/src/sweep.js';
import {
  currentCommit,
  REFERENCE_DIR,
  readReference,
  writeReference,
  writeReferenceTable,
} from './ranking-reference.js';

const PROFILE = 'epyc-9654p-guest';
const { values } = parseArgs({
  options: {
    benchmarks: { type: 'string' },
    systems: { type: 'string' },
    cores: { type: 'string' },
    scale: { type: 'string', default: '1' },
    full: { type: 'boolean', default: false },
    'reference-scale': { type: 'string', default: '1' },
    'write-reference': { type: 'boolean', default: false },
    live: { type: 'boolean', default: false },
    seeds: { type: 'string', default: '1' },
    tolerance: { type: 'string', default: '0.1' },
    jobs: { type: 'string', default: String(availableParallelism()) },
    json: { type: 'string' },
    results: { type: 'string' },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) {
    console.error(`ranking-check: --${name} "${text}" must be a positive number`);
    process.exit(2);
  }
  return value;
}

const registry = await loadRegistry();
const profile = profileNamed(PROFILE);
const wanted = (values.cores ?? '1,16,64').split(',').map((c) => positive('cores', c));
const scale = positive('scale', values.scale);
const referenceScale = positive('reference-scale', values['reference-scale']);
const seeds = positive('seeds', values.seeds);
const tolerance = Number(values.tolerance);
const jobs = positive('jobs', values.jobs);
const mode = values['write-reference'] ? 'write' : values.live ? 'live' : 'check';
const names = values.benchmarks
  ? values.benchmarks.split(',')
  : [...registry.benchmarks.values()].filter((b) => b.defaultSuite !== false).map((b) => b.name);
const systems = values.systems?.split(',');
const candidateLabel = values.results ?? `${values.full ? '--full' : 'quick'} × ${scale}`;
/** Points of a finished run (`--results`), instead of running the candidate sizes. */
const finished = values.results
  ? (JSON.parse(readFileSync(values.results, 'utf8')) as { points: Point[] }).points
  : undefined;

/** Whether a case's variant is one of `variants` (every case when there is no such list). */
function ofVariants(c: Case, variants: readonly string[] | undefined): boolean {
  return variants === undefined || c.variant === undefined || variants.includes(String(c.variant));
}

/** Runs the cases of `info` whose variant is one of `variants` (all of them without a list). */
async function run(info: SweepInfo, variants?: readonly string[]): Promise<Point[]> {
  const selected = info.cases.filter((c) => ofVariants(c, variants)).map((c) => c.index);
  let done = 0;
  const onCaseDone = (index: number, _points: Point[], hostMs: number) => {
    const c = info.cases[index];
    const what = `${c.bench} ${c.system} ${c.cores} cores${c.variant === undefined ? '' : ` ${c.variant}`}`;
    console.error(`[${++done}/${selected.length}] ${what} (${(hostMs / 1000).toFixed(1)} s)`);
  };
  const outcome = await runSweep(info, selected, { jobs, onCaseDone });
  if (outcome.failure) throw new Error(outcome.failure);
  return [...outcome.points.values()].flat();
}

/** The plan of one benchmark's sweep, or a reason to skip it. */
function plan(
  name: string,
  cores: number[],
  only: string[] | undefined,
  full: boolean,
  by: number,
) {
  const request = { names: [name], systems: only, cores, seed: 1, order: 0, profile, seeds };
  try {
    return planSweep(registry, { ...request, scale: by, full }).info;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The quick run's variants when the --full sizes have others too (so that a reference holds only
 * what the quick run can be compared with), else undefined: every variant.
 */
function quickVariants(name: string, cores: number[]): string[] | undefined {
  const variantsOf = (info: SweepInfo | string) =>
    typeof info === 'string'
      ? []
      : [
          ...new Set(
            info.cases.flatMap((c) => (c.variant === undefined ? [] : [String(c.variant)])),
          ),
        ];
  return comparableVariants(
    variantsOf(plan(name, cores, systems, false, 1)),
    variantsOf(plan(name, cores, systems, true, 1)),
  );
}

function sameParams(a: SweepInfo, b: SweepInfo | string): boolean {
  if (typeof b === 'string') return false;
  return JSON.stringify(a.benchmarks[0].params) === JSON.stringify(b.benchmarks[0].params);
}

/** Writes the full-size reference of one benchmark (the mean over seeds of each point). */
async function writeOne(name: string, cores: number[]): Promise<void> {
  const info = plan(name, cores, systems, true, referenceScale);
  if (typeof info === 'string') return console.log(`${name}: skipped (${info})`);
  const quick = plan(name, cores, systems, false, 1);
  if (typeof quick !== 'string' && sameParams(quick, plan(name, cores, systems, true, 1))) {
    return console.log(`${name}: quick and full sizes are the same; no reference needed`);
  }
  const variants = quickVariants(name, cores);
  const t0 = Date.now();
  const points = meanPoints(await run(info, variants));
  const hostSeconds = (Date.now() - t0) / 1000;
  const command = `pnpm exec tsx scripts/ranking-check.ts ${process.argv.slice(2).join(' ')}`;
  writeReference(REFERENCE_DIR, {
    format: 1,
    bench: name,
    made: { command, commit: currentCommit(), date: new Date().toISOString(), hostSeconds },
    profile: PROFILE,
    referenceScale,
    seeds,
    cores,
    systems: [...new Set(points.map((p) => p.system))].sort(),
    params: info.benchmarks[0].params,
    ...(variants ? { variants } : {}),
    points,
  });
  writeReferenceTable(REFERENCE_DIR);
  console.log(`${name}: reference written (${points.length} points, ${hostSeconds.toFixed(0)} s)`);
}

const started = Date.now();
const flips: RankingFlip[] = [];
const report: Array<Record<string, unknown>> = [];
let compared = 0;
for (const name of names) {
  const benchmark = registry.benchmark(name);
  let cores = wanted.filter((c) => benchmark.cores.full.includes(c));
  if (cores.length === 0) cores = [...benchmark.cores.full].filter((c) => c <= 64).slice(-1);
  if (mode === 'write') {
    await writeOne(name, cores);
    continue;
  }
  const stored = mode === 'check' ? readReference(REFERENCE_DIR, name) : undefined;
  if (mode === 'check' && !stored) {
    console.log(`${name}: no stored reference (quick and full sizes are the same, or not made)`);
    continue;
  }
  if (stored) {
    cores = values.cores ? cores.filter((c) => stored.cores.includes(c)) : stored.cores;
  }
  // The variants both sides run: those the reference holds, else (--live) those of the quick run.
  const variants = stored ? stored.variants : quickVariants(name, cores);
  const candidate = finished
    ? finished.filter(
        (p) =>
          p.bench === name &&
          cores.includes(p.cores) &&
          (variants === undefined || p.variant === null || variants.includes(String(p.variant))),
      )
    : plan(name, cores, systems, values.full, scale);
  if (typeof candidate === 'string') {
    console.log(`${name}: skipped (${candidate})`);
    continue;
  }
  const t0 = Date.now();
  let reference: RankedPoint[];
  let referenceLabel: string;
  if (stored) {
    reference = stored.points;
    referenceLabel = `stored --full × ${stored.referenceScale} of ${stored.made.commit}`;
  } else {
    const full = plan(name, cores, systems, true, referenceScale);
    if (typeof full === 'string') {
      console.log(`${name}: skipped (${full})`);
      continue;
    }
    reference = await run(full, variants);
    referenceLabel = `--full × ${referenceScale}`;
  }
  const points = Array.isArray(candidate) ? candidate : await run(candidate, variants);
  const comparison = compareRankings(reference, points, tolerance);
  compared++;
  const seconds = ((Date.now() - t0) / 1000).toFixed(0);
  console.log(
    `${name}: ${candidateLabel} vs ${referenceLabel}, cores ${cores.join(',')}: ${comparison.groups} groups, ${comparison.pairs} pairs, ${comparison.flips.length} flips (${seconds} s)`,
  );
  for (const flip of comparison.flips) {
    const fmt = ([a, b]: [number, number]) => `${a.toPrecision(3)} < ${b.toPrecision(3)}`;
    console.log(
      `  FLIP ${flip.bench} ${flip.metric}${flip.variant ? ` ${flip.variant}` : ''} @${flip.cores}: reference ${flip.lower} vs ${flip.higher} ${fmt(flip.reference)}, ${candidateLabel} ${fmt(flip.candidate)} (reversed)`,
    );
  }
  flips.push(...comparison.flips);
  report.push({ name, cores, ...comparison });
}
const minutes = ((Date.now() - started) / 60000).toFixed(1);
if (mode !== 'write') {
  console.log(
    `ranking check: ${flips.length} flips at ${candidateLabel} in ${compared} benchmarks (tolerance ${tolerance}) in ${minutes} min`,
  );
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ flips, report }, null, 1)}\n`);
process.exit(flips.length > 0 ? 1 : 0);
