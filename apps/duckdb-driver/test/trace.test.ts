// The trace format: round trips (example and property-based), and rejection of malformed input
// with an error that names the line and the problem.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type TraceEvent, TraceFormatError } from '../src/trace/format.js';
import { openTraceStream, readTrace } from '../src/trace/reader.js';
import { encodeTrace, encodeTraceText, writeTrace } from '../src/trace/writer.js';
import { sampleEvents, sampleMetadata } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'unimem-trace-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readText(text: string | Buffer, gzip = true) {
  const bytes = gzip ? gzipSync(text) : Buffer.from(text);
  const trace = await openTraceStream(Readable.from([bytes]), 'test.trace.gz');
  const events: TraceEvent[] = [];
  for await (const event of trace.events()) events.push(event);
  return { metadata: trace.metadata, events };
}

function sampleText(): string {
  return encodeTraceText(sampleMetadata(), sampleEvents());
}

/** The sample text with line `n` (1-based) replaced. */
function withLine(n: number, replacement: string): string {
  const lines = sampleText().split('\n');
  lines[n - 1] = replacement;
  return lines.join('\n');
}

async function rejection(promise: Promise<unknown>): Promise<TraceFormatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TraceFormatError);
  return error as TraceFormatError;
}

describe('trace round trip', () => {
  it('writes and reads back the same events and metadata', async () => {
    const file = join(dir, 'sample.trace.gz');
    const written = await writeTrace(file, sampleMetadata(), sampleEvents());
    expect(written.events).toBe(sampleEvents().length);
    const { metadata, events } = await readTrace(file);
    expect(events).toEqual(sampleEvents());
    expect(metadata.eventCounts).toEqual({
      marker: 4,
      mmap: 2,
      fault: 2,
      mprotect: 1,
      madvise: 2,
      brk: 1,
      mremap: 1,
      munmap: 1,
    });
    expect(gunzipSync(readFileSync(file)).toString()).toBe(sampleText());
  });

  it('round-trips arbitrary valid event sequences', async () => {
    const address = fc.integer({ min: 0, max: 2 ** 47 });
    const body = fc.oneof(
      fc.record({ kind: fc.constant('fault' as const), addr: address }),
      fc.record({
        kind: fc.constant('mmap' as const),
        addr: address,
        length: fc.nat(),
        prot: fc.nat(7),
        flags: fc.nat(0xfffff),
        result: fc.oneof(address, fc.integer({ min: -133, max: -1 })),
      }),
      fc.record({
        kind: fc.constant('madvise' as const),
        addr: address,
        length: fc.nat(),
        advice: fc.nat(25),
        result: fc.integer({ min: -22, max: 0 }),
      }),
      fc.record({
        kind: fc.constant('marker' as const),
        label: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
      }),
    );
    const arbitrary = fc.array(fc.tuple(fc.nat(1e9), fc.nat(70), body), { maxLength: 50 });
    await fc.assert(
      fc.asyncProperty(arbitrary, async (items) => {
        let time = 0;
        const events = items.map(([dt, thread, b]) => {
          time += dt;
          return { timeNs: time, thread, ...b } as TraceEvent;
        });
        const read = await readText(encodeTraceText(sampleMetadata(), events));
        expect(read.events).toEqual(events);
      }),
      { numRuns: 100 },
    );
  });

  it('the writer rejects an invalid event by index', () => {
    const events = sampleEvents();
    events[3] = { ...events[3], timeNs: 5 };
    expect(() => encodeTrace(sampleMetadata(), events)).toThrow(
      /trace event 3: time 5 ns is before/,
    );
    const negative = sampleEvents();
    negative[12] = {
      ...(negative[12] as { length: number } & TraceEvent),
      length: -1,
    } as TraceEvent;
    expect(() => encodeTrace(sampleMetadata(), negative)).toThrow(/trace event 12: munmap length/);
    const label = sampleEvents();
    label[0] = { kind: 'marker', timeNs: 0, thread: 0, label: 'Bad Label' };
    expect(() => encodeTrace(sampleMetadata(), label)).toThrow(/trace event 0: marker label/);
  });
});

