// Two threads, measured only where they really ran at the same time. On a VM whose 2 vCPUs also
// serve other jobs, two worker threads rarely run together, so the bench's 2-thread rows (sum
// of per-thread throughputs) approach 2 whatever LLFree shares. Here every chunk of operations
// records when it started and ended on the process's one monotonic clock
// (bench/scaling-worker.mjs); a chunk of one thread counts as "together" only if it was itself
// undisturbed and the other thread was inside undisturbed chunks of the same phase for all of it
// (undisturbed: not longer than SLICE × the fastest tenth of 1-thread chunks, far less than a
// scheduler time slice, so that thread was on a CPU meanwhile). The 2-thread figure is the
// median ns per operation of the together chunks; scaling = 2 × the 1-thread median / that,
// which is what two cores running together give. The ceiling is the same figure for independent
// cas loops on private lines. Controls: `cas shared` (both threads on one word: what true
// sharing of one line costs here), `alu` and `mem` (no shared word at all: whether the two vCPUs
// share a core's execution units or caches), and `rand own` (rand with each thread freeing only
// its own frames: rand without its cross-thread frees).
// Rounds of 1 and 2 threads alternate. Run: pnpm --filter @unimem/llfree exec tsx
// bench/scaling.ts [rounds] [case,case...]

import { Worker } from 'node:worker_threads';
import { LLFree } from '../src/index.js';

const FRAMES = 16 * 512 * 512;
/**
 * A chunk longer than SLICE × the fastest tenth of 1-thread chunks was descheduled: that is at
 * most ~0.26 ms here, while a time slice given to another task is about 1.5 ms (EEVDF on 2
 * CPUs); a chunk slowed by sharing stays below it (one word CAS'd by both threads: 9 ×).
 */
const SLICE = 12;
/** Longest pause between two chunks of a thread that is still only the clock reads, ns. */
const GAP = 1000;
/** Fraction of a chunk the other thread must cover with undisturbed chunks. */
const COVER = 0.95;
/** Fewer chunks together than this say nothing (a window of a few µs): no figure is printed. */
const MIN_TOGETHER = 200;
const ROUNDS = Number(process.argv[2] ?? 6);
/** Only the cases whose name contains one of these (comma-separated third argument). */
const ONLY = process.argv[3]?.split(',');
/** The origin of every worker's chunk times (process.hrtime is one clock for all threads). */
const EPOCH = process.hrtime.bigint();

interface Case {
  name: string;
  bench: string;
  order: number;
  metric: string;
  /** Operations per thread per round, operations per chunk, rounds of warm-up, of ROUNDS. */
  allocs: number;
  chunk: number;
  warm: number;
  /** Measured rounds per ROUNDS: order-9 rounds last ~0.1 ms, so few of them run together. */
  repeat: number;
}

const order0 = { order: 0, allocs: FRAMES / 4, chunk: 256, warm: 1, repeat: 1 };
const control = { order: 0, allocs: 1 << 24, chunk: 4096, warm: 1, repeat: 1 };
/** Order 9 on 64 GiB: 8192 blocks per thread, so that a phase lasts long enough to overlap. */
const FRAMES_9 = 4 * FRAMES;
const order9 = { order: 9, allocs: FRAMES_9 / 4 / 512, chunk: 64, warm: 40, repeat: 20 };
const CASES: Case[] = [
  { name: 'cas private', bench: 'cas', metric: 'op', ...order0 },
  { name: 'cas shared', bench: 'casShared', metric: 'op', ...order0 },
  { name: 'alu', bench: 'alu', metric: 'op', ...control },
  { name: 'mem', bench: 'mem', metric: 'op', ...control },
  { name: 'bulk get 0', bench: 'bulk', metric: 'get', ...order0 },
  { name: 'bulk put 0', bench: 'bulk', metric: 'put', ...order0 },
  { name: 'repeat 0', bench: 'repeat', metric: 'pair', ...order0 },
  { name: 'rand put 0', bench: 'rand', metric: 'put', ...order0 },
  { name: 'rand own put 0', bench: 'randOwn', metric: 'put', ...order0 },
  { name: 'bulk get 9', bench: 'bulk', metric: 'get', ...order9 },
  { name: 'bulk put 9', bench: 'bulk', metric: 'put', ...order9 },
  { name: 'repeat 9', bench: 'repeat', metric: 'pair', ...order9 },
  { name: 'rand put 9', bench: 'rand', metric: 'put', ...order9 },
];

type Spans = Record<string, Float64Array>;

class Pool {
  private readonly workers: Worker[];
  constructor(
    readonly threads: number,
    chunk: number,
  ) {
    const barrier = new SharedArrayBuffer(8);
    this.workers = Array.from(
      { length: threads },
      (_, core) =>
        new Worker(new URL('./scaling-worker.mjs', import.meta.url), {
          workerData: { core, threads, barrier, chunk, epoch: EPOCH },
        }),
    );
  }

