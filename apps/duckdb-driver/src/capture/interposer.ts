// The allocation interposer (native/malloc-trace.c): built with the C compiler on first use into
// the cache directory (one file per source hash, so an edit rebuilds it), preloaded into the query
// process with LD_PRELOAD, and its binary output decoded into raw allocation events.
//
// Record layout (little-endian, 40 bytes, as `struct record` in the C file): u64 time (ns,
// CLOCK_MONOTONIC), u64 a, u64 b, u64 c, u32 tid, u32 kind. Kinds: 1/4 malloc (a ptr, b size,
// c align) of jemalloc/libc, 2/5 free (a ptr, b size or 0), 3/6 realloc (a old, b size, c new),
// 7 marker (a index). Invariant: every record decodes to exactly one raw event; an unknown kind
// or a file whose length is not a multiple of 40 is an error, never skipped.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Heap } from '../trace/alloc-events.js';
import type { RawEvent } from './raw.js';

const execFileAsync = promisify(execFile);

export const INTERPOSER_SOURCE = fileURLToPath(
  new URL('../../native/malloc-trace.c', import.meta.url),
);
export const RECORD_BYTES = 40;
/** The environment variable naming the interposer's output file. */
export const OUTPUT_ENV = 'UNIMEM_MALLOC_TRACE';
export const INTERPOSER_METHOD =
  'LD_PRELOAD interposer (apps/duckdb-driver/native/malloc-trace.c): duckdb_je_malloc/mallocx/' +
  'free/sdallocx/realloc, which libduckdb.so calls through its PLT, and glibc malloc/calloc/' +
  'realloc/free/memalign/posix_memalign/aligned_alloc (operator new and delete reach them ' +
  'through libstdc++); every call, its thread and its CLOCK_MONOTONIC time';

export interface Interposer {
  library: string;
  /** Environment additions that make a process record into `output`. */
  env(output: string): Record<string, string>;
}

function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'unimem');
}

/** Builds (once per source version) the interposer; returns it, or why it cannot be built. */
export async function buildInterposer(): Promise<Interposer | string> {
  const source = readFileSync(INTERPOSER_SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const dir = cacheDir();
  const library = join(dir, `malloc-trace-${hash}.so`);
  if (!existsSync(library)) {
    mkdirSync(dir, { recursive: true });
    const temp = `${library}.tmp-${process.pid}`;
    const cc = process.env.CC || 'cc';
    try {
      await execFileAsync(cc, [
        '-O2',
        '-shared',
        '-fPIC',
        '-o',
        temp,
        INTERPOSER_SOURCE,
        '-ldl',
        '-lpthread',
      ]);
    } catch (error) {
      const message = ((error as { stderr?: string }).stderr || (error as Error).message).trim();
      return `cannot build the allocation interposer with ${cc}: ${message.split('\n')[0]}`;
    }
    renameSync(temp, library);
  }
  return {
    library,
    env: (output) => ({
      LD_PRELOAD: [library, process.env.LD_PRELOAD].filter(Boolean).join(':'),
      [OUTPUT_ENV]: output,
    }),
  };
}

/** Inclusive time range (interposer clock, ns) of the records to decode. */
export interface TimeRange {
  fromNs: number;
  toNs: number;
}

const ALL_TIME: TimeRange = { fromNs: -Infinity, toNs: Infinity };
const KIND_OFFSET = 36;
const MARKER_KIND = 7;

/**
 * The interposer's output, checked (whole records, known kinds) but decoded lazily: a query
 * process' file holds every call of its lifetime (Node start-up and teardown too, ~10x the
 * marked window), so the capture reads the markers first and decodes only the window.
 */
export class InterposerOutput {
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    readonly source: string,
  ) {
    if (bytes.length % RECORD_BYTES !== 0) {
      throw new Error(`${source}: ${bytes.length} bytes is not a whole number of 40-byte records`);
    }
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let o = 0; o < bytes.length; o += RECORD_BYTES) {
      const kind = this.view.getUint32(o + KIND_OFFSET, true);
      if (kind < 1 || kind > MARKER_KIND) {
        throw new Error(`${source}: record ${o / RECORD_BYTES} has unknown kind ${kind}`);
      }
    }
  }

  /** Marker index → time of its first record. */
  markerTimes(): Map<number, number> {
    const times = new Map<number, number>();
    for (let o = 0; o < this.bytes.length; o += RECORD_BYTES) {
      if (this.view.getUint32(o + KIND_OFFSET, true) !== MARKER_KIND) continue;
      const index = this.u64(o + 8);
      if (!times.has(index)) times.set(index, this.u64(o));
    }
    return times;
  }

  /**
   * The records timed within `range`, as raw events in file order, their times moved by
   * `-shiftNs` (onto the tracer's clock); markers are left out when `markers` is false.
   */
  events(range: TimeRange = ALL_TIME, shiftNs = 0, markers = true): RawEvent[] {
    const events: RawEvent[] = [];
    for (let o = 0; o < this.bytes.length; o += RECORD_BYTES) {
      const timeNs = this.u64(o);
      if (timeNs < range.fromNs || timeNs > range.toNs) continue;
      if (!markers && this.view.getUint32(o + KIND_OFFSET, true) === MARKER_KIND) continue;
      events.push(this.decode(o, timeNs - shiftNs));
    }
    return events;
  }

  private decode(o: number, timeNs: number): RawEvent {
    const a = this.u64(o + 8);
    const b = this.u64(o + 16);
    const c = this.u64(o + 24);
    const tid = this.view.getUint32(o + 32, true);
    const kind = this.view.getUint32(o + KIND_OFFSET, true);
    const heap = kind <= 3 ? Heap.duckdbJemalloc : Heap.libc;
    switch (kind) {
      case 1:
      case 4:
        return { timeNs, tid, body: { kind: 'alloc', heap, ptr: a, size: b, align: c } };
      case 2:
      case 5:
        return { timeNs, tid, body: { kind: 'free', heap, ptr: a, size: b } };
      case 3:
      case 6:
        return { timeNs, tid, body: { kind: 'realloc', heap, ptr: a, size: b, result: c } };
      default:
        return { timeNs, tid, body: { kind: 'marker', index: a } };
    }
  }

  /** An unsigned 64-bit field as a number: the same rounding as Number(BigInt), without BigInt. */
  private u64(o: number): number {
    return this.view.getUint32(o + 4, true) * 2 ** 32 + this.view.getUint32(o, true);
  }
}

/** Decodes the interposer's output into raw events (time order not guaranteed across threads). */
export function decodeInterposerOutput(bytes: Uint8Array, source: string): RawEvent[] {
  return new InterposerOutput(bytes, source).events();
}

/** Reads an interposer output file (checked, decoded lazily). */
export function readInterposerOutput(path: string): InterposerOutput {
  return new InterposerOutput(readFileSync(path), path);
}
