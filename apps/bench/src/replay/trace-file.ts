// Loading a whole memory trace (format v1 of @unimem/duckdb-driver) synchronously, once per
// process: a benchmark case is prepared and run synchronously, and the committed traces are
// small (3k–40k events). Parsing and its errors are the driver's (readTraceSync).

import { type LoadedTrace, readTraceSync } from '@unimem/duckdb-driver/trace';

export type { LoadedTrace };

const cache = new Map<string, LoadedTrace>();

/** The trace at `path`, read once per process. Throws TraceFormatError on malformed input. */
export function loadTrace(path: string): LoadedTrace {
  let trace = cache.get(path);
  if (!trace) {
    trace = readTraceSync(path);
    cache.set(path, trace);
  }
  return trace;
}