describe('trace reader rejects malformed input', () => {
  it('a file that is not gzip', async () => {
    const e = await rejection(readText(sampleText(), false));
    expect(e.message).toMatch(/test\.trace\.gz: line 1: cannot decompress/);
  });

  it('a corrupted gzip stream, naming the line reached', async () => {
    const bytes = gzipSync(sampleText());
    bytes[bytes.length - 6] ^= 0xff; // the CRC/size trailer
    let e = await rejection(readText(bytes, false));
    expect(e.message).toMatch(/cannot decompress: incorrect data check/);
    // a damaged byte in the middle of a larger trace: the error names a line past the header
    const events = Array.from({ length: 20000 }, (_, i) => ({
      kind: 'fault' as const,
      timeNs: i * 1000,
      thread: i % 3,
      addr: 0x7f0000000000 + ((i * 7919) % 65536) * 4096,
    }));
    const large = encodeTrace(sampleMetadata(), events);
    large[Math.floor(large.length * 0.8)] ^= 0x55;
    e = await rejection(readText(large, false));
    expect(e.message).toMatch(/cannot decompress|is not|trailer/);
    expect(e.line).toBeGreaterThan(1000);
  });

  it('truncated gzip bytes', async () => {
    const bytes = gzipSync(sampleText());
    const e = await rejection(readText(bytes.subarray(0, bytes.length - 20), false));
    expect(e.message).toMatch(/cannot decompress|trailer/);
  });

  it('text truncated at a line boundary (no #end trailer)', async () => {
    const lines = sampleText().split('\n');
    const e = await rejection(readText(lines.slice(0, 8).join('\n')));
    expect(e.message).toMatch(/line 8: ends after 7 events without the "#end" trailer/);
  });

  it('a trailer that miscounts, and content after it', async () => {
    const count = sampleEvents().length;
    let e = await rejection(readText(sampleText().replace(`#end ${count}`, '#end 3')));
    expect(e.message).toMatch(/trailer says "3" events, the file has 14/);
    e = await rejection(readText(`${sampleText()}0 0 f 1000\n`));
    expect(e.message).toMatch(/content after the #end trailer/);
  });

  it('a bad magic, version or metadata', async () => {
    let e = await rejection(readText(sampleText().replace('#unimem-trace 1', '#other 1')));
    expect(e.message).toMatch(/line 1: header does not start with "#unimem-trace"/);
    e = await rejection(readText(sampleText().replace('#unimem-trace 1', '#unimem-trace 7')));
    expect(e.message).toMatch(/line 1: format version "7" is not supported/);
    e = await rejection(readText(withLine(1, '#unimem-trace 1 {oops')));
    expect(e.message).toMatch(/line 1: metadata is not JSON/);
    const noQuery = JSON.stringify({ ...sampleMetadata(), query: 23 });
    e = await rejection(readText(withLine(1, `#unimem-trace 1 ${noQuery}`)));
    expect(e.message).toMatch(/line 1: metadata.query is missing or invalid \(23\)/);
    e = await rejection(readText(''));
    expect(e.message).toMatch(/empty trace/);
  });

  it('a bad field, naming line and field', async () => {
    let e = await rejection(readText(withLine(3, '10 0 m 0 200000 3 zz 7f0000000000')));
    expect(e.message).toBe(
      'test.trace.gz: line 3: mmap field flags "zz" is not a hexadecimal integer',
    );
    e = await rejection(readText(withLine(4, '10 1 q 7f')));
    expect(e.message).toMatch(/line 4: kind "q" is not one of/);
    e = await rejection(readText(withLine(4, '-5 1 f 7f')));
    expect(e.message).toMatch(/line 4: time delta "-5" is not a non-negative decimal/);
    e = await rejection(readText(withLine(4, '5 1')));
    expect(e.message).toMatch(/line 4: expected "<dt> <thread> <kind> ..."/);
    e = await rejection(readText(withLine(4, '5 1 f 10 20')));
    expect(e.message).toMatch(/line 4: fault needs 1 fields \(addr\), got 2/);
    e = await rejection(readText(withLine(4, '5 x f 10')));
    expect(e.message).toMatch(/line 4: thread "x"/);
    e = await rejection(readText(withLine(2, '0 0 k Open')));
    expect(e.message).toMatch(/line 2: marker needs one label/);
    e = await rejection(readText(withLine(14, '10 0 u 7f0001000000 -100000 0')));
    expect(e.message).toMatch(/line 14: munmap field length is negative/);
  });

  it('a bad file path surfaces as an error', async () => {
    writeFileSync(join(dir, 'empty.trace.gz'), '');
    const e = await rejection(readTrace(join(dir, 'empty.trace.gz')));
    expect(e.message).toMatch(
      /empty\.trace\.gz: line 1: cannot decompress: unexpected end of file/,
    );
  });
});
