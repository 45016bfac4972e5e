// Bench worker: attaches to a shared allocator (LLFree or the locked baseline) and runs one of
// the LLFree paper's benchmarks (llfree.md §5) on its core, timing with hrtime between barriers.
// Node 20 workers cannot load .ts, so the sources come in through tsx's tsImport.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { LLFree } = await tsImport('../src/index.ts', import.meta.url);
const { LockedFreeList } = await tsImport('./baseline.ts', import.meta.url);
const { core, threads, barrier: barrierBuffer } = workerData;
const barrierWords = new Int32Array(barrierBuffer);

/** Sense-reversing barrier over [arrived, generation]. */
function barrier() {
  const generation = Atomics.load(barrierWords, 1);
  if (Atomics.add(barrierWords, 0, 1) === threads - 1) {
    Atomics.store(barrierWords, 0, 0);
    Atomics.add(barrierWords, 1, 1);
    Atomics.notify(barrierWords, 1);
  } else {
    while (Atomics.load(barrierWords, 1) === generation) Atomics.wait(barrierWords, 1, generation);
  }
}

const now = () => process.hrtime.bigint();
const elapsed = (start) => Number(now() - start);

function bulk(alloc, order, allocs, frames) {
  barrier();
  let start = now();
  for (let i = 0; i < allocs; i++) frames[i] = alloc.get(core, order);
  const get = elapsed(start);
  barrier();
  start = now();
  for (let i = 0; i < allocs; i++) alloc.put(core, frames[i], order);
  const put = elapsed(start);
  return { get, put };
}

function repeat(alloc, order, allocs) {
  barrier();
  const start = now();
  for (let i = 0; i < allocs; i++) alloc.put(core, alloc.get(core, order), order);
  return { pair: elapsed(start) };
}

function rand(alloc, order, allocs, shared) {
  const mine = shared.subarray(core * allocs, (core + 1) * allocs);
  barrier();
  for (let i = 0; i < allocs; i++) mine[i] = alloc.get(core, order);
  barrier();
  if (core === 0) {
    // Core 0 shuffles all frames across the cores (Fisher-Yates, xorshift32).
    let state = 0x9e3779b9;
    for (let i = shared.length - 1; i > 0; i--) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const j = (state >>> 0) % (i + 1);
      const t = shared[i];
      shared[i] = shared[j];
      shared[j] = t;
    }
  }
  barrier();
  const start = now();
  for (let i = 0; i < allocs; i++) alloc.put(core, mine[i], order);
  return { put: elapsed(start) };
}

/** The machine's own scaling: CAS on a private buffer, nothing shared between threads. */
function calibrate(allocs) {
  const words = new Int32Array(new SharedArrayBuffer(4096));
  barrier();
  const start = now();
  for (let i = 0; i < allocs; i++) Atomics.compareExchange(words, i & 511, words[i & 511], i);
  return { cas: elapsed(start) };
}

parentPort.on('message', ({ kind, bench, buffer, order, allocs, shared }) => {
  if (bench === 'calibrate') {
    parentPort.postMessage({ ...calibrate(allocs), failed: 0 });
    return;
  }
  const alloc = kind === 'llfree' ? LLFree.attach(buffer) : LockedFreeList.attach(buffer);
  const frames = new Int32Array(allocs);
  let result;
  if (bench === 'bulk') result = bulk(alloc, order, allocs, frames);
  else if (bench === 'repeat') result = repeat(alloc, order, allocs);
  else result = rand(alloc, order, allocs, new Int32Array(shared));
  let failed = 0;
  for (let i = 0; i < allocs && bench === 'bulk'; i++) if (frames[i] < 0) failed++;
  parentPort.postMessage({ ...result, failed });
});
