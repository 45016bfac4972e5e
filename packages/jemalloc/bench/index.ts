// Benchmarks of @unimem/jemalloc (`pnpm --filter @unimem/jemalloc bench [--quick]`).
// (a) Host time: batches of 256 malloc + 256 free of 64 B, 4 KiB and 64 KiB on one core over the
//     test-double memory system, jemalloc (thesis configuration: tcache off), jemalloc with the
//     thread cache, and the baseline (bump + free lists). ns per malloc/free pair, median batch.
// (b) Simulated: cycles per malloc/free pair per core on the default profile, 1..16 cores, per-CPU
//     arenas (thesis) vs one shared arena, with the bin and extent locks' wait per pair. This is
//     where the model's costs are; host time only says how fast the model runs.

import { TestMemory } from '@unimem/core/testing';
import { Machine } from '@unimem/hw';
import { Bench } from 'tinybench';
import { Jemalloc, type JemallocOptions } from '../src/index.js';
import { BumpFreeList } from './baseline.js';

const BATCH = 256;
const quick = process.argv.includes('--quick');

interface Allocator {
  malloc(core: number, size: number): number;
  free(core: number, ptr: number): number;
}

function batch(allocator: Allocator, size: number): () => void {
  const ptrs = new Float64Array(BATCH);
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const ptr = allocator.malloc(0, size);
      if (ptr < 0) throw new Error(`malloc(${size}) failed: ${ptr}`);
      ptrs[i] = ptr;
    }
    for (let i = 0; i < BATCH; i++) allocator.free(0, ptrs[i]);
  };
}

const sizes: Array<[string, number]> = [
  ['64 B', 64],
  ['4 KiB', 4096],
  ['64 KiB', 64 * 1024],
];
const b = new Bench({ time: quick ? 100 : 500, warmup: true });
for (const [label, size] of sizes) {
  b.add(`jemalloc, ${label}`, batch(new Jemalloc({ memory: new TestMemory() }), size));
  b.add(
    `jemalloc + tcache, ${label}`,
    batch(new Jemalloc({ memory: new TestMemory(), tcache: true }), size),
  );
  b.add(`baseline bump + free lists, ${label}`, batch(new BumpFreeList(new TestMemory()), size));
}
await b.run();
console.log('\n(a) host time, one core: batches of 256 malloc then 256 free');
console.table(
  b.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    return { case: task.name, 'ns/pair': Number(((result.latency.p50 * 1e6) / BATCH).toFixed(1)) };
  }),
);

function simulated(options: Partial<JemallocOptions>, cores: number, size: number, pairs: number) {
  const machine = new Machine({ cores });
  const je = new Jemalloc({ memory: new TestMemory({ cores }), machine, ...options });
  for (let core = 0; core < cores; core++) je.malloc(core, size);
  const start = Array.from(machine.clocks);
  const waitBefore = je.stats().lockWaitCycles;
  machine.run((core) =>
    (function* () {
      for (let i = 0; i < pairs; i++) {
        je.free(core, je.malloc(core, size));
        yield;
      }
    })(),
  );
  let cycles = 0;
  for (let core = 0; core < cores; core++) cycles += machine.clocks[core] - start[core];
  const wait = je.stats().lockWaitCycles - waitBefore;
  return { cycles: cycles / (cores * pairs), wait: wait / (cores * pairs) };
}

const rows: Array<Record<string, number | string>> = [];
for (const [label, size] of sizes) {
  for (const cores of quick ? [1, 4] : [1, 4, 16]) {
    for (const [name, options] of [
      ['per-CPU arenas', {}],
      ['one shared arena', { percpuArena: false, narenas: 1 }],
    ] as const) {
      const { cycles, wait } = simulated(options, cores, size, quick ? 100 : 400);
      rows.push({
        size: label,
        cores,
        arenas: name,
        'cycles/pair': Math.round(cycles),
        'lock wait/pair': Math.round(wait),
      });
    }
  }
}
console.log('\n(b) simulated (epyc-9654p-guest): malloc + free pairs, every core at once');
console.table(rows);
