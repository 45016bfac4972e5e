// Tracer overhead: runs each query process untraced (the baseline), with the allocation
// interposer alone, under perf, under perf with the interposer (what `capture` does) and under
// strace, interleaved round by round so that background load hits all modes alike, and reports median
// cold (run 1) and warm (runs 2..R) wall and CPU times (user + system, all threads of the query
// process) per mode and their ratio to the baseline. CPU time is the steadier measure on a loaded
// machine: waiting for a core does not count.
//
//   pnpm --filter @unimem/duckdb-driver exec tsx bench/capture-overhead.ts [sf] [threads] [rounds] [queries]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseTracer } from '../src/capture/capture.js';
import { buildInterposer, type Interposer } from '../src/capture/interposer.js';
import type { Tracer } from '../src/capture/raw.js';
import { generate } from '../src/gen.js';
import { loadQuery, parseQueryList, queryName } from '../src/queries.js';
import { queryProcessCommand, runQueryProcess, timingOf } from '../src/run.js';

const sf = Number(process.argv[2] ?? 0.1);
const threads = Number(process.argv[3] ?? 2);
const rounds = Number(process.argv[4] ?? 5);
const queries = parseQueryList(process.argv[5] ?? '1,6,9,13,18,21');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const db = await generate({ sf });
const modes: Array<{ name: string; tracer?: Tracer; interposer?: Interposer }> = [{ name: 'none' }];
const built = await buildInterposer();
const interposer = typeof built === 'string' ? undefined : built;
if (!interposer) console.log(`skipping the interposer: ${built}`);
else modes.push({ name: 'alloc', interposer });
const only = (process.env.MODES ?? 'perf,perf+alloc,strace').split(',');
for (const mode of ['perf', 'strace'] as const) {
  try {
    const tracer = await chooseTracer(mode);
    if (only.includes(mode)) modes.push({ name: mode, tracer });
    if (interposer && only.includes(`${mode}+alloc`)) {
      modes.push({ name: `${mode}+alloc`, tracer, interposer });
    }
  } catch (error) {
    console.log(`skipping ${mode}: ${(error as Error).message}`);
  }
}
const dir = mkdtempSync(join(tmpdir(), 'unimem-overhead-'));
const METRICS = ['cold', 'warm', 'cold cpu', 'warm cpu'] as const;
const samples = new Map<string, number[]>();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const record = (key: string, value: number) =>
  samples.set(key, [...(samples.get(key) ?? []), value]);
try {
  for (let round = 0; round < rounds; round++) {
    for (const n of queries) {
      const job = { db: db.path, threads, repeat: 3, sql: loadQuery(n, sf).sql };
      for (let i = 0; i < modes.length; i++) {
        const { name, tracer, interposer: preload } = modes[(i + round) % modes.length];
        const env = preload
          ? [
              'env',
              ...Object.entries(preload.env(join(dir, 'alloc.bin'))).map(([k, v]) => `${k}=${v}`),
            ]
          : [];
        const command = [...env, ...queryProcessCommand(job)];
        const wrapped = tracer ? tracer.wrap(join(dir, `${name}.data`), command) : command;
        const { result } = await runQueryProcess(wrapped, `${queryName(n)} ${name}`);
        const t = timingOf(n, result);
        const values = [t.coldMs, t.warmMs, t.runsCpuMs[0], mean(t.runsCpuMs.slice(1))];
        for (const [i, metric] of METRICS.entries()) record(`${n} ${name} ${metric}`, values[i]);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`SF ${sf}, ${threads} DuckDB threads, ${rounds} rounds, median ms (ratio to none)`);
const header = ['query', ...modes.flatMap((m) => METRICS.map((metric) => `${m.name} ${metric}`))];
console.log(header.join('\t'));
const sums = new Map<string, number>();
const cell = (name: string, value: number, base: number) =>
  name === 'none' ? value.toFixed(1) : `${value.toFixed(1)} (${(value / base).toFixed(2)})`;
for (const n of queries) {
  const cells = [queryName(n)];
  for (const { name } of modes) {
    for (const metric of METRICS) {
      const value = median(samples.get(`${n} ${name} ${metric}`) ?? []);
      sums.set(`${name} ${metric}`, (sums.get(`${name} ${metric}`) ?? 0) + value);
      cells.push(cell(name, value, median(samples.get(`${n} none ${metric}`) ?? [])));
    }
  }
  console.log(cells.join('\t'));
}
const total = ['sum'];
for (const { name } of modes) {
  for (const metric of METRICS) {
    total.push(cell(name, sums.get(`${name} ${metric}`) ?? 0, sums.get(`none ${metric}`) ?? 1));
  }
}
console.log(total.join('\t'));
