// The `unimem` command line (bin.ts runs it). From the repository root: `pnpm unimem <command>`.
// Every bad input ends in one line naming the value and what is allowed, and exit code 2; a
// failed simulation exits 1, an interrupted run 130 (after writing what finished).

import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { builtinProfiles, resolveProfile } from '@unimem/hw';
import { TARGET_NAMES } from './api.js';
import { type CalibrationRow, calibrateSources, calibrationLines } from './calibrate.js';
import { runDemo } from './demo.js';
import { mergeResultSets } from './merge.js';
import {
  joinNegativeValues,
  parseCoreList,
  parseInteger,
  parseNameList,
  parseReplicas,
  parseScale,
} from './options.js';
import { checkOutputFile, checkOutputs } from './output-check.js';
import { loadRegistry } from './registry.js';
import { summaryLines } from './report/text-table.js';
import { writeFileAtomic } from './results/atomic.js';
import { readResultSet, resultsFile } from './results/json.js';
import { commandLine } from './results/meta.js';
import { writeReport, writeResultSet } from './results/write.js';
import { EXIT_INTERRUPTED, type Io, runBench } from './run-bench.js';
import { resolveShard } from './shard.js';
import { UsageError } from './usage-error.js';

export const USAGE = `unimem — DBMS-aware memory management for unikernels, on a modelled multicore machine

Usage: pnpm unimem <command> [options]
   or: npm run unimem -- <command> [options]   (no pnpm on PATH, as after npm run quickstart)

Commands:
  bench [NAMES...]  Runs benchmarks (default: the quick suite of every registered benchmark on
                    every default system) over core counts; writes results.json, results.duckdb
                    and report.html to --out. NAMES may end in * (frames.*)
  list              Lists benchmarks, systems, profiles and calibration sources
  report DIR        Re-renders DIR/report.html from DIR/results.json and prints the summary
  merge OUT DIR...  Joins the result sets of the shards of one sweep into OUT
  calibrate         Single-core runs vs published figures (ratio = simulated / published)
  demo              The hardware-model demo: shared line vs private lines vs a mutex
  help              Prints this text

Options of bench:
  --systems A,B         systems to run on (default: every default system that fits)
  --cores LIST          core counts, e.g. 1,4,16,64 (default: each benchmark's; frames.*:
                        1,2,4,...,64 quick, the thesis' 1,4,8,12,...,64 with --full)
  --scale F             multiplies memory and work, 0 < F <= 64 (default 1)
  --full                the published sizes (memory of the profile) instead of the quick ones
  --order K             frame order for frames.* benchmarks, 0..10 (default 0)
  --seed N              seed of the simulation, 0..4294967295 (default 1)
  --seeds N             runs every point with seeds seed..seed+N-1; tables and charts show the
                        mean and the spread (default 3 for the quick default suite, else 1)
  --iterations N        runs every point N times per seed, same workload, machine re-seeded
                        (the thesis' repeated boots); mean and spread (default 1)
  --config NAME         one of the thesis' other configurations (see unimem list)
  --profile NAME|FILE   machine profile: built-in name or JSON file (default epyc-9654p-guest)
  --out DIR             output folder (default ./results/<timestamp>)
  --json FILE           also write the result set's JSON to FILE
  --shard I/N           run slice I of N of the sweep (default: from SLURM_ARRAY_TASK_ID/COUNT)
  --jobs J              worker threads (default: available cores)
Options of calibrate: --scale F, --seed N, --json FILE
Options of demo: --profile NAME|FILE, --cores LIST

Examples:
  pnpm unimem bench
  pnpm unimem bench frames.bulk --systems llfree --cores 1,8,64 --order 9
  pnpm unimem bench --shard 1/4 --out results/s1    (then: pnpm unimem merge results/all results/s*)
`;

export const EXIT_USAGE = 2;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  progress?: Io['progress'];
  /** Aborting it stops a running sweep (the CLI wires SIGINT to it). */
  signal?: AbortSignal;
}

const consoleIo: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

