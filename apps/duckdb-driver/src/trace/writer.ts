// Writes a trace file (format.ts): header line, one line per event with time deltas, `#end`
// trailer, gzip-compressed at level 9. The file is written under a temporary name and renamed
// when complete, so a reader never sees a half-written trace. Every event is validated before it
// is written: a bad event throws a RangeError naming its index and what is wrong.

import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { encodeEvent, TRACE_END, TRACE_MAGIC, type TraceEvent, validateEvent } from './format.js';
import type { TraceMetadata } from './metadata.js';

const CHUNK_CHARS = 1 << 16;

/** The header line of a trace with this metadata. */
export function headerLine(metadata: TraceMetadata): string {
  return `${TRACE_MAGIC} ${metadata.version} ${JSON.stringify(metadata)}`;
}

/** Streams events into a gzip-compressed trace file. */
export class TraceWriter {
  private readonly gzip = createGzip({ level: 9 });
  private readonly file: ReturnType<typeof createWriteStream>;
  private readonly temp: string;
  private pending = '';
  private previousNs = 0;
  private count = 0;
  private readonly version: number;

  constructor(
    private readonly path: string,
    metadata: TraceMetadata,
  ) {
    this.version = metadata.version;
    this.temp = `${path}.tmp-${process.pid}`;
    this.file = createWriteStream(this.temp);
    this.gzip.pipe(this.file);
    this.pending = `${headerLine(metadata)}\n`;
  }

  /** Appends one event; throws a RangeError when it is invalid or earlier than the last one. */
  write(event: TraceEvent): void {
    const problem = validateEvent(event, this.previousNs, this.version);
    if (problem) throw new RangeError(`trace event ${this.count}: ${problem}`);
    this.pending += `${encodeEvent(event, this.previousNs, this.version)}\n`;
    this.previousNs = event.timeNs;
    this.count++;
    if (this.pending.length >= CHUNK_CHARS) this.flushChunk();
  }

  /** Writes the trailer, finishes the file and renames it into place. */
  async close(): Promise<{ events: number; bytes: number }> {
    this.pending += `${TRACE_END} ${this.count}\n`;
    this.flushChunk();
    this.gzip.end();
    await finished(this.file);
    renameSync(this.temp, this.path);
    return { events: this.count, bytes: this.file.bytesWritten };
  }

  /** Drops the partial file. */
  async abort(): Promise<void> {
    this.gzip.destroy();
    this.file.destroy();
    await once(this.file, 'close').catch(() => undefined);
    rmSync(this.temp, { force: true });
  }

  private flushChunk(): void {
    this.gzip.write(this.pending);
    this.pending = '';
  }
}

/** Event counts per kind (the metadata's `eventCounts`). */
export function countEvents(events: Iterable<TraceEvent>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.kind] = (counts[event.kind] ?? 0) + 1;
  return counts;
}

/** Writes a whole trace; sets metadata.eventCounts from the events. */
export async function writeTrace(
  path: string,
  metadata: TraceMetadata,
  events: readonly TraceEvent[],
): Promise<{ events: number; bytes: number }> {
  const writer = new TraceWriter(path, { ...metadata, eventCounts: countEvents(events) });
  try {
    for (const event of events) writer.write(event);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.close();
}

/** The compressed bytes of a whole trace (for tests and in-memory use). */
export function encodeTrace(metadata: TraceMetadata, events: readonly TraceEvent[]): Buffer {
  return gzipSync(encodeTraceText(metadata, events), { level: 9 });
}

/** The uncompressed text of a whole trace; throws a RangeError on an invalid event. */
export function encodeTraceText(metadata: TraceMetadata, events: readonly TraceEvent[]): string {
  const lines = [headerLine({ ...metadata, eventCounts: countEvents(events) })];
  let previousNs = 0;
  events.forEach((event, index) => {
    const problem = validateEvent(event, previousNs, metadata.version);
    if (problem) throw new RangeError(`trace event ${index}: ${problem}`);
    lines.push(encodeEvent(event, previousNs, metadata.version));
    previousNs = event.timeNs;
  });
  lines.push(`${TRACE_END} ${events.length}`);
  return `${lines.join('\n')}\n`;
}
