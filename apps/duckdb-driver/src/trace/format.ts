// The unimem memory-trace format, versions 1 and 2: what one event is, how it is written as one
// line of text, and how a line is parsed back. A trace file is gzip-compressed UTF-8 text:
//
//   #unimem-trace <version> {metadata JSON}
//   <dt> <thread> <kind> <fields...>        one line per event, in time order
//   #end <event count>
//
// `dt` is the time since the previous event in nanoseconds (decimal, >= 0; the first event's dt
// is its time since the trace start), `thread` is a small decimal thread index (0 = the process'
// main thread; metadata.threads maps indices to OS thread ids). Every other number is hexadecimal
// without `0x`, negative values with a leading `-` (an errno result such as -c for ENOMEM). The
// `#end` trailer makes truncation at a line boundary detectable. Fields per kind:
//
//   m addr len prot flags result       mmap (addr is the hint; result the mapped address or -errno)
//   u addr len result                  munmap
//   p addr len prot result             mprotect
//   a addr len advice result           madvise (advice = MADV_* number)
//   b addr result                      brk (addr requested, result the new break)
//   r addr oldlen newlen flags newaddr result   mremap
//   f addr                             page fault at a (byte) address (version 1)
//   f addr access                      page fault; access 0 unknown, 1 read, 2 write, 3 fetch (v2)
//   k label                            marker: phase boundary, label = [a-z0-9-]+
//
// Version 2 adds the allocation layer (heap 1 = DuckDB's bundled jemalloc, 2 = the C library's
// malloc, which operator new uses; alloc-events.ts says what each field means):
//
//   A heap ptr size align              allocation returned ptr (align 0 = the heap's default)
//   F heap ptr size                    free of ptr (size 0 = not given by the caller)
//   R heap ptr size result             realloc of ptr (0 = none) to size, returned result
//   N heap size count                  count short-lived allocations of size, each freed by the
//                                      same thread before its next recorded event (aggregated)
//
// Invariant kept by writer and reader: times never decrease (dt >= 0), so they are also
// non-decreasing per thread.

import {
  ALLOC_FIELDS,
  ALLOC_KINDS,
  type AllocBatchEvent,
  type AllocEvent,
  checkAllocFields,
  type FreeEvent,
  type ReallocEvent,
} from './alloc-events.js';

export * from './alloc-events.js';

export const TRACE_MAGIC = '#unimem-trace';
/** The version writers produce; readers accept every version in SUPPORTED_VERSIONS. */
export const TRACE_VERSION = 2;
export const SUPPORTED_VERSIONS: readonly number[] = [1, 2];
export const TRACE_END = '#end';

export type EventKind =
  | 'mmap'
  | 'munmap'
  | 'mprotect'
  | 'madvise'
  | 'brk'
  | 'mremap'
  | 'fault'
  | 'marker'
  | 'alloc'
  | 'free'
  | 'realloc'
  | 'batch';

export interface EventBase {
  /** Nanoseconds since the trace start (the first marker of the query process). */
  timeNs: number;
  /** Thread index: 0 = main thread, others in order of first appearance. */
  thread: number;
}

export interface MmapEvent extends EventBase {
  kind: 'mmap';
  addr: number;
  length: number;
  prot: number;
  flags: number;
  result: number;
}
export interface MunmapEvent extends EventBase {
  kind: 'munmap';
  addr: number;
  length: number;
  result: number;
}
export interface MprotectEvent extends EventBase {
  kind: 'mprotect';
  addr: number;
  length: number;
  prot: number;
  result: number;
}
export interface MadviseEvent extends EventBase {
  kind: 'madvise';
  addr: number;
  length: number;
  advice: number;
  result: number;
}
export interface BrkEvent extends EventBase {
  kind: 'brk';
  addr: number;
  result: number;
}
export interface MremapEvent extends EventBase {
  kind: 'mremap';
  addr: number;
  length: number;
  newLength: number;
  flags: number;
  newAddr: number;
  result: number;
}
export interface FaultEvent extends EventBase {
  kind: 'fault';
  addr: number;
  /** FaultAccess: 0 unknown (all version-1 faults), 1 read, 2 write, 3 instruction fetch. */
  access?: number;
}
export interface MarkerEvent extends EventBase {
  kind: 'marker';
  label: string;
}

