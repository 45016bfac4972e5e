// Events as a tracer reports them, before they become trace events: absolute times, OS thread
// ids, and markers as indices (perf: the close() fd minus MARKER_FD_BASE; strace: the index in
// the access() path). window.ts turns a list of these into a trace.

import type { MarkerEvent, TraceEvent } from '../trace/format.js';

/** First marker fd; must equal MARKER_FD_BASE in query-process.mjs (2^30). */
export const MARKER_FD_BASE = 1073741824;
/** Directory prefix of marker paths; must equal query-process.mjs. */
export const MARKER_PATH_PREFIX = '/__unimem_trace__/';

type WithoutPlace<T> = T extends unknown ? Omit<T, 'timeNs' | 'thread'> : never;

export type RawBody = WithoutPlace<Exclude<TraceEvent, MarkerEvent>> | RawMarker;

export interface RawMarker {
  kind: 'marker';
  index: number;
  /** Known when the tracer shows the marker path (strace). */
  label?: string;
}

export interface RawEvent {
  /** Nanoseconds on the tracer's clock (any origin; only differences matter). */
  timeNs: number;
  tid: number;
  /** CPU the event happened on, when the tracer reports it (perf --sample-cpu). */
  cpu?: number;
  body: RawBody;
}

/** A tracer able to run a command and report its events. */
export interface Tracer {
  mode: 'perf' | 'strace';
  version: string;
  reason: string;
  faults: 'addresses' | 'counters';
  /** The command that runs `command` under the tracer, writing to `dataFile`. */
  wrap(dataFile: string, command: string[]): string[];
  /** Parses what the tracer wrote. */
  read(dataFile: string): Promise<{ events: RawEvent[]; lost: number }>;
}

/** Signed 64-bit value of a hex or decimal token (perf prints -errno as 0xffff...). */
export function parseSigned(token: string): number {
  if (token === 'NULL') return 0;
  return Number(BigInt.asIntN(64, BigInt(token)));
}
