// The metadata JSON of a trace's header line (format version 1): what was run, on what, under
// which tracer, and the query process' own timings and fault counters. `validateMetadata`
// checks the fields every consumer relies on and names the first one that is wrong.

export type TracerMode = 'perf' | 'strace';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  kernel: string;
  memoryBytes: number;
  /** /sys/kernel/mm/transparent_hugepage/enabled, the selected value (always/madvise/never). */
  thp: string;
}

export interface TracerInfo {
  mode: TracerMode;
  /** `perf version` / `strace -V` first line. */
  version: string;
  /** Why this mode was chosen (e.g. "perf works: perf_event_paranoid=2, tracepoints readable"). */
  reason: string;
  /** The tracer command line, with the query process' arguments elided. */
  command: string[];
  /** 'addresses' when every fault is an event (perf); 'counters' when only counts are known. */
  faults: 'addresses' | 'counters';
  /** Samples the tracer reported lost (perf), 0 when none. */
  lostEvents: number;
}

/** Timings and fault counters of one phase (open, run1, run2, ...) measured in the process. */
export interface PhaseInfo {
  phase: string;
  ms: number;
  /** CPU time of the whole process (user + system, all threads) in the phase; absent in traces
   * captured before it was recorded. Less sensitive to other load than `ms`. */
  cpuMs?: number;
  minorFaults: number;
  majorFaults: number;
  /** Minor and major faults per thread index (threads with no faults left out). */
  threadFaults: Record<string, [number, number]>;
}

export interface ThreadInfo {
  /** Index used in events. */
  id: number;
  /** OS thread id during capture. */
  tid: number;
  main: boolean;
  /** CPUs the tracer saw the thread on (perf, version 2), in order of first appearance. */
  cpus?: number[];
}

/** How the allocation layer was captured (version 2 traces with allocation events). */
export interface AllocationCaptureInfo {
  /** e.g. "LD_PRELOAD interposer native/malloc-trace.c (duckdb_je_* via PLT, glibc malloc)". */
  method: string;
  /** Heap number → what it is (alloc-events.ts Heap). */
  heaps: Record<string, string>;
  /** Calls recorded inside the window per heap, before aggregation. */
  calls: Record<string, number>;
  /** The aggregation rule applied (capture/aggregate.ts), and what it folded. */
  aggregation: { rule: string; maxSizeBytes: number; batchedCalls: number; batchEvents: number };
  /** Interposer clock minus perf clock at the markers (ns; both CLOCK_MONOTONIC), largest |x|. */
  clockSkewNs: number;
}

export interface TraceMetadata {
  format: 'unimem-trace';
  /** 1: syscalls, faults, markers; 2: also allocations and fault access kinds. */
  version: 1 | 2;
  /** TPC-H query number 1..22. */
  query: number;
  sf: number;
  /** DuckDB `threads` setting. */
  duckdbThreads: number;
  /** Runs in the process: run 1 is cold, later runs warm. */
  repeat: number;
  duckdbVersion: string;
  nodeVersion: string;
  generatorVersion: string;
  machine: MachineInfo;
  tracer: TracerInfo;
  /** Marker labels in order: open-start, open-end, run1-start, run1-end, ... */
  markers: string[];
  phases: PhaseInfo[];
  /** Result rows per run. */
  rows: number[];
  threads: ThreadInfo[];
  /** Events per kind in the file. */
  eventCounts: Record<string, number>;
  /** Version 2: how allocations were captured; absent when the trace has none. */
  allocations?: AllocationCaptureInfo;
  /** How events were selected: e.g. "all events from the first to the last marker". */
  window: string;
  capturedAt: string;
}

/** Returns a description of the first problem with `value` as metadata, or undefined. */
export function validateMetadata(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'metadata is not a JSON object';
  }
  const m = value as Record<string, unknown>;
  if (m.format !== 'unimem-trace') return `metadata.format is ${JSON.stringify(m.format)}`;
  if (m.version !== 1 && m.version !== 2) {
    return `metadata.version ${JSON.stringify(m.version)} is not supported (1, 2)`;
  }
  const checks: Array<[string, boolean]> = [
    ['query', Number.isInteger(m.query) && (m.query as number) >= 1 && (m.query as number) <= 22],
    ['sf', typeof m.sf === 'number' && m.sf > 0],
    ['duckdbThreads', Number.isInteger(m.duckdbThreads) && (m.duckdbThreads as number) > 0],
    ['repeat', Number.isInteger(m.repeat) && (m.repeat as number) > 0],
    ['duckdbVersion', typeof m.duckdbVersion === 'string'],
    ['machine', typeof m.machine === 'object' && m.machine !== null],
    ['tracer', isTracer(m.tracer)],
    ['markers', Array.isArray(m.markers) && m.markers.every((x) => typeof x === 'string')],
    ['phases', Array.isArray(m.phases)],
    ['threads', Array.isArray(m.threads)],
  ];
  for (const [field, ok] of checks) {
    if (!ok) return `metadata.${field} is missing or invalid (${clip(JSON.stringify(m[field]))})`;
  }
  return phasesProblem(m.phases as unknown[]);
}

const isCount = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
const isMs = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;

/** The first field of metadata.phases (PhaseInfo[]) that is wrong, named with its index. */
function phasesProblem(phases: unknown[]): string | undefined {
  for (const [i, phase] of phases.entries()) {
    if (typeof phase !== 'object' || phase === null || Array.isArray(phase)) {
      return `metadata.phases[${i}] is not an object (${clip(JSON.stringify(phase))})`;
    }
    const p = phase as Record<string, unknown>;
    const threadFaults = p.threadFaults;
    const checks: Array<[string, boolean]> = [
      ['phase', typeof p.phase === 'string' && p.phase !== ''],
      ['ms', isMs(p.ms)],
      ['cpuMs', p.cpuMs === undefined || isMs(p.cpuMs)],
      ['minorFaults', isCount(p.minorFaults)],
      ['majorFaults', isCount(p.majorFaults)],
      [
        'threadFaults',
        typeof threadFaults === 'object' &&
          threadFaults !== null &&
          !Array.isArray(threadFaults) &&
          Object.values(threadFaults).every(
            (pair) => Array.isArray(pair) && pair.length === 2 && pair.every(isCount),
          ),
      ],
    ];
    for (const [field, ok] of checks) {
      if (!ok) {
        return `metadata.phases[${i}].${field} is missing or invalid (${clip(JSON.stringify(p[field]))})`;
      }
    }
  }
  return undefined;
}

function isTracer(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return (t.mode === 'perf' || t.mode === 'strace') && typeof t.faults === 'string';
}

function clip(text: string | undefined): string {
  if (text === undefined) return 'undefined';
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
