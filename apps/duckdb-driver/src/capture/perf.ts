// Capture with `perf record`: every page fault with its address — the exceptions:page_fault_user
// tracepoint where the kernel has it (its x86 error code tells reads, writes and instruction
// fetches apart), else the software event page-faults (sample period 1, -d; no access kind) —
// plus the memory syscall tracepoints (enter for the arguments, exit for the result) and the
// marker close() calls, all on CLOCK_MONOTONIC (-k mono, the clock the allocation interposer
// uses) and with the CPU of every sample (--sample-cpu). The preferred mode: it sees the faults
// that make up most of DuckDB's memory behaviour at 2-10% overhead (reference: docs/reference/duckdb.md §3).

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { MARKER_FD_BASE, parseSigned, type RawBody, type RawEvent, type Tracer } from './raw.js';

const execFileAsync = promisify(execFile);
const SYSCALLS = ['mmap', 'munmap', 'mprotect', 'madvise', 'brk', 'mremap'] as const;

/**
 * perf record arguments before `-- command`. `bufferPages` sizes the per-CPU ring buffer (1024
 * pages = 4 MiB keeps every fault of a burst); 0 keeps perf's default, for users whose
 * perf_event_mlock_kb does not allow more.
 */
export function perfRecordArgs(
  dataFile: string,
  bufferPages = 1024,
  faults: FaultSource = 'tracepoint',
): string[] {
  const args = ['record', '-q', '-k', 'mono', '--sample-cpu', '-o', dataFile];
  if (bufferPages > 0) args.splice(2, 0, '-m', String(bufferPages));
  if (faults === 'tracepoint') args.push('-e', FAULT_TRACEPOINT);
  else args.push('-e', 'page-faults', '-c', '1', '-d');
  for (const name of SYSCALLS) {
    args.push('-e', `syscalls:sys_enter_${name}`, '-e', `syscalls:sys_exit_${name}`);
  }
  args.push('-e', 'syscalls:sys_enter_close', '--filter', `fd >= ${MARKER_FD_BASE}`);
  return args;
}

/** Where faults come from: the tracepoint (with access kind) or the software event. */
export type FaultSource = 'tracepoint' | 'software';
export const FAULT_TRACEPOINT = 'exceptions:page_fault_user';

const LINE = /^\s*\d+\/(\d+)\s+(?:\[(\d+)\]\s+)?(\d+)\.(\d+):\s+(\S+):\s*(.*)$/;
const FIELD = /(\w+): (0x[0-9a-f]+)/g;
const FAULT_FIELDS = /address=(0x[0-9a-f]+).*error_code=(0x[0-9a-f]+)/;

/** Access kind of an x86 page-fault error code: bit 4 instruction fetch, bit 1 write. */
export function faultAccess(errorCode: number): number {
  if (errorCode & 0x10) return 3;
  return errorCode & 0x2 ? 2 : 1;
}

/** Incremental parser of `perf script -F pid,tid,time,event,trace,addr --ns` output. */
export class PerfScriptParser {
  readonly events: RawEvent[] = [];
  /** Syscall enters without an exit (the process ended inside the call). */
  unmatched = 0;
  private readonly open = new Map<number, RawEvent & { name: string }>();

  push(line: string): void {
    const m = LINE.exec(line);
    if (!m) return;
    const tid = Number(m[1]);
    const cpu = m[2] === undefined ? undefined : Number(m[2]);
    const timeNs = Number(m[3]) * 1e9 + Number(m[4].padEnd(9, '0'));
    const [, , , , , event, rest] = m;
    if (event === 'page-faults') {
      const addr = Number.parseInt(rest.trim().split(/\s+/)[0], 16);
      this.events.push({ timeNs, tid, cpu, body: { kind: 'fault', addr } });
      return;
    }
    if (event === FAULT_TRACEPOINT) {
      const f = FAULT_FIELDS.exec(rest);
      if (!f) return;
      const access = faultAccess(Number.parseInt(f[2], 16));
      this.events.push({
        timeNs,
        tid,
        cpu,
        body: { kind: 'fault', addr: parseSigned(f[1]), access },
      });
      return;
    }
    const tp = /^syscalls:sys_(enter|exit)_(\w+)$/.exec(event);
    if (!tp) return;
    const [, phase, name] = tp;
    if (phase === 'enter') {
      const f = fields(rest);
      if (name === 'close') {
        const index = f.fd - MARKER_FD_BASE;
        this.events.push({ timeNs, tid, cpu, body: { kind: 'marker', index } });
        return;
      }
      if (this.open.has(tid)) this.unmatched++;
      this.open.set(tid, { timeNs, tid, cpu, name, body: enterBody(name, f) });
      return;
    }
    const pending = this.open.get(tid);
    if (!pending || pending.name !== name) return;
    this.open.delete(tid);
    (pending.body as { result: number }).result = parseSigned(rest.trim().split(/\s+/)[0]);
    this.events.push({ timeNs: pending.timeNs, tid, body: pending.body });
  }
}

