// The stored reference of the ranking check (scripts/ranking-check.ts): one JSON file per
// benchmark under benchmarks/ranking/, holding the systems' mean values per metric, variant and
// core count at the --full sizes (× a reference scale), with the command, commit and date that
// made them; and benchmarks/ranking/README.md, the table rendered from all of them. Invariant: a
// file holds one benchmark's points, one per group and system, and says how they were made;
// reading refuses a file that does not, naming it and the field.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RankedPoint } from '../apps/bench/src/results/ranking.js';

export const REFERENCE_DIR = fileURLToPath(new URL('../benchmarks/ranking/', import.meta.url));
const FORMAT = 1;

export interface StoredReference {
  format: typeof FORMAT;
  bench: string;
  /** How the points were made: the exact command, the commit it ran on, when, host seconds. */
  made: { command: string; commit: string; date: string; hostSeconds: number };
  profile: string;
  /** The --full sizes multiplied by this. */
  referenceScale: number;
  seeds: number;
  cores: number[];
  systems: string[];
  /** The benchmark's parameters at that scale (what `--full × scale` meant when it was made). */
  params: Record<string, unknown>;
  /**
   * The only variants run, those of the quick sizes, when --full has more (tpch's queries,
   * bufmgr's workloads); absent: every variant of the --full sizes.
   */
  variants?: string[];
  /** One per metric, variant, core count and system: the mean over seeds. */
  points: RankedPoint[];
}

/** `<commit>` of HEAD, with `+changes` when the model's sources differ from it. */
export function currentCommit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    const head = git('rev-parse', '--short=12', 'HEAD');
    const changed = git('status', '--porcelain', '--', 'packages', 'apps/bench/src');
    return changed === '' ? head : `${head}+changes`;
  } catch {
    return 'unknown';
  }
}

function fileOf(dir: string, bench: string): string {
  return join(dir, `${bench}.json`);
}

function invalid(file: string, field: string): never {
  throw new Error(`ranking reference ${file}: ${field} is missing or invalid`);
}

function checked(file: string, data: unknown): StoredReference {
  const ref = data as StoredReference;
  if (typeof ref !== 'object' || ref === null || ref.format !== FORMAT) invalid(file, 'format');
  if (typeof ref.bench !== 'string') invalid(file, 'bench');
  if (typeof ref.made?.commit !== 'string' || typeof ref.made?.command !== 'string') {
    invalid(file, 'made');
  }
  if (!(ref.referenceScale > 0)) invalid(file, 'referenceScale');
  if (!Array.isArray(ref.cores) || !Array.isArray(ref.systems)) invalid(file, 'cores/systems');
  if (!Array.isArray(ref.points)) invalid(file, 'points');
  const variants = ref.variants;
  if (
    variants !== undefined &&
    !(Array.isArray(variants) && variants.every((v) => typeof v === 'string'))
  ) {
    invalid(file, 'variants');
  }
  ref.points.forEach((p, i) => {
    const ok =
      p.bench === ref.bench &&
      typeof p.system === 'string' &&
      typeof p.metric === 'string' &&
      Number.isInteger(p.cores) &&
      Number.isFinite(p.value);
    if (!ok) invalid(file, `points[${i}]`);
  });
  return ref;
}

/** The stored reference of `bench`, or undefined when there is none. */
export function readReference(dir: string, bench: string): StoredReference | undefined {
  const file = fileOf(dir, bench);
  if (!existsSync(file)) return undefined;
  return checked(file, JSON.parse(readFileSync(file, 'utf8')));
}

export function readReferences(dir: string): StoredReference[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => checked(join(dir, name), JSON.parse(readFileSync(join(dir, name), 'utf8'))));
}

function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/** Writes one benchmark's reference, formatted as the repository's linter wants it. */
export function writeReference(dir: string, ref: StoredReference): void {
  const file = fileOf(dir, ref.bench);
  writeAtomically(file, `${JSON.stringify(ref, null, 2)}\n`);
  execFileSync('pnpm', ['exec', 'biome', 'format', '--write', file], { stdio: 'ignore' });
}

const number = (value: number) =>
  Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);

/** One row per metric, variant and core count: the systems from lowest to highest value. */
function tableOf(ref: StoredReference): string[] {
  const groups = new Map<string, RankedPoint[]>();
  for (const p of ref.points) {
    const key = `${p.metric}\t${p.variant ?? ''}\t${String(p.cores).padStart(4, '0')}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const rows = [...groups.keys()].sort().map((key) => {
    const [metric, variant] = key.split('\t');
    const points = groups.get(key)!.sort((a, b) => a.value - b.value);
    const order = points.map((p) => `${p.system} ${number(p.value)}`).join(' < ');
    return `| ${metric} | ${variant} | ${points[0].cores} | ${order} |`;
  });
  return [
    `### ${ref.bench}`,
    '',
    `\`--full\` × ${ref.referenceScale}, ${ref.seeds} seed(s), profile ${ref.profile}; made on ${ref.made.date.slice(0, 10)} at commit ${ref.made.commit} in ${Math.round(ref.made.hostSeconds / 60)} min of host time by`,
    '',
    `    ${ref.made.command}`,
    '',
    `Parameters: \`${JSON.stringify(ref.params)}\``,
    '',
    ...(ref.variants
      ? [
          `Variants: only the quick run's (${ref.variants.join(', ')}), so both sides run the same ones.`,
          '',
        ]
      : []),
    '| metric | variant | cores | systems, lowest first (mean value) |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ];
}

/** Rewrites benchmarks/ranking/README.md from every stored reference in `dir`. */
export function writeReferenceTable(dir: string): void {
  const lines = [
    '# Ranking reference: the systems in order at the published sizes',
    '',
    'Written by `scripts/ranking-check.ts --write-reference`; do not edit by hand. Each',
    '`<benchmark>.json` here holds the mean value of every system at 1, 16 and 64 cores at the',
    "thesis' sizes (`--full`, times the reference scale given below), made once because those runs",
    'take hours of host time. `pnpm exec tsx scripts/ranking-check.ts` runs the quick sizes and',
    'fails when they reverse an order below (two systems more than 10 % apart in both runs, in',
    'opposite directions). The numbers come from the hardware model of the commit named in each',
    'section: when the model changes, re-make the reference with the command shown there.',
    'apps/bench/README.md ("Quick vs full sizes") says why each quick size is what it is.',
    '',
    'Where `--full` has more variants than the quick sizes, a reference holds only the quick',
    "run's (its section lists them), so that both sides run the same ones: `bufmgr`'s workloads",
    "`zipf`, `uniform-w20` and `scan` (of six) with both back ends, `tpch`'s queries Q1, Q6, Q9",
    "and Q18 (of 22). `tpch`'s reference is `--full` × 1, the SF 1 traces replayed whole (a scale",
    'below 1 replays only the first part of each trace, which leaves out the warm runs it reports),',
    "compared with the quick run's SF 0.1 traces of the same queries, at 8 and 64 cores (its core",
    'counts: the 8-thread traces up to 8 cores, the 64-thread ones above).',
    '',
    ...readReferences(dir).flatMap(tableOf),
  ];
  writeAtomically(join(dir, 'README.md'), `${lines.join('\n')}`);
}
