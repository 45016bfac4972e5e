// Real threads on one allocator: workers attach to the same SharedArrayBuffer and allocate and
// free mixed orders (with partial frees of huge frames) while recording ownership in a shared
// bitmap; afterwards everything is free again and the counters agree with the bitfields.

import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { runStress } from '../bench/stress.js';
import { LLFree } from '../src/index.js';

interface Report {
  problem?: string;
  stats: { gets: number; puts: number; partial: number; memory: number };
}

function run(worker: Worker): Promise<Report> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function stress(frames: number, cores: number, operations: number, maxHeld: number) {
  const alloc = LLFree.create({ frames, cores });
  const ownership = new SharedArrayBuffer(Math.ceil(frames / 32) * 4);
  const start = new SharedArrayBuffer(4);
  const workers = Array.from(
    { length: cores },
    (_, core) =>
      new Worker(new URL('./stress-worker.mjs', import.meta.url), {
        workerData: {
          buffer: alloc.buffer,
          ownership,
          start,
          core,
          cores,
          operations,
          seed: 77 + core,
          maxHeld,
        },
      }),
  );
  const reports = await Promise.all(workers.map(run));
  await Promise.all(workers.map((w) => w.terminate()));
  for (const report of reports) expect(report.problem).toBeUndefined();
  expect(new Int32Array(ownership).every((word) => word === 0)).toBe(true);
  expect(alloc.check()).toEqual([]);
  expect(alloc.freeFrames()).toBe(frames);
  return reports;
}

describe('LLFree with real worker threads', () => {
  it('never hands out a frame twice and loses nothing (4 workers, contended memory)', async () => {
    // Workers may hold more than their share, so memory runs out and stealing happens.
    const reports = await stress(4 * 16_384 + 700, 4, 150_000, 3000);
    const memory = reports.reduce((sum, r) => sum + r.stats.memory, 0);
    const partial = reports.reduce((sum, r) => sum + r.stats.partial, 0);
    expect(memory).toBeGreaterThan(0);
    expect(partial).toBeGreaterThan(0);
  }, 30_000);

  it('short version of the long stress run: 4 workers, orders 0/1/9, no frame held twice', async () => {
    const result = await runStress({
      operations: 200_000,
      workers: 4,
      frames: 8 * 16_384,
      orders: [0, 1, 9],
      maxHeld: 400,
    });
    expect(result.conflicts).toBe(0);
    expect(result.problems).toEqual([]);
    expect(result.operations).toBeGreaterThanOrEqual(200_000);
    expect(result.memory).toBeGreaterThan(0);
  }, 60_000);

  it('works with separate small and huge reservations (2 workers, 6 trees)', async () => {
    await stress(6 * 16_384, 2, 150_000, 4000);
  }, 30_000);
});
