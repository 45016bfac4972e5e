// The streaming reader against inputs that are not traces: a line without a newline (which made
// it quadratic: a 20 MB line took 65 s) is refused once it exceeds MAX_LINE_CHARS, and metadata
// whose phases have wrong types is refused naming the field (it crashed later, message empty).

import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TraceFormatError } from '../src/trace/format.js';
import { MAX_LINE_CHARS, openTraceStream } from '../src/trace/reader.js';
import { encodeTraceText } from '../src/trace/writer.js';
import { sampleEvents, sampleMetadata } from './fixtures.js';

async function open(text: string) {
  const trace = await openTraceStream(Readable.from([gzipSync(text)]), 'test.trace.gz');
  for await (const _event of trace.events());
  return trace;
}

async function rejection(promise: Promise<unknown>): Promise<TraceFormatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TraceFormatError);
  return error as TraceFormatError;
}

describe('line length', () => {
  const header = encodeTraceText(sampleMetadata(), sampleEvents()).split('\n')[0];

  it('refuses a 20 MB line without a newline, naming the line', async () => {
    const error = await rejection(open(`${header}\n${'7'.repeat(20_000_000)}`));
    expect(error.message).toMatch(
      new RegExp(`test\\.trace\\.gz.*line 2.*longer than ${MAX_LINE_CHARS} characters`),
    );
  });

  it('refuses a first line that is too long, and accepts one just below the limit', async () => {
    const error = await rejection(open('x'.repeat(MAX_LINE_CHARS + 1)));
    expect(error.message).toMatch(/line 1.*longer than/);
    const below = await rejection(open(`${header}\n${'7'.repeat(MAX_LINE_CHARS - 1)}\n`));
    expect(below.message).not.toMatch(/longer than/);
  });

  it('still reads a trace whose lines arrive split across many chunks', async () => {
    const text = encodeTraceText(sampleMetadata(), sampleEvents());
    const bytes = gzipSync(text);
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const trace = await openTraceStream(Readable.from(chunks), 'split.trace.gz');
    let count = 0;
    for await (const _event of trace.events()) count++;
    expect(count).toBe(sampleEvents().length);
  });
});

describe('metadata.phases', () => {
  const withPhases = (phases: unknown) =>
    encodeTraceText({ ...sampleMetadata(), phases } as never, sampleEvents());
  const good = { phase: 'run1', ms: 12.5, minorFaults: 3, majorFaults: 0, threadFaults: {} };

  it.each([
    ['a number instead of a phase', [1], /metadata\.phases\[0\] is not an object/],
    [
      'ms as a string',
      [{ ...good, ms: 'fast' }],
      /metadata\.phases\[0\]\.ms is missing or invalid/,
    ],
    ['no phase name', [good, { ...good, phase: undefined }], /metadata\.phases\[1\]\.phase/],
    ['negative faults', [{ ...good, minorFaults: -1 }], /metadata\.phases\[0\]\.minorFaults/],
    [
      'thread faults not pairs',
      [{ ...good, threadFaults: { 0: [1] } }],
      /metadata\.phases\[0\]\.threadFaults/,
    ],
  ])('refuses %s, naming the field', async (_name, phases, message) => {
    const error = await rejection(open(withPhases(phases)));
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/line 1/);
  });

  it('accepts well-typed phases, with or without cpuMs', async () => {
    const trace = await open(withPhases([good, { ...good, phase: 'run2', cpuMs: 20 }]));
    expect(trace.metadata.phases.map((p) => p.phase)).toEqual(['run1', 'run2']);
  });
});
