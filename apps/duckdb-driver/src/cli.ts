// The `unimem-duckdb` command line (bin.ts runs it): gen, run, capture, inspect. Every bad input
// ends in one line naming the value and what is allowed, and exit code 2; a failure of the work
// itself (no tracer, DuckDB error) ends in one line and exit code 1.

import { cpus } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatBytes } from '@unimem/core';
import {
  CAPTURE_MODES,
  type CaptureMode,
  captureQueries,
  chooseTracer,
} from './capture/capture.js';
import { buildInterposer, type Interposer } from './capture/interposer.js';
import { defaultDatabasePath, type GenResult, generate, validateScaleFactor } from './gen.js';
import { formatStats, inspectTrace, traceFiles } from './inspect.js';
import { parseQueryList, QUERY_NUMBERS, queryName } from './queries.js';
import { formatTimings, runQueries } from './run.js';

export const USAGE = `unimem-duckdb — TPC-H on DuckDB: data, queries, memory traces

Usage: unimem-duckdb <command> [options]
   or: pnpm --filter @unimem/duckdb-driver exec tsx src/cli.ts <command> [options]

Commands:
  gen [--sf S] [--out FILE] [--force]
        Generates TPC-H data (offline SQL generator) into a cached DuckDB file; skips when the
        file exists for the same SF, generator and DuckDB version. Checks the spec rules.
  run [--sf S] [--queries LIST] [--threads N] [--repeat R] [--db FILE]
        Runs each query in a fresh process, R times: run 1 cold, runs 2..R warm.
  capture [--sf S] [--queries LIST] [--threads N] [--repeat R] [--out DIR] [--mode M] [--db FILE]
          [--allocations on|off]
        Runs the queries under perf (every page fault + memory syscalls) or strace (syscalls +
        fault counters), with every malloc/free of DuckDB's jemalloc and of glibc recorded by an
        LD_PRELOAD interposer (built with cc on first use; off: format 1 without allocations),
        and writes DIR/qNN.trace.gz and DIR/capture.json.
  inspect TRACE|DIR [--phases] [--json]
        Per query: mmaps, munmaps, madvises by advice, faults, bytes and peak mapped, threads.
  help  Prints this text

Options:
  --sf S          scale factor, a positive number (default 0.1)
  --queries LIST  query numbers or ranges in 1..22, e.g. 1,5,9-11 (default all 22)
  --threads N     DuckDB threads, 1..1024 (default: the number of cores; the thesis used 64)
  --repeat R      runs per query process, 1..100 (default 3)
  --db FILE       database file (default $XDG_CACHE_HOME/unimem/tpch-sf<S>.duckdb; generated
                  when missing)
  --mode M        capture tracer: auto (perf, else strace), perf or strace (default auto)
  --out           gen: database file; capture: directory (default ./traces/sf<S>-t<N>)
`;

export class UsageError extends Error {}

type Out = (line: string) => void;

function numberOption(name: string, text: string | undefined, fallback: number, max: number) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new UsageError(`--${name} "${text}" is not a whole number in 1..${max}`);
  }
  return value;
}

function scaleFactor(text: string | undefined): number {
  const sf = text === undefined ? 0.1 : Number(text);
  if (text !== undefined && text.trim() === '') throw new UsageError('--sf is empty');
  try {
    return validateScaleFactor(sf);
  } catch {
    throw new UsageError(`--sf "${text}" is not a positive number (examples: 0.01, 0.1, 1)`);
  }
}

function queryList(text: string | undefined): readonly number[] {
  if (text === undefined) return QUERY_NUMBERS;
  try {
    return parseQueryList(text);
  } catch (error) {
    throw new UsageError(`--queries ${(error as Error).message}`);
  }
}

const COMMON = {
  sf: { type: 'string' },
  queries: { type: 'string' },
  threads: { type: 'string' },
  repeat: { type: 'string' },
  db: { type: 'string' },
} as const;

async function ensureDatabase(sf: number, db: string | undefined, out: Out): Promise<GenResult> {
  return generate({
    sf,
    out: db ?? defaultDatabasePath(sf),
    onProgress: (p) =>
      out(
        `gen: ${p.step}${p.rows !== undefined ? ` ${p.rows} rows` : ''} ${p.seconds.toFixed(2)} s`,
      ),
  });
}

async function gen(args: string[], out: Out): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { sf: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } },
    strict: true,
  });
  const sf = scaleFactor(values.sf);
  out(`gen: SF ${sf} -> ${values.out ?? defaultDatabasePath(sf)}`);
  const result = await generate({
    sf,
    out: values.out,
    force: values.force,
    onProgress: (p) =>
      out(
        `gen: ${p.step}${p.rows !== undefined ? ` ${p.rows} rows` : ''} ${p.seconds.toFixed(2)} s`,
      ),
  });
  if (result.cached) {
    out(`gen: cached ${result.path} (${result.generatorVersion}, DuckDB ${result.duckdbVersion})`);
    return;
  }
  for (const check of result.checks) {
    out(`check: ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.actual}`);
  }
  out(
    `gen: wrote ${result.path} (${formatBytes(result.sizeBytes)}) in ${result.seconds.toFixed(1)} s`,
  );
}