export async function main(argv: string[], io: CliIo = consoleIo): Promise<number> {
  const [command = 'help', ...given] = argv;
  const rest = joinNegativeValues(given);
  try {
    switch (command) {
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return 0;
      case 'list':
        await list(io);
        return 0;
      case 'bench':
        return await bench(rest, argv, io);
      case 'report':
        return report(rest, io);
      case 'merge':
        return await merge(rest, argv, io);
      case 'calibrate':
        return await runCalibrate(rest, io);
      case 'demo': {
        const { values } = parseArgs({
          args: rest,
          options: { profile: { type: 'string' }, cores: { type: 'string' } },
          strict: true,
        });
        const profile = resolveProfile(values.profile ?? 'epyc-9654p-guest');
        runDemo(profile, parseCoreList(values.cores ?? '1,2,4,8,16,32,64'), io.out);
        return 0;
      }
      default:
        throw new UsageError(
          `unknown command "${command}" (commands: bench, list, report, merge, calibrate, demo, help)`,
        );
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof RangeError || isArgError(error)) {
      io.err(`unimem: ${oneLine((error as Error).message)}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

async function bench(args: string[], argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      systems: { type: 'string' },
      cores: { type: 'string' },
      scale: { type: 'string' },
      seed: { type: 'string' },
      profile: { type: 'string' },
      order: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'string' },
      full: { type: 'boolean' },
      shard: { type: 'string' },
      jobs: { type: 'string' },
      seeds: { type: 'string' },
      iterations: { type: 'string' },
      config: { type: 'string' },
    },
  });
  const replicas = parseReplicas(
    values,
    positionals.length === 0 && !values.full && values.config === undefined,
  );
  const registry = await loadRegistry();
  const request = {
    ...replicas,
    systems: values.systems === undefined ? undefined : parseNameList('--systems', values.systems),
    cores: values.cores === undefined ? undefined : parseCoreList(values.cores),
    scale: values.scale === undefined ? 1 : parseScale(values.scale),
    seed: values.seed === undefined ? 1 : parseInteger('--seed', values.seed, 0, 2 ** 32 - 1),
    order: values.order === undefined ? 0 : parseInteger('--order', values.order, 0, 10),
    full: values.full ?? false,
    profile: resolveProfile(values.profile ?? 'epyc-9654p-guest'),
    shard: resolveShard(values.shard),
    jobs: parseJobs(values.jobs, io),
    out: values.out,
    json: values.json,
    config: values.config,
    argv,
    // After the options, so a bad option is reported first, as when the plan checked names.
    names: registry.parseBenchmarkNames(positionals),
  };
  return withInterrupt(io, (signal) =>
    runBench(registry, request, {
      out: io.out,
      err: io.err,
      progress: io.progress ?? {
        write: (text) => process.stderr.write(text),
        isTTY: !!process.stderr.isTTY,
      },
      signal,
    }),
  );
}

function parseJobs(text: string | undefined, io: CliIo): number {
  if (text === undefined) return availableParallelism();
  const jobs = parseInteger('--jobs', text, 1, 1024);
  if (jobs > availableParallelism()) {
    io.err(
      `note: --jobs ${jobs} is more than the host's ${availableParallelism()} cores: the worker threads share them (same results, no faster)`,
    );
  }
  return jobs;
}

/**
 * Runs `body` with an AbortSignal that SIGINT or SIGTERM (pnpm's relay of Ctrl-C, a batch
 * system's time limit) or io.signal aborts. Another signal quits at once, unless it comes within a
 * second of the first: wrappers (pnpm, tsx) relay the terminal's signal to a process that got it
 * already from its process group.
 */
async function withInterrupt(
  io: CliIo,
  body: (signal: AbortSignal) => Promise<number>,
): Promise<number> {
  if (io.signal) return body(io.signal);
  const controller = new AbortController();
  let first = 0;
  const onSigint = () => {
    if (!controller.signal.aborted) {
      first = Date.now();
      io.err('\nunimem: interrupted, writing finished points (Ctrl-C again to quit at once)');
      controller.abort();
    } else if (Date.now() - first > 1000) {
      process.exit(EXIT_INTERRUPTED);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

async function list(io: CliIo): Promise<void> {
  const registry = await loadRegistry();
  io.out('Benchmarks:');
  for (const b of registry.benchmarks.values()) {
    const metrics = b.metrics.map((m) => `${m.name} (${m.unit})`).join(', ');
    io.out(
      `  ${b.name.padEnd(16)} needs ${TARGET_NAMES[b.target]}; ${metrics}${b.defaultSuite === false ? '; not in the default suite' : ''}`,
    );
    io.out(`  ${''.padEnd(16)} ${b.description}`);
    for (const c of b.configs ?? [])
      io.out(`  ${''.padEnd(16)} --config ${c.name}: ${c.description}`);
  }
  io.out('Systems:');
  for (const s of registry.systems.values()) {
    const kinds = s.provides.map((k) => TARGET_NAMES[k]).join(', ');
    io.out(
      `  ${s.name.padEnd(16)} provides ${kinds}${s.defaultSuite === false ? '; not in the default suite' : ''}`,
    );
    io.out(`  ${''.padEnd(16)} ${s.description}`);
  }
  io.out('Profiles:');
  for (const p of builtinProfiles) io.out(`  ${p.name.padEnd(16)} ${p.description}`);
  io.out('  (or a JSON file, which may say "extends": "<built-in>")');
  io.out('Calibration sources:');
  for (const c of registry.calibrationSources) {
    io.out(
      `  ${c.name.padEnd(16)} ${c.description}; ${c.published.figures.length} figures of system ${c.system} on ${c.published.profile}`,
    );
  }
}

function report(args: string[], io: CliIo): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length !== 1)
    throw new UsageError(
      'report takes one folder (example: pnpm unimem report results/2026-01-01T12-00-00)',
    );
  const set = readResultSet(positionals[0]);
  const path = writeReport(dirname(resultsFile(positionals[0])), set);
  for (const line of summaryLines(set)) io.out(line);
  io.out(`report: ${path}`);
  return 0;
}

async function merge(args: string[], argv: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length < 2) {
    throw new UsageError(
      'merge takes an output folder and at least one result folder (example: pnpm unimem merge results/all results/s1 results/s2)',
    );
  }
  const [out, ...inputs] = positionals;
  for (const input of inputs) {
    const file = resolve(resultsFile(input));
    if ([resolve(input), file, dirname(file)].includes(resolve(out))) {
      throw new UsageError(
        `merge: OUT "${out}" is also the input "${input}"; writing there would overwrite that shard (choose a new folder)`,
      );
    }
  }
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new UsageError(`merge: OUT "${out}" is a file, not a folder`);
  }
  const origins = inputs.map((path) => ({ path, set: readResultSet(path) }));
  const merged = mergeResultSets(origins, commandLine(argv), argv);
  checkOutputs({ option: 'merge: OUT', given: out, dir: resolve(out) });
  const written = await writeResultSet(out, merged);
  for (const line of summaryLines(merged)) io.out(line);
  io.out(
    `merged ${inputs.length} result sets (${merged.points.length} points) into ${written.json}`,
  );
  io.out(`report: ${written.report}`);
  return 0;
}

