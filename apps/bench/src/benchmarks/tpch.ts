// Macro-benchmark `tpch`: replay of DuckDB's TPC-H memory traces (benchmarks/tpch, captured by
// @unimem/duckdb-driver) on a memory-system preset (src/replay/replayer.ts for threads, time, order
// and phases; src/replay/heap.ts for allocations through the preset's malloc; src/replay/process.ts
// for address translation and policies). One case per query (variant `q06`); the trace is the
// one captured with as many DuckDB threads as the case has cores (the thesis ran DuckDB with
// threads = vCPUs), or the nearest committed thread count (8 or 64). The whole process window
// (open + cold run + warm runs) is replayed in order, so the warm runs start from the state the
// cold run left; the warm metrics (mean over runs 2..R, as the thesis dropped the first run) are
// the reported ones, the cold run is reported beside them. Quick: Q1, Q6, Q9, Q18, --full: all
// 22 queries, both at the largest scale factor committed for all of them (SF 1: the SF 0.1
// traces are not SF 1 scaled down and reversed 40 of SF 1's orders; they stay for tests and
// small runs by hand). --scale F < 1
// replays the first F of each trace's events (phases beyond the prefix are not reported). The
// projected query times are derived afterwards from the points (replay/projection.ts).

import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GiB } from '@unimem/core';
import type { BenchmarkDefinition, Measurement, ParamOptions, PresetCase } from '../api.js';
import type { RecordedCpus } from '../replay/placement.js';
import { type PhaseReplay, TraceReplay } from '../replay/replayer.js';
import { type LoadedTrace, loadTrace } from '../replay/trace-file.js';

type TpchParams = {
  traceDir: string;
  sf: number;
  queries: string;
  eventFraction: number;
  memoryBytes: number;
};

const NAME = 'tpch';
const QUICK_QUERIES = [1, 6, 9, 18];
const ALL_QUERIES = Array.from({ length: 22 }, (_, i) => i + 1);
/** DuckDB thread counts of the committed traces. */
export const TRACE_THREADS = [8, 64] as const;
/** benchmarks/tpch of the repository, resolved from this file (apps/bench/src/benchmarks). */
export const TRACE_ROOT = fileURLToPath(new URL('../../../../benchmarks/tpch/', import.meta.url));

function label(query: number): string {
  return `q${String(query).padStart(2, '0')}`;
}

/** The committed trace thread count for a case with `cores` cores. */
export function traceThreads(cores: number): number {
  return cores <= TRACE_THREADS[0] ? TRACE_THREADS[0] : TRACE_THREADS[1];
}

/** The trace file of variant `q06` (or the older `t8/q06`) at `sf` for a case with `cores`. */
export function tracePath(root: string, variant: string, sf = 0.1, cores = 8): string {
  const match = /^(?:t(\d+)\/)?q(\d\d)$/.exec(variant);
  if (!match)
    throw new RangeError(`${NAME}: variant "${variant}" is not q<NN> or t<threads>/q<NN>`);
  const threads = match[1] ? Number(match[1]) : traceThreads(cores);
  return `${root}/sf${sf}-t${threads}/q${match[2]}.trace.gz`;
}

/** Where the capture saw each thread run, by thread index (replay/placement.ts). */
function recordedCpus(trace: LoadedTrace): RecordedCpus {
  const cpus: (number[] | undefined)[] = [];
  for (const thread of trace.metadata.threads) cpus[thread.id] = thread.cpus;
  return { cpus, machineCores: trace.metadata.machine.cores };
}

/** The largest scale factor with all 22 traces for every committed thread count. */
export function largestCompleteSf(root: string): number {
  let best = 0.1;
  if (!existsSync(root)) return best;
  for (const dir of readdirSync(root)) {
    const match = /^sf([\d.]+)-t8$/.exec(dir);
    const sf = match ? Number(match[1]) : 0;
    if (!(sf > best)) continue;
    const complete = TRACE_THREADS.every((t) =>
      ALL_QUERIES.every((q) => existsSync(`${root}/sf${sf}-t${t}/${label(q)}.trace.gz`)),
    );
    if (complete) best = sf;
  }
  return best;
}

