// Reading a whole trace synchronously: for callers that cannot await (a benchmark case is
// prepared and run synchronously). Same rules and errors as the streaming reader (reader.ts):
// header, events, the `#end N` trailer, and a TraceFormatError naming the file and line.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeEvent, TRACE_END, type TraceEvent, TraceFormatError } from './format.js';
import type { TraceMetadata } from './metadata.js';
import { parseHeader } from './reader.js';

export interface LoadedTrace {
  readonly source: string;
  readonly metadata: TraceMetadata;
  /** Every event in time order. */
  readonly events: readonly TraceEvent[];
}

/** Reads and parses the trace file at `path`. */
export function readTraceSync(path: string): LoadedTrace {
  return parseTraceSync(readFileSync(path), path);
}

/** Parses a gzip-compressed trace; `source` names it in errors. */
export function parseTraceSync(compressed: Uint8Array, source: string): LoadedTrace {
  let text: string;
  try {
    text = gunzipSync(compressed).toString('utf8');
  } catch (error) {
    throw new TraceFormatError(source, 1, `cannot decompress: ${(error as Error).message}`);
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new TraceFormatError(source, 1, 'empty trace: no header line');
  const metadata = parseHeader(lines[0], (problem, line = 1) => {
    throw new TraceFormatError(source, line, problem);
  });
  const events: TraceEvent[] = [];
  let previousNs = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith(TRACE_END)) {
      const declared = line.slice(TRACE_END.length + 1);
      if (declared !== String(events.length)) {
        throw new TraceFormatError(
          source,
          i + 1,
          `trailer says ${JSON.stringify(declared)} events, the file has ${events.length}`,
        );
      }
      if (i + 1 < lines.length) {
        throw new TraceFormatError(source, i + 2, 'content after the #end trailer');
      }
      return { source, metadata, events };
    }
    const event = decodeEvent(line, previousNs, metadata.version);
    if (typeof event === 'string') throw new TraceFormatError(source, i + 1, event);
    previousNs = event.timeNs;
    events.push(event);
  }
  throw new TraceFormatError(
    source,
    lines.length,
    `ends after ${events.length} events without the "${TRACE_END}" trailer (truncated?)`,
  );
}
