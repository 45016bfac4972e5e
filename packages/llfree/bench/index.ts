// Native benchmarks of LLFree beside a locked free-list baseline: the LLFree paper's bulk,
// repeat and rand (README, Benchmarks) for orders 0 and 9, in the main thread and in 1 and 2
// worker threads, every chunk of operations paired with the same number of uncontended
// Atomics.compareExchange (cas) timed just before in the same thread (bench/ops.ts). It ends
// with the issue-12 targets: ratios to cas with pass/fail, main thread vs workers, and 2-thread
// scaling against the machine's ceiling (the cas chunks of the same rounds, on private lines),
// then metadata size and init time. Run: pnpm --filter @unimem/llfree bench.
// Every figure is the least disturbed round (minimum time, maximum throughput) after a warm-up,
// of medians over chunks, except the ratios (the median round); the paper's whole-round totals
// are printed too. The configurations (main thread, 1 and 2 workers, the baseline) alternate
// round by round, so that all of them are measured in the same stretches of this machine's
// changing load.

import { Worker } from 'node:worker_threads';
import { LLFree } from '../src/index.js';
import { LockedFreeList } from './baseline.js';
import { bulk, rand, repeat, type Sample } from './ops.js';

const MEMORY_GIB = 16;
const FRAMES = MEMORY_GIB * 512 * 512;
const MAX_THREADS = 2;
const BENCHES = ['bulk', 'repeat', 'rand'] as const;
const ORDERS = [0, 9] as const;
/** Operations per thread run before measuring (so every order reaches optimised code). */
const WARM_OPS = 300_000;
/** Operations per thread measured, over at least MIN_ROUNDS rounds. */
const MEASURED_OPS = 100_000;
const MIN_ROUNDS = 7;
type Bench = (typeof BENCHES)[number];
type Kind = 'llfree' | 'locked';

/** The paper's allocs: half of memory allocated at the largest thread count. */
const allocsFor = (order: number) => FRAMES / MAX_THREADS / 2 / 2 ** order;

const freshBuffer = (kind: Kind) =>
  kind === 'llfree'
    ? LLFree.create({ frames: FRAMES, cores: MAX_THREADS }).buffer
    : LockedFreeList.create(FRAMES).buffer;

class Pool {
  private readonly workers: Worker[];
  constructor(
    readonly kind: Kind,
    readonly threads: number,
  ) {
    const barrier = new SharedArrayBuffer(8);
    this.workers = Array.from(
      { length: threads },
      (_, core) =>
        new Worker(new URL('./worker.mjs', import.meta.url), {
          workerData: { kind, core, threads, barrier },
        }),
    );
  }

