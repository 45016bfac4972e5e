// Format version 2 (allocation events, fault access kinds), the interposer's record decoding,
// the perf fault tracepoint parsing and the aggregation rule's invariants.
import { describe, expect, it } from 'vitest';
import { aggregateAllocations, DEFAULT_AGGREGATION } from '../src/capture/aggregate.js';
import { decodeInterposerOutput, RECORD_BYTES } from '../src/capture/interposer.js';
import { PerfScriptParser } from '../src/capture/perf.js';
import { decodeEvent, encodeEvent, type TraceEvent } from '../src/trace/format.js';
import { parseTraceSync } from '../src/trace/reader-sync.js';
import { encodeTrace } from '../src/trace/writer.js';
import { sampleMetadata } from './fixtures.js';

const P = 0x7f0000001000;

function v2Events(): TraceEvent[] {
  return [
    { kind: 'marker', timeNs: 0, thread: 0, label: 'run1-start' },
    { kind: 'alloc', timeNs: 10, thread: 1, heap: 1, ptr: P, size: 262144, align: 0 },
    { kind: 'fault', timeNs: 20, thread: 1, addr: P + 8192, access: 2 },
    { kind: 'realloc', timeNs: 30, thread: 1, heap: 2, ptr: 0, size: 64, result: P + 0x100000 },
    { kind: 'batch', timeNs: 40, thread: 2, heap: 2, size: 48, count: 12 },
    { kind: 'free', timeNs: 50, thread: 2, heap: 1, ptr: P, size: 0 },
    { kind: 'marker', timeNs: 60, thread: 0, label: 'run1-end' },
  ];
}

describe('trace format version 2', () => {
  it('round-trips allocation events and fault access kinds', () => {
    const metadata = { ...sampleMetadata(), version: 2 as const };
    const events = v2Events();
    const trace = parseTraceSync(encodeTrace(metadata, events), 'v2');
    expect(trace.metadata.version).toBe(2);
    expect(trace.events).toEqual(events);
  });

  it('rejects allocation events in a version-1 trace, naming the kind', () => {
    expect(() => encodeTrace(sampleMetadata(), v2Events())).toThrow(
      /alloc events need format version 2/,
    );
    expect(decodeEvent('5 1 A 1 1000 40 0', 0, 1)).toMatch(
      /kind "A" is not one of .* \(format version 1\)/,
    );
    expect(decodeEvent('5 1 f 1000', 0, 1)).toMatchObject({ kind: 'fault', addr: 0x1000 });
  });

  it('rejects bad allocation fields', () => {
    expect(decodeEvent('5 1 A 3 1000 40 0', 0, 2)).toMatch(/heap 3 is not 1 or 2/);
    expect(decodeEvent('5 1 A 1 1000 40 30', 0, 2)).toMatch(/align 48 is not a power of two/);
    expect(decodeEvent('5 1 N 2 40 0', 0, 2)).toMatch(/batch count 0 < 1/);
    expect(decodeEvent('5 1 f 1000 7', 0, 2)).toMatch(/access 7 is not 0\.\.3/);
  });

  it('writes a missing fault access as unknown (0)', () => {
    const line = encodeEvent({ kind: 'fault', timeNs: 3, thread: 0, addr: 0x2000 }, 0, 2);
    expect(line).toBe('3 0 f 2000 0');
  });
});

describe('interposer records', () => {
  function record(kind: number, t: number, a: number, b: number, c: number, tid: number) {
    const buffer = new ArrayBuffer(RECORD_BYTES);
    const view = new DataView(buffer);
    view.setBigUint64(0, BigInt(t), true);
    view.setBigUint64(8, BigInt(a), true);
    view.setBigUint64(16, BigInt(b), true);
    view.setBigUint64(24, BigInt(c), true);
    view.setUint32(32, tid, true);
    view.setUint32(36, kind, true);
    return new Uint8Array(buffer);
  }

  it('decodes each kind into one raw event of the right heap', () => {
    const bytes = Buffer.concat([
      record(1, 100, P, 4096, 64, 7),
      record(5, 200, P, 0, 0, 8),
      record(6, 300, P, 80, P + 64, 7),
      record(7, 400, 3, 0, 0, 7),
    ]);
    const events = decodeInterposerOutput(bytes, 'test');
    expect(events.map((e) => e.body)).toEqual([
      { kind: 'alloc', heap: 1, ptr: P, size: 4096, align: 64 },
      { kind: 'free', heap: 2, ptr: P, size: 0 },
      { kind: 'realloc', heap: 2, ptr: P, size: 80, result: P + 64 },
      { kind: 'marker', index: 3 },
    ]);
    expect(events.map((e) => [e.timeNs, e.tid])).toEqual([
      [100, 7],
      [200, 8],
      [300, 7],
      [400, 7],
    ]);
  });

  it('rejects a truncated file and an unknown kind', () => {
    expect(() => decodeInterposerOutput(new Uint8Array(41), 'cut')).toThrow(/41 bytes/);
    expect(() => decodeInterposerOutput(record(9, 1, 0, 0, 0, 1), 'bad')).toThrow(/unknown kind 9/);
  });
});

