// Streaming reader of trace files (format.ts): gunzips and parses line by line, so a trace of any
// size is read in constant memory. Malformed input is rejected with a TraceFormatError naming the
// file, the line (record) and what is wrong: a bad gzip stream, a wrong magic or version, invalid
// metadata, a line longer than MAX_LINE_CHARS, a bad field, time going backwards, a missing or wrong `#end` trailer (truncation),
// or anything after the trailer.

import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import {
  decodeEvent,
  SUPPORTED_VERSIONS,
  TRACE_END,
  TRACE_MAGIC,
  type TraceEvent,
  TraceFormatError,
} from './format.js';
import { type TraceMetadata, validateMetadata } from './metadata.js';

/** An open trace: its metadata, and its events as a one-shot async iterator. */
export interface TraceHandle {
  readonly source: string;
  readonly metadata: TraceMetadata;
  /** The events in time order; can be iterated once. Throws TraceFormatError on bad input. */
  events(): AsyncGenerator<TraceEvent, void, undefined>;
  /** Releases the file when the events are not read to the end. */
  close(): void;
}

type LineIterator = AsyncGenerator<string, void, undefined>;

/**
 * Longest line the reader accepts, in characters. Real lines are far shorter (the header, the
 * longest, is a few KiB); a longer one means the input is not a trace (or is corrupt), and
 * failing early keeps a newline-free input from being buffered whole.
 */
export const MAX_LINE_CHARS = 2 ** 20;

/**
 * Splits a byte stream into lines in time linear in its size (a chunk is searched for newlines
 * once; the pieces of an unfinished line are joined once it ends); gzip or I/O errors, and a line
 * longer than MAX_LINE_CHARS, name the line being read.
 */
async function* lines(stream: Readable, source: string, counter: { line: number }): LineIterator {
  const decoder = new StringDecoder('utf8');
  let pieces: string[] = [];
  let pending = 0;
  const tooLong = () =>
    new TraceFormatError(
      source,
      counter.line + 1,
      `line is longer than ${MAX_LINE_CHARS} characters (not a unimem trace, or a corrupt one)`,
    );
  try {
    for await (const chunk of stream) {
      const text = decoder.write(chunk as Buffer);
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        if (pending + end - start > MAX_LINE_CHARS) throw tooLong();
        const tail = text.slice(start, end);
        const line = pieces.length === 0 ? tail : pieces.join('') + tail;
        pieces = [];
        pending = 0;
        start = end + 1;
        counter.line++;
        yield line;
      }
      if (start < text.length) {
        pieces.push(text.slice(start));
        pending += text.length - start;
        if (pending > MAX_LINE_CHARS) throw tooLong();
      }
    }
  } catch (error) {
    if (error instanceof TraceFormatError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new TraceFormatError(source, counter.line + 1, `cannot decompress: ${message}`);
  }
  const rest = pieces.join('') + decoder.end();
  if (rest !== '') {
    if (rest.length > MAX_LINE_CHARS) throw tooLong();
    counter.line++;
    yield rest;
  }
}

/** Opens a trace from a gzip-compressed byte stream. */
export async function openTraceStream(compressed: Readable, source: string): Promise<TraceHandle> {
  const gunzip = createGunzip();
  compressed.on('error', (error) => gunzip.destroy(error));
  compressed.pipe(gunzip);
  const counter = { line: 0 };
  const input = lines(gunzip, source, counter);
  const fail = (problem: string, line = counter.line): never => {
    compressed.destroy();
    throw new TraceFormatError(source, line, problem);
  };
  const first = await input.next();
  if (first.done) return fail('empty trace: no header line', 1);
  const metadata = parseHeader(first.value, fail);
  let started = false;
  async function* events(): AsyncGenerator<TraceEvent, void, undefined> {
    if (started) throw new Error(`${source}: events() can be iterated only once`);
    started = true;
    let previousNs = 0;
    let count = 0;
    for await (const line of input) {
      if (line.startsWith(TRACE_END)) {
        const declared = line.slice(TRACE_END.length + 1);
        if (declared !== String(count)) {
          fail(`trailer says ${JSON.stringify(declared)} events, the file has ${count}`);
        }
        const extra = await input.next();
        if (!extra.done) fail('content after the #end trailer', counter.line);
        return;
      }
      const event = decodeEvent(line, previousNs, metadata.version);
      if (typeof event === 'string') fail(event);
      else {
        previousNs = event.timeNs;
        count++;
        yield event;
      }
    }
    fail(`ends after ${count} events without the "${TRACE_END}" trailer (truncated?)`);
  }
  return {
    source,
    metadata,
    events,
    close: () => {
      compressed.destroy();
      gunzip.destroy();
    },
  };
}

/** Parses and checks the header line; `fail` throws (the reader names the file and line). */
export function parseHeader(
  line: string,
  fail: (problem: string, line?: number) => never,
): TraceMetadata {
  const space1 = line.indexOf(' ');
  const space2 = line.indexOf(' ', space1 + 1);
  if (space1 < 0 || line.slice(0, space1) !== TRACE_MAGIC) {
    return fail(`header does not start with "${TRACE_MAGIC}" (not a unimem trace)`, 1);
  }
  const version = line.slice(space1 + 1, space2 < 0 ? undefined : space2);
  if (!SUPPORTED_VERSIONS.map(String).includes(version)) {
    return fail(
      `format version "${version}" is not supported (this reader reads ${SUPPORTED_VERSIONS.join(', ')})`,
      1,
    );
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(line.slice(space2 + 1));
  } catch (error) {
    return fail(`metadata is not JSON: ${(error as Error).message}`, 1);
  }
  const problem = validateMetadata(metadata);
  if (problem) return fail(problem, 1);
  if (String((metadata as TraceMetadata).version) !== version) {
    return fail(
      `metadata.version ${(metadata as TraceMetadata).version} differs from the header's ${version}`,
      1,
    );
  }
  return metadata as TraceMetadata;
}

/** Opens a trace file (`.trace.gz`). */
export function openTrace(path: string): Promise<TraceHandle> {
  return openTraceStream(createReadStream(path), path);
}

/** Reads a whole trace into memory. */
export async function readTrace(
  path: string,
): Promise<{ metadata: TraceMetadata; events: TraceEvent[] }> {
  const trace = await openTrace(path);
  const events: TraceEvent[] = [];
  for await (const event of trace.events()) events.push(event);
  return { metadata: trace.metadata, events };
}