  run(c: Case): Promise<Spans[]> {
    const frames = c.order === 9 ? FRAMES_9 : FRAMES;
    const buffer = LLFree.create({ frames, cores: 2 }).buffer;
    const shared = new SharedArrayBuffer(c.allocs * this.threads * 4);
    const casWords = new SharedArrayBuffer(1024);
    return Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<Spans>((resolve, reject) => {
            worker.once('error', reject);
            worker.once('message', (spans: Spans) => {
              worker.off('error', reject);
              resolve(spans);
            });
            const { bench, order, allocs } = c;
            worker.postMessage({ bench, buffer, order, allocs, shared, casWords });
          }),
      ),
    );
  }

  close(): Promise<number[]> {
    return Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

const quantile = (values: number[], q: number) =>
  values.length === 0
    ? Number.NaN
    : [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))];
const median = (values: number[]) => quantile(values, 0.5);

/** ns per operation of every chunk in `spans`. */
function perOp(spans: Float64Array, c: Case): number[] {
  const out: number[] = [];
  for (let i = 0; i < spans.length; i += 2) {
    const ops = Math.min(c.chunk, c.allocs - (i / 2) * c.chunk);
    out.push((spans[i + 1] - spans[i]) / ops);
  }
  return out;
}

/**
 * Fraction of [start, end] covered by chunks of `other` not longer than `limit` ns. A chunk
 * extends to the next one's start if that follows within GAP ns (the two clock reads between
 * chunks), never across a longer pause.
 */
function covered(start: number, end: number, other: Float64Array, limit: number): number {
  let cover = 0;
  for (let i = 0; i < other.length; i += 2) {
    const s = other[i];
    const next = i + 2 < other.length ? other[i + 2] : other[i + 1];
    const e = next - other[i + 1] <= GAP ? next : other[i + 1];
    if (e <= start || s >= end || other[i + 1] - s > limit) continue;
    cover += Math.min(e, end) - Math.max(s, start);
  }
  return cover / (end - start);
}

interface Result {
  one: number;
  together: number;
  chunks: number;
  togetherChunks: number;
}

async function measure(c: Case): Promise<Result> {
  const pools = [new Pool(1, c.chunk), new Pool(2, c.chunk)];
  const oneOps: number[] = [];
  const twoRounds: Spans[][] = [];
  for (let round = 0; round < c.warm + ROUNDS * c.repeat; round++) {
    for (let i = 0; i < 2; i++) {
      const threads = (round + i) % 2 === 0 ? 1 : 2;
      const spans = await pools[threads - 1].run(c);
      if (round < c.warm) continue;
      if (threads === 1) oneOps.push(...perOp(spans[0][c.metric], c));
      else twoRounds.push(spans);
    }
  }
  await Promise.all(pools.map((pool) => pool.close()));
  // Undisturbed: at most SLICE × the fastest tenth of the 1-thread chunks (a time slice lost to
  // another process is milliseconds, a chunk microseconds); the 1-thread figure is the median
  // of its undisturbed chunks, as the 2-thread one is.
  const limit = SLICE * quantile(oneOps, 0.1) * c.chunk;
  const one = median(oneOps.filter((ns) => ns * c.chunk <= limit));
  const together: number[] = [];
  let chunks = 0;
  for (const spans of twoRounds) {
    for (let t = 0; t < 2; t++) {
      const mine = spans[t][c.metric];
      const other = spans[1 - t][c.metric];
      const ops = perOp(mine, c);
      for (let i = 0; i < mine.length; i += 2) {
        chunks++;
        if (mine[i + 1] - mine[i] > limit) continue; // this thread was descheduled
        if (covered(mine[i], mine[i + 1], other, limit) >= COVER) together.push(ops[i / 2]);
      }
    }
  }
  const enough = together.length >= MIN_TOGETHER;
  return {
    one,
    together: enough ? median(together) : Number.NaN,
    chunks,
    togetherChunks: together.length,
  };
}

const pad = (text: string | number, width: number) => String(text).padStart(width);

console.log(
  `2 threads where they ran together (${ROUNDS} rounds of 1 and of 2 threads, 16 GiB, order 9 64 GiB; ns per operation per thread, medians of chunks):`,
);
console.log('| case           | 1 thread | 2 together | together chunks | scaling |');
console.log('|----------------|----------|------------|-----------------|---------|');
for (const c of CASES.filter((c) => ONLY === undefined || ONLY.some((o) => c.name.includes(o)))) {
  const r = await measure(c);
  const share = `${r.togetherChunks}/${r.chunks}`;
  console.log(
    `| ${c.name.padEnd(14)} | ${pad(r.one.toFixed(1), 8)} | ${pad(r.together.toFixed(1), 10)} | ${pad(share, 15)} | ${pad(((2 * r.one) / r.together).toFixed(2), 7)} |`,
  );
}
