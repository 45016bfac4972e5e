// Runs one case of a sweep (benchmark × system × core count × variant, seed 1, quick sizes) from
// a checkout, in this process, and prints the host CPU seconds of the case alone (no start-up,
// no workers, no output files) and the digest of its points. For paired speed comparisons of
// two checkouts on a shared host: run both alternately (before, after, after, before) and
// compare the CPU seconds; equal digests mean equal points.
//
//   pnpm exec tsx scripts/case-cpu.ts CHECKOUT BENCH SYSTEM CORES [VARIANT]
//   pnpm exec tsx scripts/case-cpu.ts /work/wt-base pipeline linux+jemalloc 64 "4096 B"

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [checkout, bench, system, coresText, variant] = process.argv.slice(2);
const cores = Number(coresText);
if (checkout === undefined || system === undefined || !Number.isInteger(cores) || cores < 1) {
  console.error('usage: tsx scripts/case-cpu.ts CHECKOUT BENCH SYSTEM CORES [VARIANT]');
  process.exit(2);
}
const load = (path: string) => import(pathToFileURL(resolve(checkout, path)).href);
const { createRegistry } = await load('apps/bench/src/registry.ts');
const { planSweep } = await load('apps/bench/src/plan.ts');
const { runCase } = await load('apps/bench/src/point.ts');
const { pointsDigest } = await load('apps/bench/src/digest.ts');
const { resolveProfile } = await load('packages/hw/src/index.ts');

const registry = createRegistry();
const { info } = planSweep(registry, {
  names: registry.parseBenchmarkNames([bench]),
  systems: [system],
  cores: [cores],
  scale: 1,
  seed: 1,
  order: 0,
  full: false,
  profile: resolveProfile('epyc-9654p-guest'),
});
const index = info.cases.findIndex((c: { variant?: string }) => !variant || c.variant === variant);
if (index < 0) {
  console.error(`${bench} has no case of variant "${variant}" on ${system} at ${cores} cores`);
  process.exit(2);
}
const start = process.cpuUsage();
const points = runCase(registry, info, index);
const used = process.cpuUsage(start);
const seconds = (used.user + used.system) / 1e6;
console.log(
  `${bench} ${system} ${cores} cores ${variant ?? ''}: ${seconds.toFixed(2)} s host CPU, ${pointsDigest(points).slice(0, 19)}`,
);
