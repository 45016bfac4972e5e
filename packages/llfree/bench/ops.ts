// The timed loops of the LLFree paper's benchmarks (bulk, repeat, rand; README, Benchmarks),
// shared by the main thread (bench/index.ts) and the bench workers (bench/worker.mjs), so that
// both time exactly the same code. Each call site only ever sees one allocator class per
// process (the bench gives LLFree and the locked baseline separate workers), so V8 can inline.
//
// Paired chunks. Every timed loop runs in chunks of CHUNK operations (at least 8 chunks per
// run), and right before each chunk the same number of uncontended Atomics.compareExchange
// (the unit of the targets) is timed in the same thread. On a loaded machine a chunk (well under a scheduler time slice)
// either runs undisturbed or is visibly slower, so the median over chunks of (operation ns /
// cas ns) is a ratio both halves of which saw the same machine. The totals (sum of operation
// chunks, cas excluded) are the paper's figures.

/** What the loops need of an allocator: LLFree and the locked baseline both have it. */
export interface BenchAllocator {
  get(core: number, order: number): number;
  put(core: number, frame: number, order: number): number;
}

/** Waits for the other threads (a no-op in the main thread). */
export type Barrier = () => void;

/** Operations per chunk (at ~50 ns, about 50 µs: far below a time slice). */
export const CHUNK = 1024;

/** Chunk size for a run of `operations`: CHUNK, but at least 8 chunks (order 9 runs are short). */
const chunkFor = (operations: number) => Math.min(CHUNK, Math.max(64, operations >> 3));

/** Chunk timings of one metric of one run. */
export class Chunks {
  private readonly op: Float64Array;
  private readonly cas: Float64Array;
  private count = 0;
  private readonly words = new Int32Array(new SharedArrayBuffer(256));
  private value = 0;
  private start = 0n;
  private casNs = 0;
  private sum = 0;
  private casSum = 0;

  constructor(operations: number) {
    const chunks = Math.ceil(operations / chunkFor(operations));
    this.op = new Float64Array(chunks);
    this.cas = new Float64Array(chunks);
  }

  /** Times `count` cas, then starts the clock of the operation chunk. */
  begin(count: number): void {
    const words = this.words;
    let value = this.value;
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++)
      value = Atomics.compareExchange(words, 16, value, value + 1) + 1;
    this.start = process.hrtime.bigint();
    this.casNs = Number(this.start - start) / count;
    this.casSum += this.casNs * count;
    this.value = value;
  }

  /** Stops the clock of the operation chunk of `count` operations. */
  end(count: number): void {
    const elapsed = Number(process.hrtime.bigint() - this.start);
    this.sum += elapsed;
    this.op[this.count] = elapsed / count;
    this.cas[this.count] = this.casNs;
    this.count++;
  }

  /** ns of all operation chunks. */
  total(): number {
    return this.sum;
  }

  /** ns of all cas chunks. */
  casTotal(): number {
    return this.casSum;
  }

  /** Medians: ns per operation, ns per cas, and operation / cas of the same chunk. */
  medians(): { ns: number; cas: number; ratio: number } {
    const ratios = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) ratios[i] = this.op[i] / this.cas[i];
    return {
      ns: median(this.op.subarray(0, this.count)),
      cas: median(this.cas.subarray(0, this.count)),
      ratio: median(ratios),
    };
  }
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  return sorted.length === 0 ? Number.NaN : sorted[sorted.length >> 1];
}

/**
 * A run's result: per metric its total ns (`get`), the total ns of its cas chunks
 * (`get:casTotal`), the chunk medians (`get:ns`, `get:cas`, `get:ratio`); and `failed`.
 */
export type Sample = Record<string, number>;

function report(sample: Sample, metric: string, chunks: Chunks): void {
  const { ns, cas, ratio } = chunks.medians();
  sample[metric] = chunks.total();
  sample[`${metric}:casTotal`] = chunks.casTotal();
  sample[`${metric}:ns`] = ns;
  sample[`${metric}:cas`] = cas;
  sample[`${metric}:ratio`] = ratio;
}

/** Bulk: `allocs` gets, then the same frames put in order. */
export function bulk(
  alloc: BenchAllocator,
  core: number,
  order: number,
  frames: Int32Array,
  barrier: Barrier,
): Sample {
  const allocs = frames.length;
  const chunk = chunkFor(allocs);
  const gets = new Chunks(allocs);
  const puts = new Chunks(allocs);
  // Touch the result array first: a fresh array's pages fault on first write, and in this VM a
  // fault per 1024 gets cost more than a cas per get, in the main thread more than in workers.
  frames.fill(-1);
  barrier();
  for (let from = 0; from < allocs; from += chunk) {
    const to = Math.min(allocs, from + chunk);
    gets.begin(to - from);
    for (let i = from; i < to; i++) frames[i] = alloc.get(core, order);
    gets.end(to - from);
  }
  barrier();
  let failed = 0;
  for (let from = 0; from < allocs; from += chunk) {
    const to = Math.min(allocs, from + chunk);
    puts.begin(to - from);
    for (let i = from; i < to; i++) alloc.put(core, frames[i], order);
    puts.end(to - from);
  }
  for (let i = 0; i < allocs; i++) if (frames[i] < 0) failed++;
  const sample: Sample = { failed };
  report(sample, 'get', gets);
  report(sample, 'put', puts);
  return sample;
}

/** Repeat: `allocs` times a get immediately followed by its put. */
export function repeat(
  alloc: BenchAllocator,
  core: number,
  order: number,
  allocs: number,
  barrier: Barrier,
): Sample {
  const pairs = new Chunks(allocs);
  const chunk = chunkFor(allocs);
  let failed = 0;
  barrier();
  for (let from = 0; from < allocs; from += chunk) {
    const to = Math.min(allocs, from + chunk);
    pairs.begin(to - from);
    for (let i = from; i < to; i++) {
      const frame = alloc.get(core, order);
      if (alloc.put(core, frame, order) !== 0) failed++;
    }
    pairs.end(to - from);
  }
  const sample: Sample = { failed };
  report(sample, 'pair', pairs);
  return sample;
}

/**
 * Rand: every thread gets its share of `shared`, thread 0 shuffles all of them across the
 * threads, then every thread puts its (now foreign) share; only the puts are timed.
 */
export function rand(
  alloc: BenchAllocator,
  core: number,
  order: number,
  shared: Int32Array,
  threads: number,
  barrier: Barrier,
): Sample {
  const allocs = shared.length / threads;
  const mine = shared.subarray(core * allocs, (core + 1) * allocs);
  barrier();
  for (let i = 0; i < allocs; i++) mine[i] = alloc.get(core, order);
  barrier();
  if (core === 0) shuffle(shared);
  barrier();
  const puts = new Chunks(allocs);
  const chunk = chunkFor(allocs);
  let failed = 0;
  for (let from = 0; from < allocs; from += chunk) {
    const to = Math.min(allocs, from + chunk);
    puts.begin(to - from);
    for (let i = from; i < to; i++) if (alloc.put(core, mine[i], order) !== 0) failed++;
    puts.end(to - from);
  }
  const sample: Sample = { failed };
  report(sample, 'put', puts);
  return sample;
}

/** Fisher-Yates with xorshift32: the same permutation every run. */
export function shuffle(values: Int32Array): void {
  let state = 0x9e3779b9;
  for (let i = values.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    const t = values[i];
    values[i] = values[j];
    values[j] = t;
  }
}
