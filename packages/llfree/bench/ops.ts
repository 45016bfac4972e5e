// The timed loops of the LLFree paper's benchmarks (bulk, repeat, rand; definitions in the
// README's Benchmarks section) and of the machine calibration (one uncontended CAS), shared by
// the main thread (bench/index.ts) and the bench workers (bench/worker.mjs), so that both time
// exactly the same code. Each call site only ever sees one allocator class per process (the
// bench gives LLFree and the locked baseline separate workers), so V8 can inline the calls.

/** What the loops need of an allocator: LLFree and the locked baseline both have it. */
export interface BenchAllocator {
  get(core: number, order: number): number;
  put(core: number, frame: number, order: number): number;
}

/** Waits for the other threads (a no-op in the main thread). */
export type Barrier = () => void;

const now = () => process.hrtime.bigint();
const since = (start: bigint) => Number(process.hrtime.bigint() - start);

/** Bulk: `allocs` gets, then the same frames put in order; ns of each phase. */
export function bulk(
  alloc: BenchAllocator,
  core: number,
  order: number,
  frames: Int32Array,
  barrier: Barrier,
): { get: number; put: number; failed: number } {
  const allocs = frames.length;
  barrier();
  let start = now();
  for (let i = 0; i < allocs; i++) frames[i] = alloc.get(core, order);
  const get = since(start);
  barrier();
  start = now();
  for (let i = 0; i < allocs; i++) alloc.put(core, frames[i], order);
  const put = since(start);
  let failed = 0;
  for (let i = 0; i < allocs; i++) if (frames[i] < 0) failed++;
  return { get, put, failed };
}

/** Repeat: `allocs` times a get immediately followed by its put; ns of all pairs. */
export function repeat(
  alloc: BenchAllocator,
  core: number,
  order: number,
  allocs: number,
  barrier: Barrier,
): { pair: number; failed: number } {
  barrier();
  let failed = 0;
  const start = now();
  for (let i = 0; i < allocs; i++) {
    const frame = alloc.get(core, order);
    if (alloc.put(core, frame, order) !== 0) failed++;
  }
  return { pair: since(start), failed };
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
): { put: number; failed: number } {
  const allocs = shared.length / threads;
  const mine = shared.subarray(core * allocs, (core + 1) * allocs);
  barrier();
  for (let i = 0; i < allocs; i++) mine[i] = alloc.get(core, order);
  barrier();
  if (core === 0) shuffle(shared);
  barrier();
  let failed = 0;
  const start = now();
  for (let i = 0; i < allocs; i++) if (alloc.put(core, mine[i], order) !== 0) failed++;
  return { put: since(start), failed };
}

/** Fisher-Yates with xorshift32: the same permutation every run. */
function shuffle(values: Int32Array): void {
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

/**
 * The unit of the targets: `count` uncontended, successful `Atomics.compareExchange` on one word
 * of a private line (the value always matches, as an allocator's guessed CAS usually does).
 * With one private buffer per thread this is also the machine's scaling ceiling: nothing is
 * shared, so two threads can only be slower than one through the machine itself.
 */
export function cas(count: number, barrier: Barrier): { cas: number; failed: number } {
  const words = new Int32Array(new SharedArrayBuffer(256));
  let value = 0;
  barrier();
  const start = now();
  for (let i = 0; i < count; i++) value = Atomics.compareExchange(words, 16, value, value + 1) + 1;
  const elapsed = since(start);
  return { cas: elapsed, failed: value === count ? 0 : 1 };
}
