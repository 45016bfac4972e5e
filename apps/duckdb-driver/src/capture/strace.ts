// Capture with strace (the fallback when perf is unavailable, e.g. blocked by seccomp or
// perf_event_paranoid in a container): the memory syscalls with raw numeric arguments, their
// results and microsecond timestamps, plus the marker access() calls. strace cannot see page
// faults; the query process' per-phase, per-thread fault counters (in the metadata) stand in for
// them. `--seccomp-bpf` stops only at traced syscalls: 3-10% overhead instead of 5-25%.

import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import {
  MARKER_PATH_PREFIX,
  parseSigned,
  type RawBody,
  type RawEvent,
  type Tracer,
} from './raw.js';

const execFileAsync = promisify(execFile);
const TRACED = 'mmap,munmap,mprotect,madvise,brk,mremap,access,faccessat,faccessat2';

/** strace arguments before `-- command`. */
export function straceArgs(outFile: string): string[] {
  return [
    '-f',
    '--seccomp-bpf',
    '-ttt',
    '-X',
    'raw',
    '-e',
    'signal=none',
    '-e',
    `trace=${TRACED}`,
    '-o',
    outFile,
  ];
}

const ERRNO: Record<string, number> = {
  EPERM: 1,
  ENOENT: 2,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EEXIST: 17,
  EINVAL: 22,
};

const LINE = /^(\d+)\s+(\d+)\.(\d+) (.*)$/;
const CALL = /^(\w+)\((.*)$/;
const RESUMED = /^<\.\.\. (\w+) resumed>(.*)$/;
const RESULT = /\)\s+= (-?\w+)(?: (E\w+))?/;

/** Incremental parser of `strace -f -ttt -X raw` output (unfinished/resumed lines joined). */
export class StraceParser {
  readonly events: RawEvent[] = [];
  private baseSeconds = -1;
  private readonly unfinished = new Map<number, { timeNs: number; name: string; text: string }>();

  push(line: string): void {
    const m = LINE.exec(line);
    if (!m) return;
    const tid = Number(m[1]);
    if (this.baseSeconds < 0) this.baseSeconds = Number(m[2]);
    const timeNs = (Number(m[2]) - this.baseSeconds) * 1e9 + Number(m[3].padEnd(9, '0'));
    const text = m[4];
    const resumed = RESUMED.exec(text);
    if (resumed) {
      const start = this.unfinished.get(tid);
      this.unfinished.delete(tid);
      if (start && start.name === resumed[1])
        this.finish(start.timeNs, tid, start.text + resumed[2]);
      return;
    }
    const call = CALL.exec(text);
    if (!call) return;
    if (text.endsWith('<unfinished ...>')) {
      const head = text.slice(0, -'<unfinished ...>'.length).trimEnd();
      this.unfinished.set(tid, { timeNs, name: call[1], text: head });
      return;
    }
    this.finish(timeNs, tid, text);
  }

  private finish(timeNs: number, tid: number, text: string): void {
    const call = CALL.exec(text);
    const result = RESULT.exec(text);
    if (!call || !result) return;
    const name = call[1];
    const close = call[2].lastIndexOf(')');
    const args = splitArgs(call[2].slice(0, close));
    const value = result[2] !== undefined ? -(ERRNO[result[2]] ?? 1) : parseSigned(result[1]);
    if (name === 'access' || name.startsWith('faccessat')) {
      const path = args[name === 'access' ? 0 : 1] ?? '';
      const marker = /^"\/__unimem_trace__\/(\d+)-([a-z0-9-]+)"$/.exec(path);
      if (marker && path.startsWith(`"${MARKER_PATH_PREFIX}`)) {
        this.events.push({
          timeNs,
          tid,
          body: { kind: 'marker', index: Number(marker[1]), label: marker[2] },
        });
      }
      return;
    }
    const body = syscallBody(name, args.map(parseSigned), value);
    if (body) this.events.push({ timeNs, tid, body });
  }
}

function splitArgs(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (c === ',' && !quoted) {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out.map((a) => (/^-?(0x[0-9a-f]+|\d+|NULL)$/.test(a) || a.startsWith('"') ? a : '0'));
}

function syscallBody(name: string, a: number[], result: number): RawBody | undefined {
  switch (name) {
    case 'mmap':
      return { kind: 'mmap', addr: a[0], length: a[1], prot: a[2], flags: a[3], result };
    case 'munmap':
      return { kind: 'munmap', addr: a[0], length: a[1], result };
    case 'mprotect':
      return { kind: 'mprotect', addr: a[0], length: a[1], prot: a[2], result };
    case 'madvise':
      return { kind: 'madvise', addr: a[0], length: a[1], advice: a[2], result };
    case 'brk':
      return { kind: 'brk', addr: a[0], result };
    case 'mremap':
      return {
        kind: 'mremap',
        addr: a[0],
        length: a[1],
        newLength: a[2],
        flags: a[3],
        newAddr: a[4] ?? 0,
        result,
      };
    default:
      return undefined;
  }
}

async function readStraceFile(outFile: string): Promise<{ events: RawEvent[]; lost: number }> {
  const parser = new StraceParser();
  for await (const line of createInterface({ input: createReadStream(outFile) })) parser.push(line);
  return { events: parser.events, lost: 0 };
}

/** Checks that strace can trace a child here; returns a ready tracer or the reason it cannot. */
export async function probeStrace(): Promise<Tracer | string> {
  let version: string;
  try {
    version = (await execFileAsync('strace', ['-V'])).stdout.split('\n')[0].trim();
  } catch {
    return 'strace is not installed (apt-get install strace)';
  }
  try {
    await execFileAsync('strace', [...straceArgs('/dev/null'), '--', 'true']);
  } catch (error) {
    const message = ((error as { stderr?: string }).stderr || (error as Error).message).trim();
    return `strace cannot trace a child here (ptrace blocked?): ${message.split('\n')[0]}`;
  }
  return {
    mode: 'strace',
    version,
    reason: 'strace works (ptrace allowed); page faults only as per-phase counters',
    faults: 'counters',
    wrap: (outFile, command) => ['strace', ...straceArgs(outFile), '--', ...command],
    read: readStraceFile,
  };
}