function params({ full, scale }: ParamOptions): TpchParams {
  if (!(scale > 0)) throw new RangeError(`${NAME}: --scale ${scale} must be > 0`);
  return {
    traceDir: 'benchmarks/tpch',
    sf: largestCompleteSf(TRACE_ROOT),
    queries: (full ? ALL_QUERIES : QUICK_QUERIES).map(label).join(','),
    eventFraction: Math.min(1, scale),
    memoryBytes: 4 * GiB,
  };
}

/** Counters reported per warm run (mean over runs 2..R), as metrics of their own. */
const WARM_COUNTERS: ReadonlyArray<[metric: string, counter: string, unit: string]> = [
  ['lockWaitCycles', 'lockWaitCycles', 'cycles'],
  ['faults', 'faults', 'faults'],
  ['ipis', 'ipisSent', 'IPIs'],
  ['lineTransfers', 'lineTransfers', 'transfers'],
];

const METRICS = [
  {
    name: 'warmMemoryCycles',
    unit: 'cycles',
    description:
      'memory-subsystem cycles of one warm run (mean over runs 2..R): malloc, faults, syscalls',
  },
  { name: 'coldMemoryCycles', unit: 'cycles', description: 'memory-subsystem cycles of run 1' },
  { name: 'memoryCycles', unit: 'cycles', description: 'memory-subsystem cycles, whole replay' },
  { name: 'lockWaitCycles', unit: 'cycles', description: 'lock wait per warm run' },
  { name: 'faults', unit: 'faults', description: 'page faults per warm run (simulated system)' },
  { name: 'ipis', unit: 'IPIs', description: 'IPIs sent per warm run (TLB shootdowns)' },
  { name: 'lineTransfers', unit: 'transfers', description: 'cache-line transfers per warm run' },
  {
    name: 'mallocCalls',
    unit: 'calls',
    description: 'malloc calls per warm run (batches included)',
  },
  { name: 'warmReplayMs', unit: 'ms (simulated)', description: 'a replayed warm run, simulated' },
  { name: 'coldReplayMs', unit: 'ms (simulated)', description: 'replayed run 1 (cold), simulated' },
  { name: 'warmMeasuredMs', unit: 'ms', description: 'warm runs as DuckDB measured them on Linux' },
  { name: 'coldMeasuredMs', unit: 'ms', description: 'run 1 as DuckDB measured it on Linux' },
  {
    name: 'projectedWarmMs',
    unit: 'ms (projection)',
    description: 'projection: measured warm + (replayed warm − linux+jemalloc replayed warm)',
  },
  {
    name: 'projectedColdMs',
    unit: 'ms (projection)',
    description: 'projection: measured + (replayed run 1 − linux+jemalloc replayed run 1)',
  },
] as const;

function phaseMs(trace: LoadedTrace, phase: string): number | undefined {
  return trace.metadata.phases.find((p) => p.phase === phase)?.ms;
}

