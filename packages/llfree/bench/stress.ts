// The long stress run: worker threads on one LLFree allocate and free mixed orders (0, 1 and 9
// by default, with partial frees of huge frames) while recording every frame they hold in one
// global ownership bitmap (atomic OR on get, AND on put), so any frame handed out twice is a
// conflict. At the end every frame must be free again and check() must find nothing.
// Run: pnpm --filter @unimem/llfree stress [--ops 1e8] [--workers 4] [--gib 1]
// (CI runs a short version from test/stress.test.ts). Exit code 1 on any conflict or problem.

import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LLFree } from '../src/index.js';

export interface StressOptions {
  /** Operations (gets and puts) over all workers. */
  operations: number;
  workers: number;
  frames: number;
  orders: number[];
  /** Most blocks one worker holds at a time (more than its share makes memory run out). */
  maxHeld: number;
  /** Called with the operations done so far (long runs). */
  onProgress?: (operations: number) => void;
}

export interface StressResult {
  operations: number;
  conflicts: number;
  /** Worker problems (double frees, failed puts), check() problems, lost frames. */
  problems: string[];
  memory: number;
  partial: number;
}

interface Report {
  problem?: string;
  stats: { gets: number; puts: number; partial: number; memory: number; conflicts: number };
}

export async function runStress(options: StressOptions): Promise<StressResult> {
  const { operations, workers, frames, orders, maxHeld, onProgress } = options;
  const alloc = LLFree.create({ frames, cores: workers });
  const ownership = new SharedArrayBuffer(Math.ceil(frames / 32) * 4);
  const start = new SharedArrayBuffer(4);
  let done = 0;
  const reports = await Promise.all(
    Array.from({ length: workers }, (_, core) => {
      const worker = new Worker(new URL('../test/stress-worker.mjs', import.meta.url), {
        workerData: {
          buffer: alloc.buffer,
          ownership,
          start,
          core,
          cores: workers,
          operations: Math.ceil(operations / workers),
          seed: 1 + core * 7919,
          maxHeld,
          orders,
        },
      });
      return new Promise<Report>((resolve, reject) => {
        worker.on('message', (message: Report & { progress?: number }) => {
          if (message.progress === undefined) {
            void worker.terminate();
            resolve(message);
            return;
          }
          done += message.progress;
          onProgress?.(done);
        });
        worker.once('error', reject);
      });
    }),
  );
  const problems = reports.flatMap((report) => (report.problem ? [report.problem] : []));
  const left = new Int32Array(ownership).reduce((count, word) => count + (word !== 0 ? 1 : 0), 0);
  if (left > 0) problems.push(`${left} ownership words still set after every worker freed all`);
  problems.push(...alloc.check());
  if (alloc.freeFrames() !== frames) {
    problems.push(`${alloc.freeFrames()} of ${frames} frames free at the end`);
  }
  const sum = (key: keyof Report['stats']) => reports.reduce((n, r) => n + r.stats[key], 0);
  return {
    operations: sum('gets') + sum('puts'),
    conflicts: sum('conflicts'),
    problems,
    memory: sum('memory'),
    partial: sum('partial'),
  };
}

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`--${name} ${process.argv[index + 1]} must be a positive number`);
  }
  return value;
}

async function main(): Promise<void> {
  const operations = argument('ops', 1e7);
  const workers = argument('workers', 4);
  const frames = Math.round(argument('gib', 1) * 512 * 512);
  const started = Date.now();
  let next = 0;
  console.log(
    `stress: ${operations} operations, ${workers} workers, ${frames} frames, orders 0/1/9 with partial frees`,
  );
  const result = await runStress({
    operations,
    workers,
    frames,
    orders: [0, 1, 9],
    maxHeld: 2000,
    onProgress: (done) => {
      if (done < next) return;
      next = done + operations / 20;
      console.log(`  ${done} operations, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    },
  });
  console.log(
    `operations ${result.operations}, conflicts ${result.conflicts}, out-of-memory gets ${result.memory}, partial frees ${result.partial}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const problem of result.problems) console.log(`problem: ${problem}`);
  if (result.conflicts > 0 || result.problems.length > 0) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