export type TraceEvent =
  | MmapEvent
  | MunmapEvent
  | MprotectEvent
  | MadviseEvent
  | BrkEvent
  | MremapEvent
  | FaultEvent
  | MarkerEvent
  | AllocEvent
  | FreeEvent
  | ReallocEvent
  | AllocBatchEvent;

/** One-letter codes of the kinds, and the numeric fields each kind carries in line order. */
export const KIND_CODES: Record<EventKind, string> = {
  mmap: 'm',
  munmap: 'u',
  mprotect: 'p',
  madvise: 'a',
  brk: 'b',
  mremap: 'r',
  fault: 'f',
  marker: 'k',
  alloc: 'A',
  free: 'F',
  realloc: 'R',
  batch: 'N',
};
const FIELDS: Record<Exclude<EventKind, 'marker'>, readonly string[]> = {
  mmap: ['addr', 'length', 'prot', 'flags', 'result'],
  munmap: ['addr', 'length', 'result'],
  mprotect: ['addr', 'length', 'prot', 'result'],
  madvise: ['addr', 'length', 'advice', 'result'],
  brk: ['addr', 'result'],
  mremap: ['addr', 'length', 'newLength', 'flags', 'newAddr', 'result'],
  fault: ['addr', 'access'],
  ...ALLOC_FIELDS,
};
/** Kinds a version-1 trace may not contain, and fields it lacks. */
const V1_FIELDS: Partial<Record<EventKind, readonly string[]>> = { fault: ['addr'] };
const KINDS_BY_CODE = new Map<string, EventKind>(
  Object.entries(KIND_CODES).map(([kind, code]) => [code, kind as EventKind]),
);
const LABEL = /^[a-z0-9-]+$/;
const HEX = /^-?[0-9a-f]+$/;
const DECIMAL = /^[0-9]+$/;

/** Linux madvise advice numbers (include/uapi/asm-generic/mman-common.h) and their names. */
export const MADVISE_NAMES: Record<number, string> = {
  0: 'NORMAL',
  1: 'RANDOM',
  2: 'SEQUENTIAL',
  3: 'WILLNEED',
  4: 'DONTNEED',
  8: 'FREE',
  9: 'REMOVE',
  10: 'DONTFORK',
  11: 'DOFORK',
  12: 'MERGEABLE',
  13: 'UNMERGEABLE',
  14: 'HUGEPAGE',
  15: 'NOHUGEPAGE',
  16: 'DONTDUMP',
  17: 'DODUMP',
  18: 'WIPEONFORK',
  19: 'KEEPONFORK',
  20: 'COLD',
  21: 'PAGEOUT',
  22: 'POPULATE_READ',
  23: 'POPULATE_WRITE',
  25: 'COLLAPSE',
};

/** Name of an madvise advice number (`DONTNEED`), or `advice-<n>` when unknown. */
export function adviceName(advice: number): string {
  return MADVISE_NAMES[advice] ?? `advice-${advice}`;
}

