// Worker thread of a sweep: loads the registry (TypeScript, through tsx's tsImport, since Node 20
// workers cannot load .ts) and runs the cases the main thread sends, one at a time.
// Protocol: in { index } per case; out { type: 'ready' } once, then per case
// { type: 'done', index, points, hostMs } or { type: 'failed', index, message }.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { loadRegistry, runCase } = await tsImport('./worker-entry.ts', import.meta.url);
const registry = await loadRegistry();
const { sweep } = workerData;

parentPort.on('message', ({ index }) => {
  const started = performance.now();
  try {
    const points = runCase(registry, sweep, index);
    parentPort.postMessage({ type: 'done', index, points, hostMs: performance.now() - started });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', index, message: error?.message ?? String(error) });
  }
});
parentPort.postMessage({ type: 'ready' });
