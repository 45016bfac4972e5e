// Captures memory traces of TPC-H queries: picks the best tracer that works here (perf, else
// strace, else a clear error), runs each query in its own process under it — with the allocation
// interposer preloaded into the query process (not into the tracer) unless allocations are off —
// merges the two event streams on their common clock, cuts the events to the marked window,
// folds short-lived small allocations (aggregate.ts) and writes one trace file per query plus a
// capture.json summary.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { machineInfo } from '../machine.js';
import { loadQuery, queryName } from '../queries.js';
import { type QueryTiming, queryProcessCommand, runQueryProcess, timingOf } from '../run.js';
import { HEAP_NAMES, type TraceEvent } from '../trace/format.js';
import type { AllocationCaptureInfo, ThreadInfo, TraceMetadata } from '../trace/metadata.js';
import { writeTrace } from '../trace/writer.js';
import { aggregateAllocations, DEFAULT_AGGREGATION } from './aggregate.js';
import { type Interposer, readInterposerOutput } from './interposer.js';
import { mergeAllocations } from './merge.js';
import { probePerf } from './perf.js';
import type { RawEvent, Tracer } from './raw.js';
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
  /** The allocation interposer; undefined captures syscalls and faults only (version 1). */
  interposer?: Interposer;
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
  /** Wall milliseconds of each capture stage (query process under the tracer, parsing, ...). */
  stagesMs: Record<string, number>;
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
    allocations: options.interposer ? 'interposer' : 'none',
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
    const allocFile = join(dir, 'alloc.bin');
    const { interposer } = options;
    const preload = interposer
      ? ['env', ...Object.entries(interposer.env(allocFile)).map(([k, v]) => `${k}=${v}`)]
      : [];
    const command = tracer.wrap(data, [...preload, ...queryProcessCommand(job)]);
    const stages = new StageClock();
    const { result } = await runQueryProcess(command, `${queryName(n)} under ${tracer.mode}`);
    stages.lap('process');
    const { events: tracerEvents, lost } = await tracer.read(data);
    stages.lap('tracerRead');
    let raw = tracerEvents;
    let allocations: AllocationCaptureInfo | undefined;
    if (interposer) {
      const decoded = readInterposerOutput(allocFile);
      stages.lap('interposerRead');
      const merged = mergeAllocations(tracerEvents, decoded);
      raw = merged.events;
      allocations = merged.info;
      stages.lap('merge');
    }
    const windowed = windowEvents(raw, result.markers, result.pid, result.phases);
    stages.lap('window');
    let events = windowed.events;
    if (allocations) {
      const folded = finishAllocations(windowed.events, allocations);
      events = folded;
      stages.lap('aggregate');
    }
    const metadata: TraceMetadata = {
      format: 'unimem-trace',
      version: allocations ? 2 : 1,
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
      threads: withCpus(windowed.threads, raw),
      eventCounts: {},
      ...(allocations ? { allocations } : {}),
      window: WINDOW_DESCRIPTION,
      capturedAt: new Date().toISOString(),
    };
    const file = join(options.outDir, `${queryName(n)}.trace.gz`);
    const written = await writeTrace(file, metadata, events);
    stages.lap('write');
    const eventCounts: Record<string, number> = {};
    for (const e of events) eventCounts[e.kind] = (eventCounts[e.kind] ?? 0) + 1;
    return {
      query: n,
      file,
      bytes: written.bytes,
      events: written.events,
      eventCounts,
      timing: timingOf(n, result),
      lostEvents: lost,
      stagesMs: stages.laps,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Counts the window's calls per heap, then folds short-lived small allocations into batches. */
function finishAllocations(events: TraceEvent[], info: AllocationCaptureInfo): TraceEvent[] {
  for (const e of events) {
    if (e.kind === 'alloc' || e.kind === 'free' || e.kind === 'realloc') {
      const key = `${HEAP_NAMES[e.heap]} ${e.kind}`;
      info.calls[key] = (info.calls[key] ?? 0) + 1;
    }
  }
  const folded = aggregateAllocations(events, DEFAULT_AGGREGATION);
  info.aggregation.batchedCalls = folded.batchedCalls;
  info.aggregation.batchEvents = folded.batchEvents;
  return folded.events;
}

/** The CPUs each thread was seen on (perf --sample-cpu), in order of first appearance. */
function withCpus(threads: ThreadInfo[], raw: readonly RawEvent[]): ThreadInfo[] {
  const cpus = new Map<number, number[]>();
  for (const e of raw) {
    if (e.cpu === undefined) continue;
    let list = cpus.get(e.tid);
    if (!list) cpus.set(e.tid, (list = []));
    if (!list.includes(e.cpu)) list.push(e.cpu);
  }
  return threads.map((t) => (cpus.has(t.tid) ? { ...t, cpus: cpus.get(t.tid) } : t));
}

/** Wall time between successive laps, by stage name, in whole milliseconds. */
class StageClock {
  readonly laps: Record<string, number> = {};
  private last = performance.now();

  lap(stage: string): void {
    const now = performance.now();
    this.laps[stage] = Math.round(now - this.last);
    this.last = now;
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
