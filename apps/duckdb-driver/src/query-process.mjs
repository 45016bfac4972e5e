// @ts-check
// The process that runs one TPC-H query, as the thesis ran each query in a fresh DuckDB process:
// open the database READ_ONLY with the requested thread count, run the query `repeat` times
// (run 1 cold, later runs warm) and print one JSON line with the timings on stdout.
//
// It is plain JavaScript on purpose: started by `node` alone, with no TypeScript loader, so that
// no loader's mmaps, page faults or start-up time end up in traces or cold timings.
//
// Markers: every phase boundary is announced with two failing syscalls a tracer can see —
// access("/__unimem_trace__/<index>-<label>") for strace (which shows string arguments) and
// close(MARKER_FD_BASE + index) for perf tracepoints (which show only numbers). The index is the
// marker's position in the `markers` list of the output, so a tracer maps fds back to labels.
// Fault counters are read outside the marked windows so that reading them is not traced.
import { accessSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { DuckDBInstance, version } from '@duckdb/node-api';

/** First marker fd: 2^30, far above any fd the process opens (perf filters on fd >= this). */
const MARKER_FD_BASE = 1073741824;

/** @type {string[]} */
const markers = [];

/** @param {string} label */
function mark(label) {
  const index = markers.length;
  markers.push(label);
  try {
    accessSync(`/__unimem_trace__/${index}-${label}`);
  } catch {}
  try {
    closeSync(MARKER_FD_BASE + index);
  } catch {}
}

/** Minor and major fault counts per thread id, from /proc/self/task/<tid>/stat. */
function threadFaults() {
  /** @type {Record<string, [number, number]>} */
  const faults = {};
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the parenthesised command name: state(3) ... minflt(10) ... majflt(12).
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      faults[tid] = [Number(rest[7]), Number(rest[9])];
    } catch {}
  }
  return faults;
}

/**
 * Differences of two threadFaults() snapshots (threads that appeared count from 0).
 * @param {Record<string, [number, number]>} before
 * @param {Record<string, [number, number]>} after
 */
function faultDelta(before, after) {
  /** @type {Record<string, [number, number]>} */
  const delta = {};
  for (const [tid, [minor, major]] of Object.entries(after)) {
    const [minor0, major0] = before[tid] ?? [0, 0];
    if (minor !== minor0 || major !== major0) delta[tid] = [minor - minor0, major - major0];
  }
  return delta;
}

/**
 * Runs `body` between a `<phase>-start` and a `<phase>-end` marker and records its wall time
 * and fault counters.
 * @template T
 * @param {string} phase
 * @param {() => Promise<T>} body
 * @param {Array<{phase: string, ms: number, cpuMs: number, minorFaults: number, majorFaults: number, threadFaults: Record<string, [number, number]>}>} phases
 * @returns {Promise<T>}
 */
async function measured(phase, body, phases) {
  const usage0 = process.resourceUsage();
  const threads0 = threadFaults();
  mark(`${phase}-start`);
  const t0 = process.hrtime.bigint();
  const value = await body();
  const t1 = process.hrtime.bigint();
  mark(`${phase}-end`);
  const usage1 = process.resourceUsage();
  phases.push({
    phase,
    ms: Number(t1 - t0) / 1e6,
    cpuMs:
      (usage1.userCPUTime + usage1.systemCPUTime - usage0.userCPUTime - usage0.systemCPUTime) / 1e3,
    minorFaults: usage1.minorPageFault - usage0.minorPageFault,
    majorFaults: usage1.majorPageFault - usage0.majorPageFault,
    threadFaults: faultDelta(threads0, threadFaults()),
  });
  return value;
}

async function main() {
  /** @type {{db: string, threads: number, repeat: number, sql: string}} */
  const job = JSON.parse(process.argv[2] ?? '{}');
  /** @type {Parameters<typeof measured>[2]} */
  const phases = [];
  /** @type {number[]} */
  const rows = [];
  const connection = await measured(
    'open',
    async () => {
      const instance = await DuckDBInstance.create(job.db, {
        access_mode: 'READ_ONLY',
        threads: String(job.threads),
      });
      return instance.connect();
    },
    phases,
  );
  for (let run = 1; run <= job.repeat; run++) {
    const reader = await measured(`run${run}`, () => connection.runAndReadAll(job.sql), phases);
    rows.push(reader.currentRowCount);
  }
  const out = {
    duckdbVersion: version(),
    pid: process.pid,
    markers,
    phases,
    rows,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  connection.closeSync();
}

main().catch((error) => {
  process.stderr.write(`query process: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
