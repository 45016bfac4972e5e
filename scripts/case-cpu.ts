// Runs one case of a sweep (benchmark × system × core count × variant, seed 1, quick sizes) from
// a checkout, in this process, and prints the host CPU seconds of the case alone (no start-up,
// no workers, no output files) and the digest of its points. For paired speed comparisons of
// two checkouts on a shared host: run both alternately (before, after, after, before) and
// compare the CPU seconds; equal digests mean equal points.
//
//   pnpm exec tsx scripts/case-cpu.ts CHECKOUT BENCH SYSTEM CORES [VARIANT]
//   pnpm exec tsx scripts/case-cpu.ts /work/wt-base pipeline linux+jemalloc 64 "4096 B"

import { planOneCase, UsageError } from './one-case.js';

const [checkout, bench, system, coresText, variant] = process.argv.slice(2);
const cores = Number(coresText);
if (
  checkout === undefined ||
  bench === undefined ||
  system === undefined ||
  !Number.isInteger(cores) ||
  cores < 1
) {
  console.error('usage: tsx scripts/case-cpu.ts CHECKOUT BENCH SYSTEM CORES [VARIANT]');
  process.exit(2);
}
let one: Awaited<ReturnType<typeof planOneCase>>;
try {
  one = await planOneCase(checkout, bench, system, cores, variant);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const start = process.cpuUsage();
const points = one.run();
const used = process.cpuUsage(start);
const seconds = (used.user + used.system) / 1e6;
console.log(
  `${bench} ${system} ${cores} cores ${variant ?? ''}: ${seconds.toFixed(2)} s host CPU, ${one.digest(points).slice(0, 19)}`,
);
