// Checks that the quick sizes of `unimem bench` do not flip the conclusions of the published
// (--full) sizes: for every benchmark, metric and variant, at 1, 16 and 64 cores, the ranking of
// the systems in the quick run must not reverse any pair that the full run orders clearly
// (apps/bench/src/results/ranking.ts: a pair is ordered when one is lower by more than the
// tolerance; ties are not flips). Runs both sweeps on worker threads and exits 1 on a flip.
// Numbers come from the current hardware model, so this is re-run, never frozen into a table.
//
//   pnpm exec tsx scripts/ranking-check.ts                       # every default benchmark
//   pnpm exec tsx scripts/ranking-check.ts --benchmarks random,bulk --systems osv,osv-superblock
//   pnpm exec tsx scripts/ranking-check.ts --scale 0.5           # would --scale 0.5 flip one?
//   options: --cores 1,16,64  --seeds N (quick runs, default 3)  --reference-scale F (full
//            sizes × F, default 1)  --tolerance 0.1  --jobs J  --json FILE

import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { Point, SweepInfo } from '../apps/bench/src/api.js';
import { planSweep } from '../apps/bench/src/plan.js';
import { loadRegistry } from '../apps/bench/src/registry.js';
import {
  compareRankings,
  profileNamed,
  type RankingFlip,
} from '../apps/bench/src/results/ranking.js';
import { runSweep } from '../apps/bench/src/sweep.js';

const { values } = parseArgs({
  options: {
    benchmarks: { type: 'string' },
    systems: { type: 'string' },
    cores: { type: 'string', default: '1,16,64' },
    scale: { type: 'string', default: '1' },
    'reference-scale': { type: 'string', default: '1' },
    seeds: { type: 'string', default: '3' },
    tolerance: { type: 'string', default: '0.1' },
    jobs: { type: 'string', default: String(availableParallelism()) },
    json: { type: 'string' },
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
const profile = profileNamed('epyc-9654p-guest');
const wanted = values.cores.split(',').map((c) => positive('cores', c));
const scale = positive('scale', values.scale);
const referenceScale = positive('reference-scale', values['reference-scale']);
const seeds = positive('seeds', values.seeds);
const tolerance = Number(values.tolerance);
const jobs = positive('jobs', values.jobs);
const names = values.benchmarks
  ? values.benchmarks.split(',')
  : [...registry.benchmarks.values()].filter((b) => b.defaultSuite !== false).map((b) => b.name);
const systems = values.systems?.split(',');

async function run(info: SweepInfo): Promise<Point[]> {
  const outcome = await runSweep(
    info,
    info.cases.map((c) => c.index),
    { jobs },
  );
  if (outcome.failure) throw new Error(outcome.failure);
  return [...outcome.points.values()].flat();
}

const started = Date.now();
const flips: RankingFlip[] = [];
const report: Array<Record<string, unknown>> = [];
for (const name of names) {
  const benchmark = registry.benchmark(name);
  let cores = wanted.filter((c) => benchmark.cores.full.includes(c));
  if (cores.length === 0) cores = [...benchmark.cores.full].filter((c) => c <= 64).slice(-1);
  const request = { names: [name], systems, cores, seed: 1, order: 0, profile };
  let quick: SweepInfo;
  let full: SweepInfo;
  try {
    quick = planSweep(registry, { ...request, scale, full: false, seeds }).info;
    full = planSweep(registry, { ...request, scale: referenceScale, full: true }).info;
  } catch (error) {
    console.log(`${name}: skipped (${(error as Error).message})`);
    continue;
  }
  const sameSizes =
    JSON.stringify(quick.benchmarks[0].params) === JSON.stringify(full.benchmarks[0].params);
  if (sameSizes) {
    console.log(`${name}: quick and full sizes are the same; nothing to compare`);
    continue;
  }
  const t0 = Date.now();
  const [candidate, reference] = [await run(quick), await run(full)];
  const comparison = compareRankings(reference, candidate, tolerance);
  const seconds = ((Date.now() - t0) / 1000).toFixed(0);
  console.log(
    `${name}: cores ${cores.join(',')}: ${comparison.groups} groups, ${comparison.pairs} pairs, ${comparison.flips.length} flips (${seconds} s)`,
  );
  for (const flip of comparison.flips) {
    const fmt = ([a, b]: [number, number]) => `${a.toPrecision(3)} < ${b.toPrecision(3)}`;
    console.log(
      `  FLIP ${flip.bench} ${flip.metric}${flip.variant ? ` ${flip.variant}` : ''} @${flip.cores}: full ${flip.lower} vs ${flip.higher} ${fmt(flip.reference)}, quick ${fmt(flip.candidate)} (reversed)`,
    );
  }
  flips.push(...comparison.flips);
  report.push({ name, cores, ...comparison });
}
const minutes = ((Date.now() - started) / 60000).toFixed(1);
console.log(
  `ranking check: ${flips.length} flips at quick scale ${scale} (reference: --full × ${referenceScale}, tolerance ${tolerance}) in ${minutes} min`,
);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ flips, report }, null, 1)}\n`);
process.exit(flips.length > 0 ? 1 : 0);
