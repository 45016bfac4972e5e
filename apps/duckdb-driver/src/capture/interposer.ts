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

/** Decodes the interposer's output into raw events (time order not guaranteed across threads). */
export function decodeInterposerOutput(bytes: Uint8Array, source: string): RawEvent[] {
  if (bytes.length % RECORD_BYTES !== 0) {
    throw new Error(`${source}: ${bytes.length} bytes is not a whole number of 40-byte records`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const events: RawEvent[] = [];
  for (let o = 0; o < bytes.length; o += RECORD_BYTES) {
    const timeNs = Number(view.getBigUint64(o, true));
    const a = Number(view.getBigUint64(o + 8, true));
    const b = Number(view.getBigUint64(o + 16, true));
    const c = Number(view.getBigUint64(o + 24, true));
    const tid = view.getUint32(o + 32, true);
    const kind = view.getUint32(o + 36, true);
    const heap = kind <= 3 ? Heap.duckdbJemalloc : Heap.libc;
    switch (kind) {
      case 1:
      case 4:
        events.push({ timeNs, tid, body: { kind: 'alloc', heap, ptr: a, size: b, align: c } });
        break;
      case 2:
      case 5:
        events.push({ timeNs, tid, body: { kind: 'free', heap, ptr: a, size: b } });
        break;
      case 3:
      case 6:
        events.push({ timeNs, tid, body: { kind: 'realloc', heap, ptr: a, size: b, result: c } });
        break;
      case 7:
        events.push({ timeNs, tid, body: { kind: 'marker', index: a } });
        break;
      default:
        throw new Error(`${source}: record ${o / RECORD_BYTES} has unknown kind ${kind}`);
    }
  }
  return events;
}

/** Reads and decodes an interposer output file. */
export function readInterposerOutput(path: string): RawEvent[] {
  return decodeInterposerOutput(readFileSync(path), path);
}