async function run(args: string[], out: Out): Promise<void> {
  const { values } = parseArgs({ args, options: COMMON, strict: true });
  const sf = scaleFactor(values.sf);
  const queries = queryList(values.queries);
  const threads = numberOption('threads', values.threads, cpus().length, 1024);
  const repeat = numberOption('repeat', values.repeat, 3, 100);
  const db = await ensureDatabase(sf, values.db, out);
  out(`run: SF ${sf}, ${threads} DuckDB threads, ${repeat} runs per process, ${db.path}`);
  const timings = await runQueries({
    db: db.path,
    sf,
    queries,
    threads,
    repeat,
    onResult: (t) =>
      out(
        `run: ${queryName(t.query)} ${t.rows} rows, runs ${t.runsMs.map((ms) => ms.toFixed(1)).join(' / ')} ms`,
      ),
  });
  out(formatTimings(timings));
}

async function capture(args: string[], out: Out): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON,
      out: { type: 'string' },
      mode: { type: 'string' },
      allocations: { type: 'string' },
    },
    strict: true,
  });
  const allocations = values.allocations ?? 'on';
  if (allocations !== 'on' && allocations !== 'off') {
    throw new UsageError(`--allocations "${allocations}" is not on or off`);
  }
  const sf = scaleFactor(values.sf);
  const queries = queryList(values.queries);
  const threads = numberOption('threads', values.threads, cpus().length, 1024);
  const repeat = numberOption('repeat', values.repeat, 3, 100);
  const mode = (values.mode ?? 'auto') as CaptureMode;
  if (!CAPTURE_MODES.includes(mode)) {
    throw new UsageError(`--mode "${values.mode}" is not one of ${CAPTURE_MODES.join(', ')}`);
  }
  const outDir = values.out ?? join('traces', `sf${sf}-t${threads}`);
  const tracer = await chooseTracer(mode);
  out(`capture: mode ${tracer.mode} (${tracer.version}): ${tracer.reason}`);
  let interposer: Interposer | undefined;
  if (allocations === 'on') {
    const built = await buildInterposer();
    if (typeof built === 'string') throw new Error(`${built} (or pass --allocations off)`);
    interposer = built;
    out(`capture: allocations through ${built.library}`);
  }
  const db = await ensureDatabase(sf, values.db, out);
  const results = await captureQueries({
    db: db.path,
    sf,
    generatorVersion: db.generatorVersion,
    queries,
    threads,
    repeat,
    outDir,
    interposer,
    tracer,
    onQuery: (q) =>
      out(
        `capture: ${queryName(q.query)} ${q.events} events (${q.eventCounts.fault ?? 0} faults) ` +
          `${formatBytes(q.bytes)}, runs ${q.timing.runsMs.map((ms) => ms.toFixed(1)).join(' / ')} ms` +
          (q.lostEvents > 0 ? `, ${q.lostEvents} chunks LOST` : '') +
          `; stages ${Object.entries(q.stagesMs)
            .map(([stage, ms]) => `${stage} ${ms}`)
            .join(', ')} ms`,
      ),
  });
  const bytes = results.reduce((a, q) => a + q.bytes, 0);
  out(`capture: wrote ${results.length} traces, ${formatBytes(bytes)}, to ${outDir}`);
}

async function inspect(args: string[], out: Out): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { phases: { type: 'boolean' }, json: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) {
    throw new UsageError(`inspect needs one trace file or directory, got ${positionals.length}`);
  }
  let files: string[];
  try {
    files = traceFiles(positionals[0]);
  } catch {
    throw new UsageError(`inspect: "${positionals[0]}" is not a trace file or directory`);
  }
  const stats = [];
  for (const file of files) stats.push(await inspectTrace(file));
  if (values.json)
    out(
      JSON.stringify(
        stats.map(({ metadata: _, ...s }) => s),
        null,
        2,
      ),
    );
  else out(formatStats(stats, values.phases ?? false));
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], out: Out = console.log): Promise<number> {
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return 0;
      case 'gen':
        await gen(rest, out);
        return 0;
      case 'run':
        await run(rest, out);
        return 0;
      case 'capture':
        await capture(rest, out);
        return 0;
      case 'inspect':
        await inspect(rest, out);
        return 0;
      default:
        throw new UsageError(
          `unknown command "${command}" (commands: gen, run, capture, inspect, help)`,
        );
    }
  } catch (error) {
    const message = (error as Error).message.replace(/\s*\n\s*/g, ' ');
    if (error instanceof UsageError || isArgError(error)) {
      console.error(`unimem-duckdb: ${message}`);
      return 2;
    }
    console.error(`unimem-duckdb ${command}: ${message}`);
    return 1;
  }
}

function isArgError(error: unknown): boolean {
  return (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS') ?? false;
}

// Run when started as a script (`tsx src/cli.ts ...`), not when imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
