// `unimem bench`: plan the sweep (all bad input is rejected here, before anything is written),
// run the selected cases on worker threads with progress on stderr, and write the result set
// (JSON, DuckDB, HTML report) for what finished. Ctrl-C stops the workers at once; the finished
// points are written, marked incomplete, and the exit code is 130.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Profile } from '@unimem/hw';
import type { Point, ResultSet } from './api.js';
import { pointsDigest, type SealedMeta } from './digest.js';
import { checkOutputs } from './output-check.js';
import { planSweep } from './plan.js';
import { formatDuration, Progress } from './progress.js';
import type { BenchmarkName, Registry } from './registry.js';
import { withProjections } from './replay/projection.js';
import { summaryLines } from './report/text-table.js';
import { writeJson } from './results/json.js';
import { commandLine, hostInfo, packageVersions } from './results/meta.js';
import { type Written, writeResultSet } from './results/write.js';
import type { Shard } from './shard.js';
import { shardCases } from './shard.js';
import { runSweep } from './sweep.js';
import { UsageError } from './usage-error.js';

export interface BenchRequest {
  names: BenchmarkName[];
  systems?: string[];
  cores?: number[];
  scale: number;
  seed: number;
  /** `--seeds N` (default 1). */
  seeds?: number;
  /** `--iterations N` (default 1). */
  iterations?: number;
  /** `--config NAME` (a named configuration of one benchmark). */
  config?: string;
  order: number;
  full: boolean;
  profile: Profile;
  shard: Shard | null;
  jobs: number;
  out?: string;
  json?: string;
  argv: string[];
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Progress output (stderr): a TTY gets one redrawn line. */
  progress: { write(text: string): void; isTTY: boolean };
  /** Ctrl-C: aborts the sweep. */
  signal?: AbortSignal;
}

/** Exit code of an interrupted run (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

export async function runBench(registry: Registry, request: BenchRequest, io: Io): Promise<number> {
  const { info: sweep } = planSweep(registry, request);
  const selected = shardCases(sweep.cases.length, request.shard);
  if (selected.length === 0) {
    throw new UsageError(
      `--shard ${request.shard!.index}/${request.shard!.count} has no cases: the sweep has only ${sweep.cases.length}`,
    );
  }
  const out = resolve(request.out ?? defaultOutDir());
  checkOutputs({ option: '--out', given: request.out ?? out, dir: out }, request.json);
  const jobs = Math.min(request.jobs, selected.length);
  const over = sweep.cores.filter((c) => c > sweep.profile.cores.value);
  io.err(
    `unimem bench: ${selected.length}${request.shard ? ` of ${sweep.cases.length}` : ''} cases (${sweep.benchmarks.map((b) => b.name).join(', ')} on ${sweep.systems.map((s) => s.name).join(', ')}; cores ${sweep.cores.join(',')}) on ${sweep.profile.name}, ${sweep.full ? 'full' : 'quick'} scale ${sweep.scale}, seed ${sweep.seed}${(sweep.seeds ?? 1) > 1 ? ` (${sweep.seeds} seeds)` : ''}${(sweep.iterations ?? 1) > 1 ? `, ${sweep.iterations} iterations` : ''}, ${jobs} worker threads`,
  );
  if (over.length > 0) {
    io.err(
      `note: ${over.join(',')} cores exceed the ${sweep.profile.cores.value} of ${sweep.profile.name} (a what-if machine)`,
    );
  }

  const startedAt = new Date().toISOString();
  const started = Date.now();
  const progress = new Progress(
    selected.map((i) => sweep.cases[i]),
    io.progress,
  );
  progress.start();
  const outcome = await runSweep(sweep, selected, {
    jobs,
    signal: io.signal,
    onCaseDone: (index, _points, hostMs) => progress.caseDone(sweep.cases[index], hostMs),
  });
  progress.finish();

  const measured: Point[] = [];
  const missing: number[] = [];
  for (const index of selected) {
    const found = outcome.points.get(index);
    if (found) measured.push(...found);
    else missing.push(index);
  }
  const projection = withProjections(measured);
  const set: ResultSet = {
    points: projection.points,
    meta: {
      format: 'unimem-results/1',
      complete: missing.length === 0,
      interrupted: outcome.interrupted,
      sweep,
      selected,
      missing,
      shard: request.shard,
      mergedFrom: [],
      command: commandLine(request.argv),
      argv: request.argv,
      cwd: process.cwd(),
      host: hostInfo(),
      versions: packageVersions(),
      startedAt,
      finishedAt: new Date().toISOString(),
      jobs,
      caseHostMs: Object.fromEntries([...outcome.caseHostMs].sort(([a], [b]) => a - b)),
      projectionSkipped: measured.some((p) => p.bench === 'tpch') ? projection.skipped : undefined,
    },
  };
  (set.meta as SealedMeta).pointsDigest = pointsDigest(set.points);
  const written = await writeOrRescue(out, set, request.json, io);
  for (const line of summaryLines(set)) io.out(line);
  io.out(
    `results: ${written.json}, ${written.duckdb}${written.extraJson ? `, ${written.extraJson}` : ''}`,
  );
  io.out(`report:  ${written.report}`);
  io.out(`host time: ${formatDuration(Date.now() - started)} (${jobs} worker threads)`);
  if (written.rescued) return 1;
  if (outcome.failure) {
    io.err(`unimem: ${outcome.failure} (finished points written to ${out})`);
    return 1;
  }
  if (outcome.interrupted) {
    io.err(
      `unimem: interrupted: ${selected.length - missing.length} of ${selected.length} cases finished; partial results in ${out}`,
    );
    return EXIT_INTERRUPTED;
  }
  return 0;
}

/**
 * Writes the result set to `out` (and the JSON copy); if that fails although the check before the
 * run passed (disk full, folder removed), writes it to a fresh folder under the system's temporary
 * folder instead and says where, so that a finished sweep is never lost.
 */
async function writeOrRescue(
  out: string,
  set: ResultSet,
  json: string | undefined,
  io: Io,
): Promise<Written & { rescued: boolean }> {
  let written: Written;
  let rescued = false;
  try {
    written = await writeResultSet(out, set);
  } catch (error) {
    const fallback = mkdtempSync(join(tmpdir(), 'unimem-results-'));
    io.err(
      `unimem: cannot write the results to ${out} (${oneLine(error)}); writing them to ${fallback} instead`,
    );
    written = await writeResultSet(fallback, set);
    rescued = true;
  }
  if (json !== undefined) {
    try {
      writeJson(json, set);
      written.extraJson = json;
    } catch (error) {
      io.err(
        `unimem: cannot write --json "${json}" (${oneLine(error)}); the same JSON is in ${written.json}`,
      );
      rescued = true;
    }
  }
  return { ...written, rescued };
}

function oneLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).replace(/\s*\n\s*/g, ' ');
}

/** ./results/<local timestamp>, made unique if several runs start in the same second. */
export function defaultOutDir(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}-${pad(now.getMinutes())}-${pad(now.getSeconds())}`;
  let dir = join('results', stamp);
  for (let i = 2; existsSync(dir); i++) dir = join('results', `${stamp}-${i}`);
  return dir;
}