/** Runs of the trace (run1, run2, ...) that the replay covered completely. */
function replayedRuns(replay: TraceReplay, trace: LoadedTrace, count: number): number[] {
  const runs: number[] = [];
  for (let run = 1; run <= trace.metadata.repeat; run++) {
    const end = trace.events.findIndex((e) => e.kind === 'marker' && e.label === `run${run}-end`);
    if (end >= 0 && end < count && replay.phase(`run${run}-start`)) runs.push(run);
  }
  return runs;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export const benchmarks: BenchmarkDefinition<TpchParams, 'memory-system', typeof NAME>[] = [
  {
    name: NAME,
    description:
      'replays DuckDB TPC-H traces (allocations through the preset malloc, faults, syscalls); warm runs reported (quick: Q1, Q6, Q9, Q18 at SF 0.1)',
    target: 'memory-system',
    metrics: METRICS,
    cores: { quick: [8], full: [8, 64] },
    params,
    memoryBytes: (p) => p.memoryBytes,
    variants: (p) => p.queries.split(','),
    xAxis: { variant: 'query' },
    chart: { kind: 'bars' },
    prepare({ machine, parts, params: p, variant, cores }: PresetCase<TpchParams>) {
      const preset = parts['memory-system'];
      const trace = loadTrace(tracePath(TRACE_ROOT, String(variant), p.sf, cores));
      const count = Math.max(1, Math.round(trace.events.length * p.eventFraction));
      const events = trace.events.slice(0, count);
      const replay = new TraceReplay({
        machine,
        memory: preset.memory,
        malloc: preset.malloc,
        events,
        threads: trace.metadata.threads.length,
        recordedCpus: recordedCpus(trace),
      });
      const barrier = machine.barrier(machine.cores);
      const startFree = preset.memory.stats().freePhysBytes;
      const startMapped = preset.memory.stats().mappedBytes;
      return {
        program: (core) => replay.program(core, barrier),
        results: () => {
          const stats = preset.memory.stats();
          const counters: Record<string, number> = {
            ...replay.counterTotals,
            ...replay.process.counts,
            ...(replay.heap?.counts ?? {}),
            events: events.length,
            traceThreads: trace.metadata.duckdbThreads,
            sf: trace.metadata.sf,
            replayCores: replay.replayCores,
            recordedPlacement: replay.placement.rule === 'recorded' ? 1 : 0,
            // With allocation replay the preset's malloc may keep freed memory cached (jemalloc
            // retains extents, mempool keeps pool pages), so these need not be 0 then.
            leakedPhysBytes: startFree - stats.freePhysBytes,
            leftMappedBytes: stats.mappedBytes - startMapped,
            liveAllocationsLeft: replay.heap?.liveAllocations ?? 0,
            heldMappingsLeft: replay.process.heldMappings,
          };
          const point = (metric: string, value: number, unit: string): Measurement => ({
            metric,
            value,
            unit,
            ops: events.length,
            counters,
          });
          const out = [point('memoryCycles', replay.memoryCycles, 'cycles')];
          const runs = replayedRuns(replay, trace, count);
          const phaseOf = (run: number) => replay.phase(`run${run}-start`) as PhaseReplay;
          const ms = (ph: PhaseReplay) => machine.seconds(ph.endClock - ph.startClock) * 1e3;
          if (runs.includes(1)) {
            const cold = phaseOf(1);
            out.push(point('coldMemoryCycles', cold.memoryCycles, 'cycles'));
            out.push(point('coldReplayMs', ms(cold), 'ms (simulated)'));
            const measured = phaseMs(trace, 'run1');
            if (measured !== undefined) out.push(point('coldMeasuredMs', measured, 'ms'));
          }
          const warm = runs.filter((r) => r > 1).map(phaseOf);
          if (warm.length > 0) {
            out.push(point('warmMemoryCycles', mean(warm.map((ph) => ph.memoryCycles)), 'cycles'));
            out.push(point('warmReplayMs', mean(warm.map(ms)), 'ms (simulated)'));
            for (const [metric, counter, unit] of WARM_COUNTERS) {
              out.push(point(metric, mean(warm.map((ph) => ph.counters[counter] ?? 0)), unit));
            }
            out.push(point('mallocCalls', mean(warm.map((ph) => ph.mallocCalls)), 'calls'));
            const measured = runs
              .filter((r) => r > 1)
              .map((r) => phaseMs(trace, `run${r}`))
              .filter((x): x is number => x !== undefined);
            if (measured.length > 0) out.push(point('warmMeasuredMs', mean(measured), 'ms'));
          }
          return out;
        },
      };
    },
  },
];
