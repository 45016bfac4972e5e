// Captures memory traces of TPC-H queries: picks the best tracer that works here (perf, else
// strace, else a clear error), runs each query in its own process under it, cuts the events to
// the marked window and writes one trace file per query plus a capture.json summary.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { machineInfo } from '../machine.js';
import { loadQuery, queryName } from '../queries.js';
import { type QueryTiming, queryProcessCommand, runQueryProcess, timingOf } from '../run.js';
import type { TraceMetadata } from '../trace/metadata.js';
import { writeTrace } from '../trace/writer.js';
import { probePerf } from './perf.js';
import type { Tracer } from './raw.js';
import { probeStrace } from './strace.js';
import { WINDOW_DESCRIPTION, windowEvents } from './window.js';

export type CaptureMode = 'auto' | 'perf' | 'strace';
export const CAPTURE_MODES: readonly CaptureMode[] = ['auto', 'perf', 'strace'];

/** The tracer for `mode`; 'auto' prefers perf. Throws naming why each candidate is unusable. */
export async function chooseTracer(mode: CaptureMode): Promise<Tracer> {
  const reasons: string[] = [];
  if (mode !== 'strace') {
    const perf = await probePerf();
    if (typeof perf !== 'string') return perf;
    reasons.push(`perf: ${perf}`);
  }
  if (mode !== 'perf') {
    const strace = await probeStrace();
    if (typeof strace !== 'string') {
      return reasons.length > 0 ? { ...strace, reason: `${strace.reason}; ${reasons[0]}` } : strace;
    }
    reasons.push(`strace: ${strace}`);
  }
  throw new Error(`no usable tracer for capture mode ${mode}: ${reasons.join('; ')}`);
}

export interface CaptureOptions {
  db: string;
  sf: number;
  generatorVersion: string;
  queries: readonly number[];
  threads: number;
  repeat: number;
  outDir: string;
  tracer: Tracer;
  onQuery?: (result: CapturedQuery) => void;
}

export interface CapturedQuery {
  query: number;
  file: string;
  bytes: number;
  events: number;
  eventCounts: Record<string, number>;
  timing: QueryTiming;
  lostEvents: number;
}

/** Captures every query of `options.queries` into `options.outDir`. */
export async function captureQueries(options: CaptureOptions): Promise<CapturedQuery[]> {
  mkdirSync(options.outDir, { recursive: true });
  const results: CapturedQuery[] = [];
  for (const n of options.queries) {
    const result = await captureQuery(n, options);
    results.push(result);
    options.onQuery?.(result);
  }
  const { tracer } = options;
  const summary = {
    tracer: { mode: tracer.mode, version: tracer.version, reason: tracer.reason },
    sf: options.sf,
    duckdbThreads: options.threads,
    repeat: options.repeat,
    machine: machineInfo(),
    queries: results.map(({ timing, file, ...rest }) => ({
      file: basename(file),
      ...rest,
      ...timing,
    })),
  };
  writeFileSync(join(options.outDir, 'capture.json'), formatJson(summary));
  return results;
}

async function captureQuery(n: number, options: CaptureOptions): Promise<CapturedQuery> {
  const { tracer } = options;
  const job = {
    db: options.db,
    threads: options.threads,
    repeat: options.repeat,
    sql: loadQuery(n, options.sf).sql,
  };
  const dir = mkdtempSync(join(tmpdir(), 'unimem-capture-'));
  try {
    const data = join(dir, `${tracer.mode}.data`);
    const command = tracer.wrap(data, queryProcessCommand(job));
    const { result } = await runQueryProcess(command, `${queryName(n)} under ${tracer.mode}`);
    const { events: raw, lost } = await tracer.read(data);
    const windowed = windowEvents(raw, result.markers, result.pid, result.phases);
    const metadata: TraceMetadata = {
      format: 'unimem-trace',
      version: 1,
      query: n,
      sf: options.sf,
      duckdbThreads: options.threads,
      repeat: options.repeat,
      duckdbVersion: result.duckdbVersion,
      nodeVersion: process.version,
      generatorVersion: options.generatorVersion,
      machine: machineInfo(),
      tracer: {
        mode: tracer.mode,
        version: tracer.version,
        reason: tracer.reason,
        command: tracer.wrap('<data-file>', ['node', 'query-process.mjs', '<job-json>']),
        faults: tracer.faults,
        lostEvents: lost,
      },
      markers: result.markers,
      phases: windowed.phases,
      rows: result.rows,
      threads: windowed.threads,
      eventCounts: {},
      window: WINDOW_DESCRIPTION,
      capturedAt: new Date().toISOString(),
    };
    const file = join(options.outDir, `${queryName(n)}.trace.gz`);
    const written = await writeTrace(file, metadata, windowed.events);
    const eventCounts: Record<string, number> = {};
    for (const e of windowed.events) eventCounts[e.kind] = (eventCounts[e.kind] ?? 0) + 1;
    return {
      query: n,
      file,
      bytes: written.bytes,
      events: written.events,
      eventCounts,
      timing: timingOf(n, result),
      lostEvents: lost,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** JSON with 2-space indent and short number arrays on one line (as Biome formats them). */
function formatJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(
    /\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g,
    (whole, inner: string) => {
      const line = `[${inner.split(/,\s+/).join(', ')}]`;
      return line.length <= 60 ? line : whole;
    },
  );
  return `${text}\n`;
}
