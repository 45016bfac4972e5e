// Benchmarks of @unimem/superblock (`pnpm --filter @unimem/superblock bench [--quick]`), host
// time, each case beside its baseline:
// (a) reserveRange + freeRange, cores taking turns, each core keeping LIVE ranges of 1..16
//     pages: SuperblockAllocator (per-core buckets) vs one shared first-fit free list behind one
//     lock. Natively this measures only the shorter per-core lists; the contention the per-core
//     locks avoid shows up in the hardware model, not here.
// (b) The same churn as (a) inside the hardware model (default profile, SimRwLock, traced
//     owner table, free-range nodes and bucket headers as cache lines): simulated cycles per
//     reserve + free pair per core, for 1..64 cores. This is where per-core buckets pay off.
// Prints ns per operation (median of batches) for (a), cycles for (b). The free-range set itself
// (FreeRanges against objects + splice) is measured in @unimem/vma-tree's bench.

import { mulberry32, type Vma, type VmaIndex } from '@unimem/core';
import { freeLock, Machine, SimRwLock, TracedWords } from '@unimem/hw';
import { Bench } from 'tinybench';
import { DEFAULT_AREA_BASE, DEFAULT_AREA_END, SuperblockAllocator } from '../src/index.js';
import { SharedFreeList } from './shared-free-list.js';

const PAGE = 4096;
const BATCH = 256;
const quick = process.argv.includes('--quick');
const bench = () => new Bench({ time: quick ? 100 : 500, warmup: true });

const noLock = freeLock('none');

const noIndex = (): VmaIndex<Vma> => ({
  size: 0,
  insert() {},
  erase: () => false,
  find: () => undefined,
  findIntersecting: () => [],
  [Symbol.iterator]: () => [][Symbol.iterator](),
});

interface VaAllocator {
  reserveRange(core: number, size: number, align: number): number;
  free(core: number, addr: number, size: number): number;
}

/** Each core keeps `live` ranges; one step frees a random one of core i % cores and refills. */
function churn(allocator: VaAllocator, cores: number, live: number) {
  const next = mulberry32(42);
  const addrs = new Float64Array(cores * live);
  const sizes = new Float64Array(cores * live);
  for (let slot = 0; slot < addrs.length; slot++) {
    sizes[slot] = (1 + Math.floor(next() * 16)) * PAGE;
    addrs[slot] = allocator.reserveRange(slot % cores, sizes[slot], PAGE);
  }
  let step = 0;
  return () => {
    for (let i = 0; i < BATCH; i++, step++) {
      const core = step % cores;
      const slot = core * live + Math.floor(next() * live);
      allocator.free(core, addrs[slot], sizes[slot]);
      sizes[slot] = (1 + Math.floor(next() * 16)) * PAGE;
      const addr = allocator.reserveRange(core, sizes[slot], PAGE);
      if (addr < 0) throw new Error(`reserveRange failed: ${addr}`);
      addrs[slot] = addr;
    }
  };
}

function superblock(cores: number): VaAllocator {
  const a = new SuperblockAllocator({ cores, lock: () => noLock, index: noIndex });
  return {
    reserveRange: (core, size, align) => a.reserveRange(core, size, align),
    free: (_core, addr, size) => a.freeRange(addr, size),
  };
}

function shared(): VaAllocator {
  const list = new SharedFreeList(DEFAULT_AREA_BASE, DEFAULT_AREA_END, noLock);
  return {
    reserveRange: (core, size, align) => list.reserveRange(core, size, align),
    free: (core, addr, size) => list.freeRange(core, addr, size),
  };
}

async function run(title: string, cases: Array<[string, () => void]>): Promise<void> {
  const b = bench();
  for (const [name, fn] of cases) b.add(name, fn);
  await b.run();
  const rows = b.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    return { case: task.name, 'ns/op': Number(((result.latency.p50 * 1e6) / BATCH).toFixed(1)) };
  });
  console.log(`\n${title}`);
  console.table(rows);
}

const cores = 8;
const live = quick ? [64] : [16, 256, 1024];
const churnCases: Array<[string, () => void]> = [];
for (const n of live) {
  churnCases.push([`superblock, ${cores} cores × ${n} live`, churn(superblock(cores), cores, n)]);
  churnCases.push([`baseline shared list, ${cores} cores × ${n} live`, churn(shared(), cores, n)]);
}
await run('(a) reserveRange + freeRange (one pair per op)', churnCases);

/** Simulated cycles per reserve + free pair per core, and lock wait cycles per pair. */
function simulated(kind: 'superblock' | 'shared', cores: number, live: number, ops: number) {
  const machine = new Machine({ cores });
  const lock = (name: string) => new SimRwLock(machine, name);
  let allocator: VaAllocator;
  if (kind === 'superblock') {
    const a = new SuperblockAllocator({
      cores,
      lock,
      index: noIndex,
      tracer: machine.lines,
      words: (buffer) => new TracedWords(machine, buffer, 0, undefined, 'superblock.owners'),
    });
    allocator = {
      reserveRange: (core, size, align) => a.reserveRange(core, size, align),
      free: (core, addr, size) => {
        const l = a.freeRangesLock(addr);
        l.writeLock(core);
        const result = a.freeRange(addr, size);
        l.writeUnlock(core);
        return result;
      },
    };
  } else {
    const list = new SharedFreeList(
      DEFAULT_AREA_BASE,
      DEFAULT_AREA_END,
      lock('shared free list'),
      machine.lines,
    );
    allocator = {
      reserveRange: (core, size, align) => list.reserveRange(core, size, align),
      free: (core, addr, size) => list.freeRange(core, addr, size),
    };
  }
  const addrs = new Float64Array(cores * live);
  const sizes = new Float64Array(cores * live);
  const next = mulberry32(11);
  machine.run((core) =>
    (function* () {
      for (let i = 0; i < live; i++) {
        const slot = core * live + i;
        sizes[slot] = (1 + Math.floor(next() * 16)) * PAGE;
        addrs[slot] = allocator.reserveRange(core, sizes[slot], PAGE);
        yield;
      }
    })(),
  );
  const waitBefore = machine.counters.totals().lockWaitCycles ?? 0;
  const result = machine.run((core) =>
    (function* () {
      for (let i = 0; i < ops; i++) {
        const slot = core * live + Math.floor(next() * live);
        allocator.free(core, addrs[slot], sizes[slot]);
        sizes[slot] = (1 + Math.floor(next() * 16)) * PAGE;
        addrs[slot] = allocator.reserveRange(core, sizes[slot], PAGE);
        yield;
      }
    })(),
  );
  const wait = (machine.counters.totals().lockWaitCycles ?? 0) - waitBefore;
  return { cyclesPerOp: result.cycles / ops, lockWaitPerOp: wait / (ops * cores) };
}

const simRows: Array<Record<string, number | string>> = [];
for (const cores of quick ? [1, 8] : [1, 4, 16, 64]) {
  for (const kind of ['superblock', 'shared'] as const) {
    const { cyclesPerOp, lockWaitPerOp } = simulated(kind, cores, 64, quick ? 50 : 200);
    simRows.push({
      cores,
      case: kind === 'superblock' ? 'superblock' : 'baseline shared list',
      'cycles/op': Math.round(cyclesPerOp),
      'lock wait cycles/op': Math.round(lockWaitPerOp),
    });
  }
}
console.log('\n(b) simulated: reserveRange + freeRange per core, 64 live ranges per core');
console.table(simRows);
