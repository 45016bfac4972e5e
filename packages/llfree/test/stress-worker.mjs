// Worker of stress.test.ts and of the long stress run (bench/stress.ts): attaches to the shared allocator and allocates and frees mixed
// orders, recording ownership of every frame in a shared bitmap with atomic OR / AND. A frame
// whose bit is already set when it is handed out was handed out twice. Node 20 workers cannot
// load .ts, so the allocator comes in through tsx's tsImport.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { LLFree } = await tsImport('../src/index.ts', import.meta.url);
const { buffer, ownership, start, core, operations, seed, maxHeld, cores, orders } = workerData;
const alloc = LLFree.attach(buffer);
const owned = new Int32Array(ownership);

let state = seed >>> 0 || 1;
function random() {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}

/** Progress messages every this many operations (long runs only). */
const PROGRESS = 1 << 22;

function randomOrder() {
  const r = random();
  // Given orders: 0 most often, the others equally (e.g. [0, 1, 9]: 60 %, 20 %, 20 %).
  if (orders) return r < 0.6 ? orders[0] : orders[1 + Math.floor(random() * (orders.length - 1))];
  if (r < 0.6) return 0;
  if (r < 0.8) return 1 + Math.floor(random() * 5);
  if (r < 0.9) return 6 + Math.floor(random() * 3);
  if (r < 0.97) return 9;
  return 10;
}

/** Sets the ownership bits of a block; returns a problem if one was already set. */
function claim(frame, order) {
  const size = 2 ** order;
  for (let f = frame; f < frame + size; f++) {
    const bit = 1 << (f & 31);
    if (Atomics.or(owned, f >>> 5, bit) & bit) {
      stats.conflicts++;
      return `frame ${f} handed out twice (core ${core})`;
    }
  }
  return undefined;
}

function release(frame, order) {
  const size = 2 ** order;
  for (let f = frame; f < frame + size; f++) {
    const bit = 1 << (f & 31);
    if (!(Atomics.and(owned, f >>> 5, ~bit) & bit)) return `frame ${f} freed but not owned`;
  }
  return undefined;
}

const held = []; // [frame, order] pairs, flattened
const stats = { gets: 0, puts: 0, partial: 0, memory: 0, conflicts: 0 };
let problem;

function free(index, mode) {
  const frame = held[index];
  const order = held[index + 1];
  held[index] = held[held.length - 2];
  held[index + 1] = held[held.length - 1];
  held.length -= 2;
  if (mode === 'halves' && order > 0) {
    // Partial free: two halves (splits a huge frame when order is 9 or 10).
    const half = 2 ** (order - 1);
    for (const part of [frame, frame + half]) {
      problem ??= release(part, order - 1);
      const status = alloc.put(core, part, order - 1);
      if (status !== 0) problem ??= `put(${part}, ${order - 1}) = ${status}`;
    }
    stats.partial++;
  } else {
    problem ??= release(frame, order);
    const status = alloc.put(core, frame, order);
    if (status !== 0) problem ??= `put(${frame}, ${order}) = ${status}`;
  }
  stats.puts++;
}

// Start together, so that the workers really overlap.
const ready = new Int32Array(start);
Atomics.add(ready, 0, 1);
Atomics.notify(ready, 0);
for (let seen = Atomics.load(ready, 0); seen < cores; seen = Atomics.load(ready, 0)) {
  Atomics.wait(ready, 0, seen, 1000);
}

for (let i = 0; i < operations && problem === undefined; i++) {
  if (orders && i % PROGRESS === PROGRESS - 1) parentPort.postMessage({ progress: PROGRESS });
  if (held.length / 2 < maxHeld && random() < 0.55) {
    const order = randomOrder();
    const frame = alloc.get(core, order);
    stats.gets++;
    if (frame === -1) {
      stats.memory++;
      // Out of memory: give back half of what this worker holds.
      while (held.length > 0 && random() < 0.5) free(Math.floor(random() * (held.length / 2)) * 2);
      continue;
    }
    if (frame < 0 || frame % 2 ** order !== 0) {
      problem = `get(${core}, ${order}) = ${frame}`;
      break;
    }
    problem ??= claim(frame, order);
    held.push(frame, order);
  } else if (held.length > 0) {
    free(Math.floor(random() * (held.length / 2)) * 2, random() < 0.1 ? 'halves' : 'whole');
  }
}
while (held.length > 0) free(held.length - 2, 'whole');
alloc.drain(core);
parentPort.postMessage({ problem, stats });