/** Thrown for any malformed trace input; `line` is the 1-based line (record) number. */
export class TraceFormatError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${source}: line ${line}: ${problem}`);
    this.name = 'TraceFormatError';
  }
}

function hex(value: number): string {
  return value < 0 ? `-${(-value).toString(16)}` : value.toString(16);
}

function fieldsOf(kind: Exclude<EventKind, 'marker'>, version: number): readonly string[] {
  return (version === 1 ? V1_FIELDS[kind] : undefined) ?? FIELDS[kind];
}

/**
 * The text of one event line (without newline); `previousNs` is the previous event's time.
 * A missing fault `access` is written as 0 (unknown).
 */
export function encodeEvent(
  event: TraceEvent,
  previousNs: number,
  version = TRACE_VERSION,
): string {
  const head = `${event.timeNs - previousNs} ${event.thread} ${KIND_CODES[event.kind]}`;
  if (event.kind === 'marker') return `${head} ${event.label}`;
  const record = event as unknown as Record<string, number>;
  let line = head;
  for (const field of fieldsOf(event.kind, version)) line += ` ${hex(record[field] ?? 0)}`;
  return line;
}

/**
 * Checks an event before it is written; returns a description of the first problem, or
 * undefined when the event is valid.
 */
export function validateEvent(
  event: TraceEvent,
  previousNs: number,
  version = TRACE_VERSION,
): string | undefined {
  if (!Number.isSafeInteger(event.timeNs)) return `time ${event.timeNs} is not an integer`;
  if (event.timeNs < previousNs) {
    return `time ${event.timeNs} ns is before the previous event (${previousNs} ns)`;
  }
  if (!Number.isSafeInteger(event.thread) || event.thread < 0) {
    return `thread ${event.thread} is not a non-negative integer`;
  }
  if (!(event.kind in KIND_CODES)) return `kind ${String(event.kind)} is not an event kind`;
  if (event.kind === 'marker') {
    return LABEL.test(event.label) ? undefined : `marker label "${event.label}" is not [a-z0-9-]+`;
  }
  if (version === 1 && ALLOC_KINDS.has(event.kind)) {
    return `${event.kind} events need format version 2`;
  }
  const record = event as unknown as Record<string, number>;
  for (const field of fieldsOf(event.kind, version)) {
    if (field === 'access' && record.access === undefined) continue;
    if (!Number.isSafeInteger(record[field])) {
      return `${event.kind} field ${field} = ${record[field]} is not a safe integer`;
    }
  }
  if ('length' in event && event.length < 0) return `${event.kind} length ${event.length} < 0`;
  return checkAllocFields(record, event.kind);
}

/**
 * Parses one event line. Returns the event, or a string describing what is wrong (the caller
 * adds the source and line number).
 */
export function decodeEvent(
  line: string,
  previousNs: number,
  version = TRACE_VERSION,
): TraceEvent | string {
  const parts = line.split(' ');
  if (parts.length < 3) return `expected "<dt> <thread> <kind> ...", got "${clip(line)}"`;
  const [dt, thread, code] = parts;
  if (!DECIMAL.test(dt)) return `time delta "${clip(dt)}" is not a non-negative decimal integer`;
  if (!DECIMAL.test(thread)) return `thread "${clip(thread)}" is not a non-negative decimal`;
  const kind = KINDS_BY_CODE.get(code);
  if (kind === undefined || (version === 1 && ALLOC_KINDS.has(kind))) {
    const codes = version === 1 ? 'm u p a b r f k' : 'm u p a b r f k A F R N';
    return `kind "${clip(code)}" is not one of ${codes} (format version ${version})`;
  }
  const timeNs = previousNs + Number(dt);
  if (!Number.isSafeInteger(timeNs)) return `time ${dt} overflows`;
  if (kind === 'marker') {
    if (parts.length !== 4 || !LABEL.test(parts[3])) {
      return `marker needs one label of [a-z0-9-]+, got "${clip(parts.slice(3).join(' '))}"`;
    }
    return { kind, timeNs, thread: Number(thread), label: parts[3] };
  }
  const fields = fieldsOf(kind, version);
  if (parts.length !== 3 + fields.length) {
    return `${kind} needs ${fields.length} fields (${fields.join(' ')}), got ${parts.length - 3}`;
  }
  const event: Record<string, unknown> = { kind, timeNs, thread: Number(thread) };
  for (let i = 0; i < fields.length; i++) {
    const text = parts[3 + i];
    const value = HEX.test(text) ? Number.parseInt(text, 16) : Number.NaN;
    if (!Number.isSafeInteger(value)) {
      return `${kind} field ${fields[i]} "${clip(text)}" is not a hexadecimal integer`;
    }
    if ((fields[i] === 'length' || fields[i] === 'newLength') && value < 0) {
      return `${kind} field ${fields[i]} is negative (${text})`;
    }
    event[fields[i]] = value;
  }
  return (
    checkAllocFields(event as Record<string, number>, kind) ?? (event as unknown as TraceEvent)
  );
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
