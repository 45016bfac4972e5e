// Bench worker: one allocator class per worker (`kind`), so the call sites of bench/ops.ts stay
// monomorphic in this isolate as they are in the main thread. Each request attaches to a fresh
// allocator and runs the benchmark (its chunks paired with cas chunks, bench/ops.ts).
// Node 20 workers cannot load .ts, so the sources come in through tsx's tsImport.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { kind, core, threads, barrier: barrierBuffer } = workerData;
const ops = await tsImport('./ops.ts', import.meta.url);
const Allocator =
  kind === 'llfree'
    ? (await tsImport('../src/index.ts', import.meta.url)).LLFree
    : (await tsImport('./baseline.ts', import.meta.url)).LockedFreeList;
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

parentPort.on('message', ({ bench, buffer, order, allocs, shared }) => {
  const alloc = Allocator.attach(buffer);
  let result;
  if (bench === 'bulk') result = ops.bulk(alloc, core, order, new Int32Array(allocs), barrier);
  else if (bench === 'repeat') result = ops.repeat(alloc, core, order, allocs, barrier);
  else result = ops.rand(alloc, core, order, new Int32Array(shared), threads, barrier);
  parentPort.postMessage(result);
});
