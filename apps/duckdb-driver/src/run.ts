// Runs TPC-H queries the way the thesis did: each query in a fresh process (query-process.mjs)
// that opens the database READ_ONLY with the requested DuckDB thread count and runs the query
// `repeat` times. Run 1 is the cold run (fresh process, empty buffer pool and allocator caches),
// later runs are warm; the thesis reported warm runs only (it dropped the first).

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadQuery, queryName } from './queries.js';
import type { PhaseInfo } from './trace/metadata.js';

const execFileAsync = promisify(execFile);

/** Absolute path of the query process script. */
export const QUERY_PROCESS = fileURLToPath(new URL('./query-process.mjs', import.meta.url));

export interface QueryJob {
  db: string;
  threads: number;
  repeat: number;
  sql: string;
}

/** What the query process prints (phase fault counters are keyed by OS thread id). */
export interface QueryProcessResult {
  duckdbVersion: string;
  pid: number;
  markers: string[];
  phases: PhaseInfo[];
  rows: number[];
}

export interface QueryTiming {
  query: number;
  rows: number;
  openMs: number;
  /** Run 1 (fresh process). */
  coldMs: number;
  /** Mean of runs 2..repeat; NaN when repeat = 1. */
  warmMs: number;
  runsMs: number[];
  /** CPU time (user + system, all threads) of each run. */
  runsCpuMs: number[];
}

/** The command (argv) that runs one query process. */
export function queryProcessCommand(job: QueryJob): string[] {
  return [process.execPath, QUERY_PROCESS, JSON.stringify(job)];
}

/**
 * Environment of the query process: one libuv pool thread, so the thread that executes DuckDB
 * calls for node-api is unambiguous in traces (reference: docs/reference/duckdb.md section 3).
 */
export function queryProcessEnv(): NodeJS.ProcessEnv {
  return { ...process.env, UV_THREADPOOL_SIZE: '1' };
}

/** Runs `command` (a query process, possibly under a tracer) and parses its result line. */
export async function runQueryProcess(
  command: string[],
  label: string,
): Promise<{ result: QueryProcessResult; stderr: string }> {
  const [file, ...args] = command;
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      env: queryProcessEnv(),
      maxBuffer: 64 << 20,
    });
    return { result: parseResultLine(stdout, label), stderr };
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    const detail = (e.stderr ?? '').trim().split('\n').slice(-3).join(' | ') || e.message;
    throw new Error(`${label} failed: ${detail}`);
  }
}

function parseResultLine(stdout: string, label: string): QueryProcessResult {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const result = JSON.parse(line) as QueryProcessResult;
    if (!Array.isArray(result.phases) || !Array.isArray(result.markers)) throw new Error();
    return result;
  } catch {
    throw new Error(`${label}: query process printed no result line (got "${line.slice(0, 80)}")`);
  }
}

/** Timings of one finished query process. */
export function timingOf(query: number, result: QueryProcessResult): QueryTiming {
  const runs = result.phases.filter((p) => p.phase.startsWith('run'));
  const runsMs = runs.map((p) => p.ms);
  const warm = runsMs.slice(1);
  return {
    query,
    rows: result.rows[0] ?? 0,
    openMs: result.phases.find((p) => p.phase === 'open')?.ms ?? Number.NaN,
    coldMs: runsMs[0],
    warmMs: warm.length > 0 ? warm.reduce((a, b) => a + b, 0) / warm.length : Number.NaN,
    runsMs,
    runsCpuMs: runs.map((p) => p.cpuMs ?? Number.NaN),
  };
}

export interface RunOptions {
  db: string;
  sf: number;
  queries: readonly number[];
  threads: number;
  repeat: number;
  onResult?: (timing: QueryTiming) => void;
}

/** Runs each query in its own process, one after another. */
export async function runQueries(options: RunOptions): Promise<QueryTiming[]> {
  const timings: QueryTiming[] = [];
  for (const n of options.queries) {
    const job = {
      db: options.db,
      threads: options.threads,
      repeat: options.repeat,
      sql: loadQuery(n, options.sf).sql,
    };
    const { result } = await runQueryProcess(queryProcessCommand(job), queryName(n));
    const timing = timingOf(n, result);
    timings.push(timing);
    options.onResult?.(timing);
  }
  return timings;
}

/** A fixed-width table of timings with a total row. */
export function formatTimings(timings: readonly QueryTiming[]): string {
  const ms = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(1));
  const rows = timings.map((t) => [
    queryName(t.query),
    String(t.rows),
    ms(t.openMs),
    ms(t.coldMs),
    ms(t.warmMs),
  ]);
  const sum = (f: (t: QueryTiming) => number) => timings.reduce((a, t) => a + f(t), 0);
  rows.push([
    'total',
    '',
    ms(sum((t) => t.openMs)),
    ms(sum((t) => t.coldMs)),
    ms(sum((t) => t.warmMs)),
  ]);
  const head = ['query', 'rows', 'open ms', 'cold ms', 'warm ms'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows]
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
    .join('\n');
}
