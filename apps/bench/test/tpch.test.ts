// The TPC-H replay: on every registered memory-system preset a committed trace (format 2) replays
// through the preset's malloc, faults reach the system, and the replay ends with every traced
// allocation freed and every mapping released; a format-1 trace still replays its syscalls and
// leaves free physical memory where it started; a corrupted trace fails with the reader's error naming the
// record; the address map splits as munmap/mprotect require; the projection needs its baseline.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GiB } from '@unimem/core';
import { parseTraceSync, TraceFormatError } from '@unimem/duckdb-driver/trace';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import type { Point } from '../src/api.js';
import { TRACE_ROOT, tracePath } from '../src/benchmarks/tpch.js';
import { loadRegistry } from '../src/registry.js';
import { AddressMap } from '../src/replay/address-map.js';
import { projectQueryTimes } from '../src/replay/projection.js';
import { TraceReplay } from '../src/replay/replayer.js';
import { loadTrace } from '../src/replay/trace-file.js';

const registry = await loadRegistry();
const presets = registry.systemsFor('memory-system').map((s) => s.name);
const CORES = 4;

function replayOn(systemName: string, variant: string, eventFraction: number) {
  const system = registry.system(systemName);
  const bench = registry.benchmark('tpch');
  const machine = new Machine({ cores: CORES, seed: 1 });
  const parts = system.build({ machine, cores: CORES, memoryBytes: GiB, seed: 1, boot: true });
  let booted = 0;
  for (let core = 0; core < CORES; core++) booted = Math.max(booted, machine.now(core));
  for (let core = 0; core < CORES; core++) machine.advanceTo(booted, core);
  const memory = parts['memory-system']!.memory;
  const before = memory.stats();
  const params = {
    traceDir: 'benchmarks/tpch',
    sf: 0.1,
    queries: variant,
    eventFraction,
    memoryBytes: GiB,
  };
  const prepared = bench.prepare({ machine, parts, cores: CORES, params, variant, seed: 1 });
  machine.run(prepared.program, { cores: CORES });
  return { before, after: memory.stats(), results: prepared.results() };
}

describe('tpch replay', () => {
  it('has presets to replay on', () => {
    expect(presets.length).toBeGreaterThan(0);
  });

  for (const preset of presets) {
    it(`replays a trace prefix on ${preset} through its malloc and releases everything`, () => {
      const { results } = replayOn(preset, 'q06', 0.15);
      const byMetric = new Map(results.map((m) => [m.metric, m]));
      const counters = byMetric.get('memoryCycles')!.counters;
      expect(counters.events).toBeGreaterThan(0);
      expect(counters.mallocCalls).toBeGreaterThan(0);
      expect(counters.allocationFaults + counters.backgroundFaults).toBeGreaterThan(0);
      expect(counters.allocatorSyscalls).toBe(counters.syscalls);
      expect(counters.faults).toBeGreaterThan(0);
      expect(byMetric.get('memoryCycles')!.value).toBeGreaterThan(0);
      expect(counters.liveAllocationsLeft).toBe(0);
      expect(counters.heldMappingsLeft).toBe(0);
    });
  }

  it('replays a format-1 trace (no allocations) and releases every mapping', () => {
    const machine = new Machine({ cores: CORES, seed: 1 });
    const parts = registry.system(presets[0]).build({
      machine,
      cores: CORES,
      memoryBytes: GiB,
      seed: 1,
      boot: true,
    });
    const preset = parts['memory-system']!;
    const before = preset.memory.stats();
    const trace = loadTrace(
      fileURLToPath(new URL('./fixtures/trace-v1-q06.trace.gz', import.meta.url)),
    );
    expect(trace.metadata.version).toBe(1);
    const events = trace.events.slice(0, Math.round(trace.events.length * 0.15));
    const replay = new TraceReplay({
      machine,
      memory: preset.memory,
      malloc: preset.malloc,
      events,
      threads: trace.metadata.threads.length,
    });
    const barrier = machine.barrier(CORES);
    machine.run((core) => replay.program(core, barrier), { cores: CORES });
    expect(replay.heap).toBeUndefined();
    expect(
      replay.process.counts.traceFaults + replay.process.counts.backgroundFaults,
    ).toBeGreaterThan(0);
    expect(replay.process.counts.teardownMunmaps).toBeGreaterThan(0);
    const after = preset.memory.stats();
    expect(after.mappedBytes).toBe(before.mappedBytes);
    expect(after.freePhysBytes).toBe(before.freePhysBytes);
  });

  it('reports the cold run and the warm runs when the replay covers them', () => {
    const { results } = replayOn(presets[0], 'q06', 1);
    const value = (metric: string) => results.find((m) => m.metric === metric)?.value;
    for (const metric of ['coldReplayMs', 'coldMeasuredMs', 'warmReplayMs', 'warmMeasuredMs']) {
      expect(value(metric), metric).toBeGreaterThan(0);
    }
    expect(value('warmMemoryCycles')).toBeGreaterThan(0);
    expect(value('memoryCycles')).toBeGreaterThan(value('warmMemoryCycles')!);
  });

  it('picks the trace whose DuckDB thread count matches the cores', () => {
    expect(tracePath('/r', 'q06', 1, 64)).toBe('/r/sf1-t64/q06.trace.gz');
    expect(tracePath('/r', 'q06', 0.1, 4)).toBe('/r/sf0.1-t8/q06.trace.gz');
    expect(tracePath('/r', 't64/q06', 0.1, 8)).toBe('/r/sf0.1-t64/q06.trace.gz');
    expect(() => tracePath('/r', 'q6')).toThrow(/variant "q6"/);
  });
});