function fields(rest: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of rest.matchAll(FIELD)) out[m[1]] = parseSigned(m[2]);
  return out;
}

function enterBody(name: string, f: Record<string, number>): RawBody {
  switch (name) {
    case 'mmap':
      return { kind: 'mmap', addr: f.addr, length: f.len, prot: f.prot, flags: f.flags, result: 0 };
    case 'munmap':
      return { kind: 'munmap', addr: f.addr, length: f.len, result: 0 };
    case 'mprotect':
      return { kind: 'mprotect', addr: f.start, length: f.len, prot: f.prot, result: 0 };
    case 'madvise':
      return { kind: 'madvise', addr: f.start, length: f.len_in, advice: f.behavior, result: 0 };
    case 'brk':
      return { kind: 'brk', addr: f.brk, result: 0 };
    default:
      return {
        kind: 'mremap',
        addr: f.addr,
        length: f.old_len,
        newLength: f.new_len,
        flags: f.flags,
        newAddr: f.new_addr,
        result: 0,
      };
  }
}

/** Runs `perf script` on a data file and parses it as a stream. */
async function readPerfData(
  dataFile: string,
  faults: FaultSource,
): Promise<{ events: RawEvent[]; lost: number }> {
  // perf script refuses `addr` when no event sampled it (the tracepoint carries the address).
  const fields =
    faults === 'software' ? 'pid,tid,cpu,time,event,trace,addr' : 'pid,tid,cpu,time,event,trace';
  const child = spawn('perf', ['script', '-i', dataFile, '--ns', '-F', fields], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const parser = new PerfScriptParser();
  for await (const line of createInterface({ input: child.stdout })) parser.push(line);
  const code: number = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`perf script failed (exit ${code}): ${stderr.trim()}`);
  const lost = Number(/lost (\d+) chunks/.exec(stderr)?.[1] ?? 0);
  return { events: parser.events, lost };
}

/**
 * Checks that perf can record page faults with addresses and the syscall tracepoints here.
 * Returns a ready tracer, or the reason it cannot be used.
 */
export async function probePerf(): Promise<Tracer | string> {
  let version: string;
  try {
    version = (await execFileAsync('perf', ['--version'])).stdout.trim();
  } catch {
    return 'perf is not installed (apt-get install linux-perf)';
  }
  let paranoid = 'unknown';
  try {
    paranoid = readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim();
  } catch {}
  let failure = '';
  for (const [bufferPages, faults] of PROBES) {
    const problem = await probeRecord(bufferPages, faults);
    if (problem === undefined) {
      const how = faults === 'tracepoint' ? `${FAULT_TRACEPOINT} (reads vs writes)` : 'page-faults';
      return {
        mode: 'perf',
        version,
        reason: `perf records page faults with addresses via ${how} and syscall tracepoints here (perf_event_paranoid=${paranoid}${bufferPages ? '' : ', default ring buffer'})`,
        faults: 'addresses',
        wrap: (dataFile, command) => [
          'perf',
          ...perfRecordArgs(dataFile, bufferPages, faults),
          '--',
          ...command,
        ],
        read: (dataFile) => readPerfData(dataFile, faults),
      };
    }
    failure ||= problem;
  }
  return `perf cannot record page faults and syscall tracepoints (perf_event_paranoid=${paranoid}, uid ${process.getuid?.()}): ${failure}`;
}

const PROBES: ReadonlyArray<[number, FaultSource]> = [
  [1024, 'tracepoint'],
  [1024, 'software'],
  [0, 'tracepoint'],
  [0, 'software'],
];

/** Records `true` with the capture's events; undefined when faults were seen, else the problem. */
async function probeRecord(bufferPages: number, faults: FaultSource): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'unimem-perf-probe-'));
  const data = join(dir, 'probe.data');
  try {
    await execFileAsync('perf', [...perfRecordArgs(data, bufferPages, faults), '--', 'true']);
    const { events } = await readPerfData(data, faults);
    return events.some((e) => e.body.kind === 'fault') ? undefined : 'no page faults reported';
  } catch (error) {
    const message = ((error as { stderr?: string }).stderr || (error as Error).message).trim();
    return message.split('\n')[0];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
