// Where a case's line waits are: runs one case of the quick sweep (seed 1) with the line model
// counting its misses, transfers and waits by region (`CacheLines.countByRegion`, the labels the
// components give `allocLines`), and prints, for each point of the case, the regions with the
// most line wait per operation. Numbers in labels are replaced by `#` (one row for every
// `jemalloc arena # bin #`), unless `--exact`. The per-region counters cover the point's measured
// phase only, as the point's own counters do, and sum to its `lineWaitCycles` (the last row
// says so, or the script exits 1).
//
//   pnpm exec tsx scripts/line-regions.ts BENCH SYSTEM CORES [VARIANT] [--top N] [--exact]
//   pnpm exec tsx scripts/line-regions.ts bufmgr osv-superblock 64 uniform-w20/kernel-api

import { planOneCase, UsageError } from './one-case.js';

const USAGE = 'usage: tsx scripts/line-regions.ts BENCH SYSTEM CORES [VARIANT] [--top N] [--exact]';

const args = process.argv.slice(2);
const exact = takeFlag(args, '--exact');
const top = Number(takeOption(args, '--top') ?? 12);
const [bench, system, coresText, variant, extra] = args;
const cores = Number(coresText);
if (
  bench === undefined ||
  system === undefined ||
  !Number.isInteger(cores) ||
  cores < 1 ||
  !Number.isInteger(top) ||
  top < 1 ||
  extra !== undefined
) {
  console.error(USAGE);
  process.exit(2);
}

let one: Awaited<ReturnType<typeof planOneCase>>;
try {
  one = await planOneCase('.', bench, system, cores, variant);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const points = one.run({
  onMachine: (machine) =>
    (machine as { lines: { countByRegion(on: boolean): void } }).lines.countByRegion(true),
});

const PATTERN = /^line(Misses|Transfers|WaitCycles)\[(.*)\]$/;
let mismatch = false;
for (const point of points) {
  const rows = new Map<string, { misses: number; transfers: number; wait: number }>();
  for (const [name, value] of Object.entries(point.counters)) {
    const match = PATTERN.exec(name);
    if (!match) continue;
    const label = exact ? match[2] : match[2].replace(/\d+/g, '#');
    const row = rows.get(label) ?? { misses: 0, transfers: 0, wait: 0 };
    if (match[1] === 'Misses') row.misses += value;
    else if (match[1] === 'Transfers') row.transfers += value;
    else row.wait += value;
    rows.set(label, row);
  }
  const ops = point.ops;
  const total = point.counters.lineWaitCycles ?? 0;
  console.log(
    `\n${bench} ${system} ${cores} cores ${variant ?? ''} — ${point.metric}: ${fmt(point.value)} ${point.unit}, ${fmt(ops)} ops, line wait ${fmt(total / ops)} cycles/op, transfers ${fmt((point.counters.lineTransfers ?? 0) / ops)}/op`,
  );
  console.log(
    `  ${'region'.padEnd(44)} ${'wait/op'.padStart(10)} ${'share'.padStart(6)} ${'transfers/op'.padStart(13)} ${'misses/op'.padStart(10)}`,
  );
  const sorted = [...rows.entries()].sort(
    (a, b) => b[1].wait - a[1].wait || b[1].transfers - a[1].transfers,
  );
  let waitSum = 0;
  for (const [, row] of sorted) waitSum += row.wait;
  for (const [label, row] of sorted.slice(0, top)) {
    console.log(
      `  ${label.slice(0, 44).padEnd(44)} ${fmt(row.wait / ops).padStart(10)} ${(total > 0 ? `${((100 * row.wait) / total).toFixed(0)}%` : '-').padStart(6)} ${fmt(row.transfers / ops).padStart(13)} ${fmt(row.misses / ops).padStart(10)}`,
    );
  }
  if (sorted.length > top) console.log(`  … ${sorted.length - top} more regions`);
  const agrees = Math.abs(waitSum - total) <= 1e-6 * Math.max(1, total);
  if (!agrees) mismatch = true;
  console.log(
    `  sum over regions ${fmt(waitSum / ops)} cycles/op: ${agrees ? 'equals' : 'DIFFERS FROM'} the point's lineWaitCycles`,
  );
}
if (mismatch) process.exit(1);

function fmt(value: number): string {
  if (value === 0) return '0';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function takeFlag(list: string[], flag: string): boolean {
  const at = list.indexOf(flag);
  if (at < 0) return false;
  list.splice(at, 1);
  return true;
}

function takeOption(list: string[], option: string): string | undefined {
  const at = list.indexOf(option);
  if (at < 0) return undefined;
  const value = list[at + 1];
  if (value === undefined) {
    console.error(`${option} needs a value\n${USAGE}`);
    process.exit(2);
  }
  list.splice(at, 2);
  return value;
}
