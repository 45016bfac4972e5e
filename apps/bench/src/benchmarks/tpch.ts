// Macro-benchmark `tpch`: replay of DuckDB's TPC-H memory traces (benchmarks/tpch, captured by
// @unimem/duckdb-driver) on a memory-system preset (src/replay/replayer.ts for threads, time and
// order; src/replay/process.ts for address translation and policies). One case per trace
// (variant `t8/q06` = 8 DuckDB threads, query 6); the whole process window (open + 3 runs) is
// replayed, then every mapping is released. Quick: queries 1, 6, 9, 18 of sf0.1-t8; --full: all
// 22 queries of sf0.1-t8 and sf0.1-t64. --scale F < 1 replays the first F of each trace's events
// (teardown still releases everything); F ≥ 1 replays every event (params.eventFraction says
// which). The projected query time is derived afterwards from the points (replay/projection.ts).

import { fileURLToPath } from 'node:url';
import type { BenchmarkDefinition, CaseContext, Measurement, ParamOptions } from '../api.js';
import { presetOf } from '../micro.js';
import { TraceReplay } from '../replay/replayer.js';
import { type LoadedTrace, loadTrace } from '../replay/trace-file.js';
import { GIB } from '../units.js';

type TpchParams = {
  traceDir: string;
  traces: string;
  eventFraction: number;
  memoryBytes: number;
};

const NAME = 'tpch';
const QUICK_QUERIES = [1, 6, 9, 18];
const ALL_QUERIES = Array.from({ length: 22 }, (_, i) => i + 1);
/** benchmarks/tpch of the repository, resolved from this file (apps/bench/src/benchmarks). */
export const TRACE_ROOT = fileURLToPath(new URL('../../../../benchmarks/tpch/', import.meta.url));

function label(threads: number, query: number): string {
  return `t${threads}/q${String(query).padStart(2, '0')}`;
}

/** The trace file of a variant label `t8/q06`. */
export function tracePath(root: string, variant: string): string {
  const match = /^t(\d+)\/q(\d\d)$/.exec(variant);
  if (!match) throw new RangeError(`${NAME}: variant "${variant}" is not t<threads>/q<NN>`);
  return `${root}/sf0.1-t${match[1]}/q${match[2]}.trace.gz`;
}

function params({ full, scale }: ParamOptions): TpchParams {
  if (!(scale > 0)) throw new RangeError(`${NAME}: --scale ${scale} must be > 0`);
  const traces = full
    ? [8, 64].flatMap((t) => ALL_QUERIES.map((q) => label(t, q)))
    : QUICK_QUERIES.map((q) => label(8, q));
  return {
    traceDir: 'benchmarks/tpch',
    traces: traces.join(','),
    eventFraction: Math.min(1, scale),
    memoryBytes: 4 * GIB,
  };
}

const METRICS = [
  { name: 'memoryCycles', unit: 'cycles', description: 'cycles inside memory calls and touches' },
  { name: 'lockWaitCycles', unit: 'cycles', description: 'cycles waiting for locks' },
  { name: 'faults', unit: 'faults', description: 'page faults the simulated system took' },
  { name: 'ipis', unit: 'IPIs', description: 'IPIs sent (TLB shootdowns)' },
  { name: 'coldReplayMs', unit: 'ms (simulated)', description: 'replayed run 1 (cold), simulated' },
  { name: 'coldMeasuredMs', unit: 'ms', description: 'run 1 as DuckDB measured it on Linux' },
  {
    name: 'projectedColdMs',
    unit: 'ms (projection)',
    description: 'projection: measured + (replayed run 1 − linux+jemalloc replayed run 1)',
  },
] as const;

function phaseMs(trace: LoadedTrace, phase: string): number | undefined {
  return trace.metadata.phases.find((p) => p.phase === phase)?.ms;
}

/** Index of the event carrying marker `label`, if it is among the replayed events. */
function markerIndex(events: LoadedTrace['events'], label: string): number {
  return events.findIndex((e) => e.kind === 'marker' && e.label === label);
}

export const benchmarks: BenchmarkDefinition<TpchParams>[] = [
  {
    name: NAME,
    description:
      'replays DuckDB TPC-H memory traces (SF 0.1; quick: Q1, Q6, Q9, Q18 at 8 threads) thread by thread',
    target: 'memory-system',
    metrics: METRICS,
    cores: { quick: [8], full: [8, 64] },
    params,
    memoryBytes: (p) => p.memoryBytes,
    variants: (p) => p.traces.split(','),
    xAxis: { variant: 'query' },
    chart: { kind: 'bars' },
    prepare({ machine, parts, params: p, variant }: CaseContext<TpchParams>) {
      const preset = presetOf(parts);
      const trace = loadTrace(tracePath(`${TRACE_ROOT}`, String(variant)));
      const count = Math.max(1, Math.round(trace.events.length * p.eventFraction));
      const events = trace.events.slice(0, count);
      const replay = new TraceReplay({
        machine,
        memory: preset.memory,
        events,
        threads: trace.metadata.threads.length,
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
            events: events.length,
            replayCores: replay.replayCores,
            leakedPhysBytes: startFree - stats.freePhysBytes,
            leftMappedBytes: stats.mappedBytes - startMapped,
          };
          const total = (name: string) => replay.counterTotals[name] ?? 0;
          const point = (metric: string, value: number, unit: string): Measurement => ({
            metric,
            value,
            unit,
            ops: events.length,
            counters,
          });
          const out = [
            point('memoryCycles', replay.memoryCycles, 'cycles'),
            point('lockWaitCycles', total('lockWaitCycles'), 'cycles'),
            point('faults', total('faults'), 'faults'),
            point('ipis', total('ipisSent'), 'IPIs'),
          ];
          const start = markerIndex(events, 'run1-start');
          const end = markerIndex(events, 'run1-end');
          const measured = phaseMs(trace, 'run1');
          if (start >= 0 && end >= 0 && measured !== undefined) {
            const cycles = replay.timeAt(end) - replay.timeAt(start);
            out.push(point('coldReplayMs', machine.seconds(cycles) * 1e3, 'ms (simulated)'));
            out.push(point('coldMeasuredMs', measured, 'ms'));
          }
          return out;
        },
      };
    },
  },
];