describe('perf fault tracepoint', () => {
  it('parses address, access kind and CPU', () => {
    const parser = new PerfScriptParser();
    for (const [code, access] of [
      ['0x6', 2],
      ['0x4', 1],
      ['0x14', 3],
    ] as const) {
      parser.push(
        ` 26839/26840 [001]  1345.790214610: exceptions:page_fault_user: address=0x7f2fd596fe06 ip=0x7f2fd59577ad error_code=${code}`,
      );
      expect(parser.events.at(-1)).toMatchObject({
        tid: 26840,
        cpu: 1,
        body: { kind: 'fault', addr: 0x7f2fd596fe06, access },
      });
    }
  });
});

describe('aggregation of short-lived small allocations', () => {
  function calls(events: readonly TraceEvent[]) {
    const out: Record<string, number> = {};
    for (const e of events) {
      const n = e.kind === 'batch' ? e.count : 1;
      if (e.kind === 'alloc' || e.kind === 'batch')
        out[`m${e.thread}`] = (out[`m${e.thread}`] ?? 0) + n;
      if (e.kind === 'free' || e.kind === 'batch')
        out[`f${e.thread}`] = (out[`f${e.thread}`] ?? 0) + n;
    }
    return out;
  }

  it('folds same-thread short-lived small pairs and keeps everything else, calls unchanged', () => {
    const events: TraceEvent[] = [];
    let t = 0;
    for (let i = 0; i < 50; i++) {
      events.push({
        kind: 'alloc',
        timeNs: (t += 10),
        thread: 1,
        heap: 2,
        ptr: P + i * 64,
        size: 48,
        align: 0,
      });
      events.push({
        kind: 'free',
        timeNs: (t += 10),
        thread: 1,
        heap: 2,
        ptr: P + i * 64,
        size: 0,
      });
    }
    // cross-thread, large, long-lived: all kept
    events.push({
      kind: 'alloc',
      timeNs: (t += 10),
      thread: 1,
      heap: 2,
      ptr: P + 0x10000,
      size: 48,
      align: 0,
    });
    events.push({
      kind: 'alloc',
      timeNs: (t += 10),
      thread: 1,
      heap: 1,
      ptr: P + 0x20000,
      size: 1 << 20,
      align: 0,
    });
    events.push({
      kind: 'alloc',
      timeNs: (t += 10),
      thread: 1,
      heap: 2,
      ptr: P + 0x30000,
      size: 32,
      align: 0,
    });
    events.push({ kind: 'free', timeNs: (t += 10), thread: 2, heap: 2, ptr: P + 0x10000, size: 0 });
    events.push({ kind: 'free', timeNs: (t += 10), thread: 1, heap: 1, ptr: P + 0x20000, size: 0 });
    events.push({
      kind: 'free',
      timeNs: (t += 5e6),
      thread: 1,
      heap: 2,
      ptr: P + 0x30000,
      size: 0,
    });
    const folded = aggregateAllocations(events, DEFAULT_AGGREGATION);
    expect(folded.batchedCalls).toBe(50);
    expect(folded.events.filter((e) => e.kind === 'batch')).toEqual([
      { kind: 'batch', timeNs: 10, thread: 1, heap: 2, size: 48, count: 50 },
    ]);
    expect(folded.events.length).toBe(7);
    expect(calls(folded.events)).toEqual(calls(events.map((e) => e)));
    const times = folded.events.map((e) => e.timeNs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('never folds across a marker', () => {
    const events: TraceEvent[] = [
      { kind: 'alloc', timeNs: 1, thread: 1, heap: 2, ptr: P, size: 16, align: 0 },
      { kind: 'marker', timeNs: 2, thread: 0, label: 'run1-end' },
      { kind: 'free', timeNs: 3, thread: 1, heap: 2, ptr: P, size: 0 },
    ];
    expect(aggregateAllocations(events).events).toEqual(events);
  });
});