async function runCalibrate(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      scale: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const registry = await loadRegistry();
  const options = {
    scale: values.scale === undefined ? 1 : parseScale(values.scale),
    seed: values.seed === undefined ? 1 : parseInteger('--seed', values.seed, 0, 2 ** 32 - 1),
  };
  if (values.json !== undefined) checkOutputFile('--json', values.json);
  return withInterrupt(io, async (signal) => {
    let results: CalibrationRow[];
    try {
      results = await calibrateSources(registry, {
        ...options,
        signal,
        onSkip: (source, why) => io.err(`skipped ${source.name}: ${why}`),
        onSource: (source, bytesPerCore) =>
          io.err(
            `calibrating ${source.name}: system ${source.system} on ${source.published.profile} at 1 core, ${bytesPerCore / 2 ** 20} MiB per core`,
          ),
      });
    } catch (error) {
      io.err(`unimem: calibration failed: ${oneLine((error as Error).message)}`);
      return 1;
    }
    for (const line of calibrationLines(results)) io.out(line);
    if (values.json)
      writeFileAtomic(values.json, `${JSON.stringify({ rows: results }, null, 1)}\n`);
    return signal.aborted ? EXIT_INTERRUPTED : 0;
  });
}

function isArgError(error: unknown): boolean {
  return (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS') ?? false;
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}
