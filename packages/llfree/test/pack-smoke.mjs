// Run by scripts/pack-check.mjs in an empty project where the packed @unimem/llfree is installed:
// a worker thread attaches to the allocator the main thread created and both allocate from it.
import { Worker } from 'node:worker_threads';
import { LLFree } from '@unimem/llfree';

const llfree = LLFree.create({ frames: 1 << 16, cores: 2 });
const mine = llfree.get(0, 9);
const worker = new Worker(
  `import { workerData, parentPort } from 'node:worker_threads';
   const { LLFree } = await import('@unimem/llfree');
   const llfree = LLFree.attach(workerData.buffer);
   const frames = [];
   for (let i = 0; i < 1000; i++) frames.push(llfree.get(1, 0));
   parentPort.postMessage(frames);`,
  { eval: true, workerData: { buffer: llfree.buffer } },
);
const theirs = await new Promise((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
});
await worker.terminate();
const all = new Set(theirs);
if (all.size !== 1000 || theirs.some((f) => f < 0 || (f >= mine && f < mine + 512))) {
  throw new Error('worker got a bad or duplicate frame');
}
if (llfree.freeFrames() !== (1 << 16) - 512 - 1000)
  throw new Error(`freeFrames ${llfree.freeFrames()}`);
for (const frame of theirs) if (llfree.put(0, frame, 0) !== 0) throw new Error('put failed');
console.log('@unimem/llfree smoke: ok (a worker attached and allocated 1000 frames)');