describe('tpch trace loading', () => {
  const path = tracePath(TRACE_ROOT, 't8/q06');
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');

  it('reads the committed trace with its trailer', () => {
    const trace = parseTraceSync(readFileSync(path), 'q06.trace.gz');
    expect(trace.metadata.query).toBe(6);
    expect(`#end ${trace.events.length}`).toBe(lines.filter((l) => l !== '').at(-1));
  });

  it('rejects a corrupted record naming its line', () => {
    const bad = lines.slice();
    const fields = bad[2].split(' ');
    fields[3] = 'zz';
    bad[2] = fields.join(' ');
    const corrupt = () => parseTraceSync(gzipSync(bad.join('\n')), 'q06.trace.gz');
    expect(corrupt).toThrow(TraceFormatError);
    expect(corrupt).toThrow(/^q06\.trace\.gz: line 3: .*"zz"/);
  });

  it('rejects a truncated trace', () => {
    const cut = lines.slice(0, 100).join('\n');
    expect(() => parseTraceSync(gzipSync(cut), 'cut.gz')).toThrow(/line 100: .*without the "#end"/);
  });
});

describe('address map', () => {
  it('splits segments on a partial unmap and keeps offsets', () => {
    const map = new AddressMap();
    map.insert({ start: 0x10000, end: 0x20000, simStart: 0x90000, prot: 3 });
    const middle = map.overlapping(0x14000, 0x18000);
    expect(middle).toEqual([{ start: 0x14000, end: 0x18000, simStart: 0x94000, prot: 3 }]);
    map.remove(middle);
    expect(map.find(0x15000)).toBeUndefined();
    expect(map.find(0x19000)?.simStart).toBe(0x98000);
    expect(map.size).toBe(2);
    expect(() => map.insert({ start: 0x1f000, end: 0x21000, simStart: 0, prot: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('projection', () => {
  const point = (system: string, metric: string, value: number): Point => ({
    bench: 'tpch',
    system,
    cores: 8,
    metric,
    value,
    unit: 'ms',
    counters: {},
    ops: 1,
    order: null,
    variant: 't8/q06',
    seed: 1,
    params: {},
    case: 0,
  });

  it('adds the difference to the baseline replay to the measured time', () => {
    const points = [
      point('linux+jemalloc', 'coldReplayMs', 30),
      point('linux+jemalloc', 'coldMeasuredMs', 20),
      point('osv', 'coldReplayMs', 27),
      point('osv', 'coldMeasuredMs', 20),
    ];
    const projected = projectQueryTimes(points).points;
    expect(projected.map((p) => [p.system, p.value])).toEqual([
      ['linux+jemalloc', 20],
      ['osv', 17],
    ]);
  });

  it('says why it is skipped without the baseline', () => {
    const result = projectQueryTimes([point('osv', 'coldReplayMs', 27)]);
    expect(result.points).toEqual([]);
    expect(result.skipped).toMatch(/linux\+jemalloc is not in this result set/);
  });
});

describe('warm projection', () => {
  it('projects warm runs from the warm replay and measurement', () => {
    const base = {
      bench: 'tpch',
      cores: 8,
      unit: 'ms',
      counters: {},
      ops: 1,
      order: null,
      variant: 'q06',
      seed: 1,
      params: {},
      case: 0,
    };
    const points: Point[] = [
      { ...base, system: 'linux+jemalloc', metric: 'warmReplayMs', value: 12 },
      { ...base, system: 'linux+jemalloc', metric: 'warmMeasuredMs', value: 10 },
      { ...base, system: 'osv', metric: 'warmReplayMs', value: 15 },
      { ...base, system: 'osv', metric: 'warmMeasuredMs', value: 10 },
    ];
    const projected = projectQueryTimes(points).points;
    expect(projected.map((p) => [p.system, p.metric, p.value])).toEqual([
      ['linux+jemalloc', 'projectedWarmMs', 10],
      ['osv', 'projectedWarmMs', 13],
    ]);
  });
});
