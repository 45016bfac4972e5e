// Aggregation of short-lived small allocations, the one lossy step between capture and trace
// file (format: trace/alloc-events.ts, `batch`). DuckDB makes tens of thousands of tiny
// operator-new allocations per query at SF 0.1 (hundreds of thousands at SF 1), most of them
// freed by the same thread within microseconds; written one line each they would dominate the
// committed traces. The rule folds an allocation into a batch only when all of these hold:
//
// - its size is at most `maxSizeBytes` and it asked for no alignment;
// - the same thread frees it, within `maxLifetimeNs`, with no marker (phase boundary) between;
// - it is not a realloc's input or output.
//
// Folded allocations of one thread, heap and size are counted into one pending batch, written at
// the time of the first of them; a pending batch closes at a marker or `slotNs` after it opened
// (so a batch may move up to `slotNs` of calls before kept events of the same thread). Kept: every jemalloc (buffer) allocation, every
// cross-thread free, every long-lived or large allocation, exactly as recorded. Invariant: the
// number of malloc calls (alloc + realloc + batch counts) and of frees per thread and heap is
// unchanged by aggregation.

import type { AllocEvent, TraceEvent } from '../trace/format.js';

export interface AggregationRule {
  maxSizeBytes: number;
  maxLifetimeNs: number;
  slotNs: number;
}

export const DEFAULT_AGGREGATION: AggregationRule = {
  maxSizeBytes: 1024,
  maxLifetimeNs: 1e6,
  slotNs: 1e6,
};

export function describeRule(rule: AggregationRule): string {
  return (
    `allocations of at most ${rule.maxSizeBytes} B without alignment, freed by the allocating ` +
    `thread within ${rule.maxLifetimeNs / 1e3} µs and not across a marker, are counted into ` +
    `per-thread, per-heap, per-size batches (one 'N' event at the first one's time, closed by ` +
    `a marker or ${rule.slotNs / 1e3} µs after it opened)`
  );
}

export interface Aggregated {
  events: TraceEvent[];
  batchedCalls: number;
  batchEvents: number;
}

/** Applies `rule` to time-ordered events; returns time-ordered events. */
export function aggregateAllocations(
  events: readonly TraceEvent[],
  rule: AggregationRule = DEFAULT_AGGREGATION,
): Aggregated {
  const fold = foldable(events, rule);
  const out: TraceEvent[] = [];
  /** thread → batchKey(heap, size) → open batch. */
  const open = new Map<number, Map<number, TraceEvent & { kind: 'batch' }>>();
  let batchedCalls = 0;
  let batchEvents = 0;
  events.forEach((event, i) => {
    if (event.kind === 'marker') {
      for (const batches of open.values()) batches.clear();
      out.push(event);
      return;
    }
    if (fold[i] === 2) return; // the free of a folded allocation
    if (fold[i] !== 1) {
      out.push(event);
      return;
    }
    const alloc = event as AllocEvent;
    let batches = open.get(alloc.thread);
    if (!batches) open.set(alloc.thread, (batches = new Map()));
    const key = batchKey(alloc.heap, alloc.size);
    const batch = batches.get(key);
    batchedCalls++;
    if (batch && alloc.timeNs - batch.timeNs <= rule.slotNs) {
      batch.count++;
      return;
    }
    const fresh = {
      kind: 'batch' as const,
      timeNs: alloc.timeNs,
      thread: alloc.thread,
      heap: alloc.heap,
      size: alloc.size,
      count: 1,
    };
    batches.set(key, fresh);
    batchEvents++;
    out.push(fresh);
  });
  return { events: out, batchedCalls, batchEvents };
}

/** One number per (heap 1..2, size): exact while size < 2^51, and folded sizes are ≤ 1 KiB. */
function batchKey(heap: number, size: number): number {
  return size * 4 + heap;
}

/** Per event: 1 = a foldable allocation, 2 = the free of one, 0 = kept. */
function foldable(events: readonly TraceEvent[], rule: AggregationRule): Uint8Array {
  const marks = new Uint8Array(events.length);
  /** Per heap: live pointer → index of its alloc event (number keys: no string per event). */
  const live = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
  let phase = 0;
  const phaseOf = new Int32Array(events.length);
  events.forEach((event, i) => {
    if (event.kind === 'marker') phase++;
    phaseOf[i] = phase;
    if (event.kind === 'alloc' && event.ptr !== 0) {
      live[event.heap].set(event.ptr, i);
    } else if (event.kind === 'free' || event.kind === 'realloc') {
      const j = live[event.heap].get(event.ptr);
      live[event.heap].delete(event.ptr);
      if (j === undefined || event.kind === 'realloc') return;
      const alloc = events[j] as AllocEvent;
      if (
        alloc.thread === event.thread &&
        alloc.size <= rule.maxSizeBytes &&
        alloc.align === 0 &&
        phaseOf[j] === phase &&
        event.timeNs - alloc.timeNs <= rule.maxLifetimeNs
      ) {
        marks[j] = 1;
        marks[i] = 2;
      }
    }
  });
  return marks;
}
