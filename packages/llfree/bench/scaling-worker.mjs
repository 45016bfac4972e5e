// Worker of bench/scaling.ts: runs one phase pattern on a shared LLFree (or a cas loop) in chunks
// and records, per chunk, when it started and ended (process.hrtime.bigint, one monotonic clock
// for all threads of the process), so that the main thread can tell which chunks of the two
// threads really ran at the same time. Node 20 workers cannot load .ts: the sources come in
// through tsx's tsImport, as in bench/worker.mjs.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { core, threads, barrier: barrierBuffer, chunk, epoch } = workerData;
const { LLFree } = await tsImport('../src/index.ts', import.meta.url);
const { shuffle } = await tsImport('./ops.ts', import.meta.url);
const barrierWords = new Int32Array(barrierBuffer);
/** ns since the main thread's `epoch`: the same clock and origin in every worker. */
const now = () => Number(process.hrtime.bigint() - epoch);

/**
 * Sense-reversing barrier over [arrived, generation] that spins instead of sleeping: waking a
 * thread from Atomics.wait takes tens of µs, longer than a whole order-9 phase, so a sleeping
 * barrier would let the first thread finish before the second starts.
 */
function barrier() {
  const generation = Atomics.load(barrierWords, 1);
  if (Atomics.add(barrierWords, 0, 1) === threads - 1) {
    Atomics.store(barrierWords, 0, 0);
    Atomics.add(barrierWords, 1, 1);
  } else {
    while (Atomics.load(barrierWords, 1) === generation);
  }
}

/** Chunk spans of one timed phase: [start, end] ns per chunk, on the shared clock. */
function timed(count, body) {
  const spans = new Float64Array(2 * Math.ceil(count / chunk));
  let n = 0;
  for (let from = 0; from < count; from += chunk) {
    const to = Math.min(count, from + chunk);
    spans[n++] = now();
    body(from, to);
    spans[n++] = now();
  }
  return spans;
}

/**
 * cas in a loop on one word of `words`: a private line (`cas`, the ceiling), or one word both
 * threads update (`casShared`: every cas, failed ones included, needs the line from the other).
 */
function casLoop(words, index, count) {
  let value = Atomics.load(words, index);
  return timed(count, (from, to) => {
    for (let i = from; i < to; i++)
      value = Atomics.compareExchange(words, index, value, value + 1) + 1;
  });
}

/**
 * Controls without any shared word: `alu`, four independent xorshift chains (bound by the
 * core's execution units, which SMT siblings share); `mem`, dependent loads at random places
 * of a private 256 KiB array (bound by cache latency; SMT siblings share L1 and L2).
 */
function control(bench, count) {
  let sink = 0;
  if (bench === 'alu') {
    let [a, b, c, d] = [1, 2, 3, 4];
    const spans = timed(count, (from, to) => {
      for (let i = from; i < to; i++) {
        a ^= a << 13;
        a ^= a >>> 17;
        a ^= a << 5;
        b ^= b << 13;
        b ^= b >>> 17;
        b ^= b << 5;
        c ^= c << 13;
        c ^= c >>> 17;
        c ^= c << 5;
        d ^= d << 13;
        d ^= d >>> 17;
        d ^= d << 5;
      }
    });
    sink = a ^ b ^ c ^ d;
    return { spans, sink };
  }
  const next = new Int32Array(1 << 16);
  for (let i = 0; i < next.length; i++) next[i] = i;
  shuffle(next); // the walk from 0 follows one cycle of a random permutation: a long one
  let at = 0;
  const spans = timed(count, (from, to) => {
    for (let i = from; i < to; i++) at = next[at];
  });
  return { spans, sink: at };
}

const failed = (frame) => {
  if (frame < 0) throw new Error(`scaling: operation failed (${frame})`);
};

parentPort.on('message', ({ bench, buffer, order, allocs, shared, casWords }) => {
  const result = {};
  if (bench === 'cas' || bench === 'casShared') {
    const words = new Int32Array(casWords);
    barrier();
    // Private: a word 256 bytes from the other thread's; shared: the same word for both.
    result.op = casLoop(words, bench === 'cas' ? core * 64 : 0, allocs);
    parentPort.postMessage(result);
    return;
  }
  if (bench === 'alu' || bench === 'mem') {
    barrier();
    const { spans, sink } = control(bench, allocs);
    result.op = spans;
    result.sink = sink;
    parentPort.postMessage(result);
    return;
  }
  const alloc = LLFree.attach(buffer);
  const frames = new Int32Array(shared);
  const mine = frames.subarray(core * allocs, (core + 1) * allocs);
  barrier();
  if (bench === 'bulk') {
    result.get = timed(allocs, (from, to) => {
      for (let i = from; i < to; i++) mine[i] = alloc.get(core, order);
    });
    barrier();
    result.put = timed(allocs, (from, to) => {
      for (let i = from; i < to; i++) alloc.put(core, mine[i], order);
    });
    for (let i = 0; i < allocs; i++) failed(mine[i]);
  } else if (bench === 'repeat') {
    let status = 0;
    result.pair = timed(allocs, (from, to) => {
      for (let i = from; i < to; i++) status |= alloc.put(core, alloc.get(core, order), order);
    });
    failed(status === 0 ? 0 : -1);
  } else {
    // rand: every thread gets its share; then either thread 0 shuffles all frames across the
    // threads (`rand`, the paper's: half of the frees are of the other thread's frames) or each
    // thread shuffles only its own (`randOwn`: the same random order, nothing freed across).
    for (let i = 0; i < allocs; i++) failed((mine[i] = alloc.get(core, order)));
    barrier();
    if (bench === 'randOwn') shuffle(mine);
    else if (core === 0) shuffle(frames);
    barrier();
    let status = 0;
    result.put = timed(allocs, (from, to) => {
      for (let i = from; i < to; i++) status |= alloc.put(core, mine[i], order);
    });
    failed(status === 0 ? 0 : -1);
  }
  alloc.drain(core);
  parentPort.postMessage(result);
});
