// Merging the allocation interposer's events into the tracer's: both streams carry the same
// markers (the query process' access() calls reach the interposer, its close() calls reach perf,
// one right after the other) and both read CLOCK_MONOTONIC (perf with -k mono), so the marker
// pairs measure how far the clocks disagree. The interposer's times are shifted by the median
// difference and its markers dropped (the tracer's markers define the window). Only interposer
// records that land inside the tracer's marked window after the shift are decoded: window.ts
// drops everything outside it anyway, and the rest (Node start-up and teardown) is ~90% of the
// file. Invariant: the merge never reorders the events of one thread within one stream.

import { HEAP_NAMES } from '../trace/alloc-events.js';
import type { AllocationCaptureInfo } from '../trace/metadata.js';
import { DEFAULT_AGGREGATION, describeRule } from './aggregate.js';
import { INTERPOSER_METHOD, type InterposerOutput } from './interposer.js';
import type { RawEvent } from './raw.js';

export function mergeAllocations(
  tracer: readonly RawEvent[],
  interposer: InterposerOutput,
): { events: RawEvent[]; info: AllocationCaptureInfo } {
  const tracerMarkers = markerTimes(tracer);
  const allocMarkers = interposer.markerTimes();
  const skews: number[] = [];
  for (const [index, time] of allocMarkers) {
    const other = tracerMarkers.get(index);
    if (other !== undefined) skews.push(time - other);
  }
  if (skews.length === 0) {
    throw new Error('the allocation interposer and the tracer share no marker; cannot align them');
  }
  skews.sort((a, b) => a - b);
  const shift = skews[skews.length >> 1];
  const largest = Math.max(...skews.map((x) => Math.abs(x)));
  const windowStart = Math.min(...tracerMarkers.values());
  const windowEnd = Math.max(...tracerMarkers.values());
  const events: RawEvent[] = [...tracer];
  const range = { fromNs: windowStart + shift, toNs: windowEnd + shift };
  for (const e of interposer.events(range, shift, false)) events.push(e);
  const rule = DEFAULT_AGGREGATION;
  return {
    events,
    info: {
      method: INTERPOSER_METHOD,
      heaps: Object.fromEntries(Object.entries(HEAP_NAMES)),
      calls: {},
      aggregation: {
        rule: describeRule(rule),
        maxSizeBytes: rule.maxSizeBytes,
        batchedCalls: 0,
        batchEvents: 0,
      },
      clockSkewNs: largest,
    },
  };
}

function markerTimes(events: readonly RawEvent[]): Map<number, number> {
  const times = new Map<number, number>();
  for (const e of events) {
    if (e.body.kind === 'marker' && !times.has(e.body.index)) times.set(e.body.index, e.timeNs);
  }
  return times;
}
