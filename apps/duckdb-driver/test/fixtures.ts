// A small valid trace (metadata + events) for reader, writer and inspect tests.
import type { TraceEvent } from '../src/trace/format.js';
import type { TraceMetadata } from '../src/trace/metadata.js';

export function sampleMetadata(): TraceMetadata {
  return {
    format: 'unimem-trace',
    version: 1,
    query: 6,
    sf: 0.1,
    duckdbThreads: 2,
    repeat: 1,
    duckdbVersion: 'v1.5.6',
    nodeVersion: 'v20.0.0',
    generatorVersion: 'tpch_gen-test',
    machine: { cpuModel: 'test', cores: 2, kernel: '6.0', memoryBytes: 1 << 30, thp: 'madvise' },
    tracer: {
      mode: 'perf',
      version: 'perf version 6.1',
      reason: 'test',
      command: [],
      faults: 'addresses',
      lostEvents: 0,
    },
    markers: ['open-start', 'open-end', 'run1-start', 'run1-end'],
    phases: [],
    rows: [1],
    threads: [
      { id: 0, tid: 100, main: true },
      { id: 1, tid: 101, main: false },
    ],
    eventCounts: {},
    window: 'test',
    capturedAt: '2025-01-01T00:00:00.000Z',
  };
}

export function sampleEvents(): TraceEvent[] {
  const base = 0x7f0000000000;
  return [
    { kind: 'marker', timeNs: 0, thread: 0, label: 'open-start' },
    {
      kind: 'mmap',
      timeNs: 10,
      thread: 0,
      addr: 0,
      length: 0x200000,
      prot: 3,
      flags: 0x22,
      result: base,
    },
    { kind: 'fault', timeNs: 20, thread: 1, addr: base + 0x10 },
    { kind: 'fault', timeNs: 20, thread: 1, addr: base + 0x1010 },
    { kind: 'mprotect', timeNs: 30, thread: 1, addr: base, length: 0x1000, prot: 1, result: 0 },
    { kind: 'marker', timeNs: 40, thread: 0, label: 'open-end' },
    { kind: 'marker', timeNs: 50, thread: 0, label: 'run1-start' },
    { kind: 'madvise', timeNs: 60, thread: 1, addr: base, length: 0x1000, advice: 4, result: 0 },
    { kind: 'madvise', timeNs: 61, thread: 1, addr: base, length: 0x2000, advice: 8, result: 0 },
    { kind: 'brk', timeNs: 70, thread: 0, addr: 0, result: 0x5000000 },
    {
      kind: 'mremap',
      timeNs: 80,
      thread: 0,
      addr: base,
      length: 0x200000,
      newLength: 0x400000,
      flags: 1,
      newAddr: 0,
      result: base + 0x1000000,
    },
    {
      kind: 'mmap',
      timeNs: 85,
      thread: 1,
      addr: 0,
      length: 0x1000,
      prot: 3,
      flags: 0x22,
      result: -12,
    },
    { kind: 'munmap', timeNs: 90, thread: 0, addr: base + 0x1000000, length: 0x100000, result: 0 },
    { kind: 'marker', timeNs: 100, thread: 0, label: 'run1-end' },
  ];
}
