// Turns a tracer's raw events into trace events: resolves markers to the labels the query
// process reported (and checks that the tracer saw every one, in order), keeps the events from
// the first marker (open-start) to the last (the end of the last run) — Node start-up and
// teardown are cut away — rebases times to the first marker, and numbers threads (0 = main).

import type { TraceEvent } from '../trace/format.js';
import type { PhaseInfo, ThreadInfo } from '../trace/metadata.js';
import type { RawEvent } from './raw.js';

export const WINDOW_DESCRIPTION =
  'all events of the query process from its first marker (open-start, before DuckDB opens the ' +
  'database) to its last (end of the last run); Node start-up and teardown are cut away';

export interface Windowed {
  events: TraceEvent[];
  threads: ThreadInfo[];
  /** Phase fault counters re-keyed from OS thread ids to thread indices. */
  phases: PhaseInfo[];
}

/** Builds the trace events of one query process; throws when markers are missing. */
export function windowEvents(
  raw: readonly RawEvent[],
  markers: readonly string[],
  mainTid: number,
  phases: readonly PhaseInfo[],
): Windowed {
  const seen = raw.filter((e) => e.body.kind === 'marker').sort((a, b) => a.timeNs - b.timeNs);
  const indices = seen.map((e) => (e.body as { index: number }).index);
  const expected = markers.map((_, i) => i);
  if (indices.join(',') !== expected.join(',')) {
    throw new Error(
      `tracer saw markers [${indices.join(',')}], the query process emitted [${expected.join(',')}]`,
    );
  }
  for (const e of seen) {
    const body = e.body as { index: number; label?: string };
    if (body.label !== undefined && body.label !== markers[body.index]) {
      throw new Error(`marker ${body.index} is "${body.label}", expected "${markers[body.index]}"`);
    }
  }
  const t0 = seen[0].timeNs;
  const t1 = seen[seen.length - 1].timeNs;
  // Cut before sorting (a stable sort, so the order of equal times is the input's either way).
  const sorted = raw.filter((e) => e.timeNs >= t0 && e.timeNs <= t1);
  sorted.sort((a, b) => a.timeNs - b.timeNs);
  const ids = new Map<number, number>([[mainTid, 0]]);
  const idOf = (tid: number) => {
    let id = ids.get(tid);
    if (id === undefined) ids.set(tid, (id = ids.size));
    return id;
  };
  const events: TraceEvent[] = [];
  for (const e of sorted) {
    const timeNs = Math.round(e.timeNs - t0);
    const thread = idOf(e.tid);
    if (e.body.kind === 'marker') {
      events.push({ timeNs, thread, kind: 'marker', label: markers[e.body.index] });
    } else {
      // One spread after literal fields: V8 copies `{ ...a, ...b }` on a slow path, ~10x slower
      // at the million events of an SF 1 window.
      events.push({ timeNs, thread, ...e.body } as TraceEvent);
    }
  }
  const rekeyed = phases.map((p) => ({
    ...p,
    threadFaults: Object.fromEntries(
      Object.entries(p.threadFaults).map(([tid, counts]) => [String(idOf(Number(tid))), counts]),
    ),
  }));
  const threads = [...ids].map(([tid, id]) => ({ id, tid, main: tid === mainTid }));
  return { events, threads, phases: rekeyed };
}
