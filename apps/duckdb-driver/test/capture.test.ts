// The tracer output parsers and the marker window, on recorded sample lines (no tracer needed).
import { describe, expect, it } from 'vitest';
import { PerfScriptParser } from '../src/capture/perf.js';
import type { RawEvent } from '../src/capture/raw.js';
import { StraceParser } from '../src/capture/strace.js';
import { windowEvents } from '../src/capture/window.js';

const PERF = `
 8916/8916   1955.677051345:                 page-faults:          565c4c0
 8916/8916   1955.677100000:    syscalls:sys_enter_close: fd: 0x40000000               0
 8916/8916   1955.677663000:      syscalls:sys_enter_mmap: addr: 0x00000000, len: 0x00040000, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000               0
 8916/8918   1955.677663500:                 page-faults:     7f2acbc6f110
 8916/8916   1955.677664030:      syscalls:sys_exit_mmap: 0x7f2acbc31000               0
 8916/8918   1955.678000000:  syscalls:sys_enter_madvise: start: 0x7f2ac8e95000, len_in: 0x00080000, behavior: 0x00000008               0
 8916/8918   1955.678000100:   syscalls:sys_exit_madvise: 0xffffffffffffffea               0
 8916/8916   1955.679000000:    syscalls:sys_enter_close: fd: 0x40000001               0
 8916/8916   1955.679886219:   syscalls:sys_enter_munmap: addr: 0x7f2acbc27000, len: 0x00009767               0
`;

const STRACE = `9431  1795740103.250634 brk(NULL)       = 0x3840d000
9431  1795740103.251274 mmap(NULL, 8192, 0x3, 0x22, -1, 0) = 0x7f1acb6cd000
9431  1795740103.612377 access("/__unimem_trace__/0-open-start", 0) = -1 ENOENT (No such file or directory)
9435  1795740103.612400 mprotect(0x7f1a94043000, 32768, 0x3 <unfinished ...>
9431  1795740103.612500 mmap(NULL, 1099511627776, 0x3, 0x22, -1, 0) = -1 ENOMEM (Cannot allocate memory)
9435  1795740103.612600 <... mprotect resumed>) = 0
9431  1795740103.703959 access("/__unimem_trace__/1-open-end", 0) = -1 ENOENT (No such file or directory)
9439  1795740103.712450 +++ exited with 0 +++
`;

describe('PerfScriptParser', () => {
  it('pairs enters with exits per thread and reads faults and markers', () => {
    const parser = new PerfScriptParser();
    for (const line of PERF.split('\n')) parser.push(line);
    const kinds = parser.events.map((e) => e.body.kind);
    expect(kinds).toEqual(['fault', 'marker', 'fault', 'mmap', 'madvise', 'marker']);
    const mmap = parser.events[3];
    expect(mmap.timeNs).toBe(1955677663000);
    expect(mmap.body).toEqual({
      kind: 'mmap',
      addr: 0,
      length: 0x40000,
      prot: 3,
      flags: 0x22,
      result: 0x7f2acbc31000,
    });
    expect(parser.events[4].body).toMatchObject({ kind: 'madvise', advice: 8, result: -22 });
    expect(parser.events[4].tid).toBe(8918);
    expect(parser.events[5].body).toEqual({ kind: 'marker', index: 1 });
  });
});

describe('StraceParser', () => {
  it('reads raw arguments, errors, unfinished/resumed calls and marker paths', () => {
    const parser = new StraceParser();
    for (const line of STRACE.split('\n')) parser.push(line);
    const bodies = parser.events.map((e) => e.body);
    expect(bodies).toEqual([
      { kind: 'brk', addr: 0, result: 0x3840d000 },
      { kind: 'mmap', addr: 0, length: 8192, prot: 3, flags: 0x22, result: 0x7f1acb6cd000 },
      { kind: 'marker', index: 0, label: 'open-start' },
      { kind: 'mmap', addr: 0, length: 2 ** 40, prot: 3, flags: 0x22, result: -12 },
      { kind: 'mprotect', addr: 0x7f1a94043000, length: 32768, prot: 3, result: 0 },
      { kind: 'marker', index: 1, label: 'open-end' },
    ]);
    expect(parser.events[4].timeNs).toBe(612400000); // the unfinished call's start time
    expect(parser.events[4].tid).toBe(9435);
  });
});

describe('windowEvents', () => {
  const raw: RawEvent[] = [
    { timeNs: 5, tid: 7, body: { kind: 'fault', addr: 1 } },
    { timeNs: 10, tid: 7, body: { kind: 'marker', index: 0 } },
    { timeNs: 12, tid: 9, body: { kind: 'fault', addr: 2 } },
    { timeNs: 11, tid: 7, body: { kind: 'fault', addr: 3 } },
    { timeNs: 20, tid: 7, body: { kind: 'marker', index: 1 } },
    { timeNs: 25, tid: 9, body: { kind: 'fault', addr: 4 } },
  ];
  const phases = [
    {
      phase: 'open',
      ms: 1,
      minorFaults: 2,
      majorFaults: 0,
      threadFaults: { '9': [1, 0] as [number, number] },
    },
  ];

  it('cuts to the markers, sorts, rebases time and numbers threads from the main thread', () => {
    const w = windowEvents(raw, ['open-start', 'open-end'], 7, phases);
    expect(w.events).toEqual([
      { timeNs: 0, thread: 0, kind: 'marker', label: 'open-start' },
      { timeNs: 1, thread: 0, kind: 'fault', addr: 3 },
      { timeNs: 2, thread: 1, kind: 'fault', addr: 2 },
      { timeNs: 10, thread: 0, kind: 'marker', label: 'open-end' },
    ]);
    expect(w.threads).toEqual([
      { id: 0, tid: 7, main: true },
      { id: 1, tid: 9, main: false },
    ]);
    expect(w.phases[0].threadFaults).toEqual({ '1': [1, 0] });
  });

  it('fails when the tracer missed a marker', () => {
    expect(() => windowEvents(raw, ['open-start', 'open-end', 'run1-start'], 7, [])).toThrow(
      /tracer saw markers \[0,1\], the query process emitted \[0,1,2\]/,
    );
  });
});
