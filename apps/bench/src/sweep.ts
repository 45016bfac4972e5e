// Running the selected cases of a sweep on a pool of worker threads (worker.mjs). Cases are
// handed out largest first (fewer idle workers at the end); each is an independent deterministic
// simulation, so the points do not depend on the number of workers or on the order cases finish.
// An abort (Ctrl-C) terminates the workers at once and returns what finished; a failed case stops
// the sweep the same way and reports its message.

import { Worker } from 'node:worker_threads';
import type { Point, SweepInfo } from './api.js';
import { caseWeight } from './progress.js';

export interface SweepOptions {
  /** Worker threads (at most one per case). */
  jobs: number;
  signal?: AbortSignal;
  /** Called as each case finishes. */
  onCaseDone?(index: number, points: Point[], hostMs: number): void;
}

export interface SweepOutcome {
  /** Points per finished case index. */
  points: Map<number, Point[]>;
  caseHostMs: Map<number, number>;
  interrupted: boolean;
  /** Message of the case that failed, if one did. */
  failure?: string;
}

type Message =
  | { type: 'ready' }
  | { type: 'done'; index: number; points: Point[]; hostMs: number }
  | { type: 'failed'; index: number; message: string };

export function runSweep(
  sweep: SweepInfo,
  selected: readonly number[],
  options: SweepOptions,
): Promise<SweepOutcome> {
  const outcome: SweepOutcome = { points: new Map(), caseHostMs: new Map(), interrupted: false };
  const queue = [...selected].sort(
    (a, b) => caseWeight(sweep.cases[b]) - caseWeight(sweep.cases[a]) || a - b,
  );
  if (queue.length === 0) return Promise.resolve(outcome);
  const jobs = Math.max(1, Math.min(options.jobs, queue.length));

  return new Promise((resolve) => {
    const workers: Worker[] = [];
    let running = 0;
    let finished = false;

    const stop = (why: 'done' | 'interrupted' | 'failed', message?: string) => {
      if (finished) return;
      finished = true;
      if (why === 'interrupted') outcome.interrupted = true;
      if (why === 'failed') outcome.failure = message;
      options.signal?.removeEventListener('abort', onAbort);
      Promise.all(workers.map((worker) => worker.terminate())).then(() => resolve(outcome));
    };
    const onAbort = () => stop('interrupted');
    if (options.signal?.aborted) {
      outcome.interrupted = true;
      resolve(outcome);
      return;
    }
    options.signal?.addEventListener('abort', onAbort);

    const next = (worker: Worker) => {
      const index = queue.shift();
      if (index === undefined) {
        if (running === 0) stop('done');
        return;
      }
      running++;
      worker.postMessage({ index });
    };

    for (let i = 0; i < jobs; i++) {
      const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
        workerData: { sweep },
      });
      workers.push(worker);
      worker.on('message', (message: Message) => {
        if (finished) return;
        if (message.type === 'ready') return next(worker);
        running--;
        if (message.type === 'failed') {
          const entry = sweep.cases[message.index];
          return stop(
            'failed',
            `${entry.bench} on ${entry.system} at ${entry.cores} cores failed: ${message.message}`,
          );
        }
        outcome.points.set(message.index, message.points);
        outcome.caseHostMs.set(message.index, message.hostMs);
        options.onCaseDone?.(message.index, message.points, message.hostMs);
        next(worker);
      });
      worker.on('error', (error) => stop('failed', `worker failed: ${error.message}`));
      worker.on('exit', (code) => {
        if (!finished && code !== 0) stop('failed', `worker exited with code ${code}`);
      });
    }
  });
}