  /** One round of `bench` on a fresh allocator in every worker. */
  run(bench: Bench, order: number): Promise<Sample[]> {
    const buffer = freshBuffer(this.kind);
    const allocs = allocsFor(order);
    const shared = new SharedArrayBuffer(allocs * this.threads * 4);
    return Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<Sample>((resolve, reject) => {
            worker.once('error', reject);
            worker.once('message', (sample: Sample) => {
              worker.off('error', reject);
              resolve(sample);
            });
            worker.postMessage({ bench, buffer, order, allocs, shared });
          }),
      ),
    );
  }

  close(): Promise<number[]> {
    return Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** The same round in the main thread (LLFree only, so these call sites stay monomorphic). */
function runMain(bench: Bench, order: number): Promise<Sample[]> {
  const alloc = LLFree.create({ frames: FRAMES, cores: MAX_THREADS });
  const allocs = allocsFor(order);
  const none = () => {};
  const result =
    bench === 'bulk'
      ? bulk(alloc, 0, order, new Int32Array(allocs), none)
      : bench === 'repeat'
        ? repeat(alloc, 0, order, allocs, none)
        : rand(alloc, 0, order, new Int32Array(allocs), 1, none);
  return Promise.resolve([result]);
}

interface Figure {
  /** ns per operation per thread: median over chunks, mean over threads, minimum over rounds. */
  ns: Record<string, number>;
  /** ns of one cas in the chunks paired with the metric's, the same way. */
  cas: Record<string, number>;
  /** ns per operation from each round's total time (the paper's figure): minimum over rounds. */
  total: Record<string, number>;
  /**
   * Operations per second of all threads together, per metric and for its cas chunks
   * (`get:cas`): the sum over threads of 1 / chunk-median ns, maximum over rounds. Chunk medians
   * keep out the time slices lost to other processes, which wall time would include.
   */
  throughput: Record<string, number>;
  /**
   * Operation / cas of the same chunk, median over chunks and threads, median over rounds. Not
   * the minimum: a round whose cas chunks were the disturbed ones has a ratio that is too low,
   * and the minimum over 49 order-9 rounds picked such rounds (one run gave repeat order 9 a
   * ratio of 3.8 in a worker whose ns figures said 7.8).
   */
  ratio: Record<string, number>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

type Run = (bench: Bench, order: number) => Promise<Sample[]>;

/**
 * Measures `bench` at `order` in every configuration (`runs`), round by round: round r of every
 * configuration runs before round r + 1 of any, and which goes first rotates. Load on this
 * machine comes and goes over seconds, so measuring one configuration after another gave the
 * main thread and the workers different machines (up to 20 % apart); interleaved, every
 * configuration's least disturbed round comes from the same stretches of time.
 */
async function measureAll(runs: Run[], bench: Bench, order: number): Promise<Figure[]> {
  const allocs = allocsFor(order);
  const warm = Math.max(1, Math.ceil(WARM_OPS / allocs));
  const rounds = Math.max(MIN_ROUNDS, Math.ceil(MEASURED_OPS / allocs));
  const perRound = runs.map(() => new Map<string, number[]>());
  for (let round = 0; round < warm + rounds; round++) {
    for (let i = 0; i < runs.length; i++) {
      const config = (round + i) % runs.length;
      const samples = await runs[config](bench, order);
      if (samples.some((s) => s.failed > 0)) throw new Error(`${bench} ${order}: operation failed`);
      if (round >= warm) record(perRound[config], samples, bench, allocs);
    }
  }
  return perRound.map(leastDisturbed);
}

/** Adds one round's figures (see Figure) to the per-round lists of one configuration. */
function record(perRound: Map<string, number[]>, samples: Sample[], bench: Bench, allocs: number) {
  const push = (key: string, value: number) => {
    const values = perRound.get(key) ?? [];
    values.push(value);
    perRound.set(key, values);
  };
  const mean = (key: string) => samples.reduce((a, s) => a + s[key], 0) / samples.length;
  const perSecond = (key: string) => samples.reduce((a, s) => a + 1e9 / s[key], 0);
  for (const metric of METRICS[bench]) {
    push(`ns ${metric}`, mean(`${metric}:ns`));
    push(`cas ${metric}`, mean(`${metric}:cas`));
    push(`ratio ${metric}`, median(samples.map((s) => s[`${metric}:ratio`])));
    push(`throughput ${metric}`, perSecond(`${metric}:ns`));
    push(`throughput ${metric}:cas`, perSecond(`${metric}:cas`));
    push(`total ${metric}`, mean(metric) / allocs);
  }
}

/**
 * The least disturbed round of each figure: load on this machine (other processes, the other
 * core's sibling work) only ever makes a round slower, and shifts op and cas differently. The
 * ratio, which a disturbance moves either way, is the median round instead.
 */
function leastDisturbed(perRound: Map<string, number[]>): Figure {
  const figure: Figure = { ns: {}, cas: {}, total: {}, throughput: {}, ratio: {} };
  for (const [key, values] of perRound) {
    const [field, metric] = key.split(' ') as [keyof Figure, string];
    figure[field][metric] =
      field === 'throughput'
        ? Math.max(...values)
        : field === 'ratio'
          ? median(values)
          : Math.min(...values);
  }
  return figure;
}

const METRICS: Record<Bench, string[]> = { bulk: ['get', 'put'], repeat: ['pair'], rand: ['put'] };
const CONFIGS = ['main', 'llfree 1', 'llfree 2', 'locked 1', 'locked 2'] as const;
type Config = (typeof CONFIGS)[number];

/** Targets of issue 12: ns per operation at most `max` times one cas, one thread. */
const TARGETS = [
  { bench: 'repeat', metric: 'pair', order: 0, max: 8 },
  { bench: 'bulk', metric: 'get', order: 0, max: 5 },
  { bench: 'bulk', metric: 'put', order: 0, max: 4 },
  { bench: 'bulk', metric: 'get', order: 9, max: 7 },
  { bench: 'bulk', metric: 'put', order: 9, max: 3.5 },
  { bench: 'repeat', metric: 'pair', order: 9, max: 7 },
] as const;
/** Main thread and workers agree when they differ by at most this fraction. */
const SAME = 0.2;
/** 2 threads must reach this fraction of the machine's own 2-thread scaling. */
const SCALING = 0.9;

const pad = (text: string | number, width: number) => String(text).padStart(width);
const verdict = (ok: boolean) => (ok ? 'pass' : 'FAIL');

async function main(): Promise<void> {
  console.log(`LLFree vs locked free list, ${MEMORY_GIB} GiB (${FRAMES} frames), one round:`);
  console.log(
    '  bulk/rand/repeat allocs per thread: order 0 %d, order 9 %d',
    allocsFor(0),
    allocsFor(9),
  );
  const figures = new Map<string, Figure>();
  const key = (config: Config, bench: Bench, order: number) => `${config}|${bench}|${order}`;
  // Every configuration's threads exist for the whole run (idle ones wait for a message), so
  // that the rounds of all configurations can alternate.
  const pools = CONFIGS.map((config) => {
    if (config === 'main') return undefined;
    const [kind, threads] = config.split(' ');
    return new Pool(kind as Kind, Number(threads));
  });
  const runs: Run[] = pools.map((pool) => (pool ? pool.run.bind(pool) : runMain));
  for (const order of ORDERS) {
    for (const bench of BENCHES) {
      const measured = await measureAll(runs, bench, order);
      for (const [i, config] of CONFIGS.entries())
        figures.set(key(config, bench, order), measured[i]);
    }
  }
  await Promise.all(pools.map((pool) => pool?.close()));

  console.log(
    '\nns per operation per thread, median of 1024-operation chunks (main = main thread; N = worker threads; "cas": one cas in the paired chunks):',
  );
  const header = `| bench  | op       | order | ${CONFIGS.map((c) => pad(c, 9)).join(' | ')} |`;
  const rows = [header, `|${header.slice(1, -1).replace(/[^|]/g, '-')}|`];
  const totalRows = [...rows];
  for (const order of ORDERS) {
    for (const bench of BENCHES) {
      for (const metric of METRICS[bench].flatMap((m) => [m, `${m}:cas`])) {
        const cells = CONFIGS.map((c) => {
          const figure = figures.get(key(c, bench, order))!;
          const [name, cas] = metric.split(':');
          return pad((cas ? figure.cas[name] : figure.ns[name]).toFixed(1), 9);
        });
        if (!metric.includes(':')) {
          const totals = CONFIGS.map((c) => figures.get(key(c, bench, order))!.total[metric]);
          totalRows.push(
            `| ${bench.padEnd(6)} | ${metric.padEnd(8)} | ${pad(order, 5)} | ${totals.map((t) => pad(t.toFixed(1), 9)).join(' | ')} |`,
          );
        }
        rows.push(
          `| ${bench.padEnd(6)} | ${metric.replace(':', ' ').padEnd(8)} | ${pad(order, 5)} | ${cells.join(' | ')} |`,
        );
      }
    }
  }
  console.log(rows.join('\n'));
  console.log(
    '\nns per operation per thread from whole rounds (the paper figure; on a loaded machine it includes time slices lost to other processes):',
  );
  console.log(totalRows.join('\n'));

  console.log(
    '\nTargets (issue 12), one thread, ns per operation / ns of one cas in the same round:',
  );
  console.log('| op               | target | main   | worker | main/worker | result |');
  console.log('|------------------|--------|--------|--------|-------------|--------|');
  let failed = 0;
  for (const { bench, metric, order, max } of TARGETS) {
    const ratio = (config: Config) => {
      const f = figures.get(key(config, bench, order))!;
      return f.ratio[metric];
    };
    const [inMain, inWorker] = [ratio('main'), ratio('llfree 1')];
    const same = Math.abs(inMain / inWorker - 1) <= SAME;
    const ok = inMain <= max && inWorker <= max && same;
    if (!ok) failed++;
    console.log(
      `| ${`${bench} ${metric} o${order}`.padEnd(16)} | ${pad(`≤${max}`, 6)} | ${pad(inMain.toFixed(2), 6)} | ${pad(inWorker.toFixed(2), 6)} | ${pad((inMain / inWorker).toFixed(2), 11)} | ${pad(verdict(ok), 6)} |`,
    );
  }

  console.log(
    `\n2 threads: throughput(2) / throughput(1), against ${SCALING} × the ceiling (the cas loop on private lines in the same rounds):`,
  );
  console.log('| bench            | llfree | ceiling | locked | result |');
  console.log('|------------------|--------|---------|--------|--------|');
  for (const order of ORDERS) {
    for (const bench of BENCHES) {
      const [one, two] = [
        figures.get(key('llfree 1', bench, order))!,
        figures.get(key('llfree 2', bench, order))!,
      ];
      const [lockedOne, lockedTwo] = [
        figures.get(key('locked 1', bench, order))!,
        figures.get(key('locked 2', bench, order))!,
      ];
      for (const metric of METRICS[bench]) {
        const ceiling = two.throughput[`${metric}:cas`] / one.throughput[`${metric}:cas`];
        const scaling = two.throughput[metric] / one.throughput[metric];
        const locked = lockedTwo.throughput[metric] / lockedOne.throughput[metric];
        const ok = scaling >= SCALING * ceiling;
        if (!ok) failed++;
        console.log(
          `| ${`${bench} ${metric} o${order}`.padEnd(16)} | ${pad(scaling.toFixed(2), 6)} | ${pad(ceiling.toFixed(2), 7)} | ${pad(locked.toFixed(2), 6)} | ${pad(verdict(ok), 6)} |`,
        );
      }
    }
  }
  console.log(
    '  (both sides count only undisturbed chunks: where the two threads rarely run at the same time, as on a loaded 2-core machine, both approach 2 and the row shows little; bench/scaling.ts times only the chunks that ran together)',
  );
  console.log(
    `${failed} target(s) missed in this run (timing: see the README's Performance section).`,
  );

  const frames = 131_072_000; // 500 GiB of 4 KiB frames
  const bytes = LLFree.metadataSize(frames, 96);
  console.log(
    `\nmetadata for 500 GiB (${frames} frames, 96 cores): ${bytes} B = ${((100 * bytes) / (frames * 4096)).toFixed(5)} % of managed memory`,
  );
  for (const init of ['free', 'allocated'] as const) {
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < MIN_ROUNDS; round++) {
      const start = process.hrtime.bigint();
      LLFree.create({ frames, cores: MAX_THREADS, init });
      best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
    }
    console.log(`init of ${frames} frames (${init}): ${best.toFixed(1)} ms`);
  }
}

await main();
