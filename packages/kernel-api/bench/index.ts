// Benchmarks of the unikernel memory subsystem (`pnpm --filter @unimem/kernel-api bench`).
// (a) Boot: simulated cycles and host time of boot() at 1 GiB and 500 GiB of memory, with 2 MiB
//     and 1 GiB linear-map pages (LLFree traced, starting all allocated, + superblocks).
// (b) VM scalability: simulated cycles per mmap + touch + munmap of one 4 KiB page per core, at
//     1..64 cores, for LLFree + superblocks (per-core buckets) against the same parts with ONE
//     shared bucket (the baseline: one vma lock, one index, one free list for every core; built
//     from @unimem/superblock's Bucket because SuperblockAllocator has no such option), plus
//     the superblocks with targeted INVLPG to the holders. Each row says where the time goes:
//     lock wait, line wait and transfers, IPIs and shootdown wait, per mmap+touch+munmap.
// (c) The same without the touch (the thesis' mmap benchmark): no page, no shootdown, only the
//     VM allocator, the VMA index and their locks.
// Cycles per operation follow the thesis harness: the sum over cores of each core's cycles
// divided by (cores x operations per core).
//
// The one-bucket baseline nests its one vma lock around its one free-ranges lock in munmap (OSv's
// evacuate). Its waiters queue, and OSv's lockfree::mutex hands the lock to each sleeping waiter
// through its wake-up (a convoy), so a munmap waits for the other cores' holds and their wake-ups:
// from 8 cores on, cycles per operation grow about linearly with cores. Until 2026-12-05 a moved rwlock hold kept
// its own wait on the internal mutex as work (packages/hw/src/rwlock.ts), and these rows grew
// without bound (64 cores: 5.5e15 cycles per operation, now 1.2e6).

import { GiB, MapFlags, PAGE_SIZE, Prot } from '@unimem/core';
import { Machine, PageSize } from '@unimem/hw';
import type { UnikernelMemory } from '../src/index.js';
import { oneBucketOsv, optimizedOsv } from '../test/parts.js';

const CORE_COUNTS = [1, 2, 4, 8, 16, 32, 64];
/** Operations (mmap + touch + munmap) per run, spread over the cores (at least MIN_OPS each). */
const TOTAL_OPS = 6400;
const MIN_OPS = 100;
const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;
const RW = Prot.READ | Prot.WRITE;

// ---------------------------------------------------------------------------------------------
// (a) Boot

function bootRow(memoryBytes: number, linearPageBytes: number) {
  const machine = new Machine({ cores: 64 });
  const system = optimizedOsv(machine, { memoryBytes, linearPageBytes });
  const start = performance.now();
  system.boot();
  const hostMs = performance.now() - start;
  const report = system.bootReport;
  const ms = (cycles: number) => (machine.seconds(cycles) * 1e3).toFixed(3);
  return {
    memory: `${memoryBytes / GiB} GiB`,
    linearPages: linearPageBytes === PageSize.Size1G ? '1 GiB' : '2 MiB',
    'sim ms': ms(report.cycles),
    'frames ms': ms(report.frameInitCycles),
    'linear map ms': ms(report.linearMapCycles),
    'vm ms': ms(report.vmInitCycles),
    'table pages': report.tablePages,
    'host ms': hostMs.toFixed(0),
  };
}

console.log('(a) boot: LLFree (traced, all allocated then freed) + superblocks, 64 cores');
console.table([
  bootRow(GiB, PageSize.Size2M),
  bootRow(GiB, PageSize.Size1G),
  bootRow(500 * GiB, PageSize.Size2M),
  bootRow(500 * GiB, PageSize.Size1G),
]);

// ---------------------------------------------------------------------------------------------
// (b) mmap + touch + munmap

type Make = (machine: Machine, cores: number) => UnikernelMemory;

const systems: Array<[string, Make]> = [
  ['superblocks (per-core buckets), global flush', (m, n) => optimizedOsv(m, options(n))],
  ['ONE shared bucket (baseline), global flush', (m, n) => oneBucketOsv(m, options(n))],
  [
    'superblocks, invlpg to the holders',
    (m, n) => optimizedOsv(m, { ...options(n), tlbFlush: 'invlpg', invlpgTargets: 'holders' }),
  ],
];

function options(cores: number) {
  return { memoryBytes: 2 * GiB, runCores: cores };
}

const SHOWN = [
  ['lockWaitCycles', 'lock wait'],
  ['lineWaitCycles', 'line wait'],
  ['lineTransfers', 'transfers'],
  ['ipisSent', 'IPIs'],
  ['shootdownWaitCycles', 'shootdown wait'],
  ['ipiHandlerCycles', 'IPI handling'],
] as const;

function scalabilityRow(make: Make, cores: number, touch = true) {
  const machine = new Machine({ cores: 64 });
  const system = make(machine, cores);
  system.boot();
  const ops = Math.max(MIN_OPS, Math.ceil(TOTAL_OPS / cores));
  machine.counters.reset();
  const result = machine.run(
    (core) =>
      (function* () {
        for (let i = 0; i < ops; i++) {
          const addr = system.mmap(core, PAGE_SIZE, RW, ANON);
          if (addr < 0) throw new Error(`mmap failed on core ${core}: ${addr}`);
          yield;
          if (touch) {
            system.touch(core, addr, true);
            yield;
          }
          system.munmap(core, addr, PAGE_SIZE);
          yield;
        }
      })(),
    { cores },
  );
  const perOp = cores * ops;
  const cycles = result.coreCycles.reduce((a, b) => a + b, 0) / perOp;
  const row: Record<string, string | number> = {
    cores,
    'cycles/op': Math.round(cycles),
    'µs/op': (machine.seconds(cycles) * 1e6).toFixed(2),
  };
  const totals = machine.counters.totals();
  for (const [name, label] of SHOWN) {
    const value = (totals[name] ?? 0) / perOp;
    row[label] = value >= 100 ? Math.round(value) : Number(value.toFixed(2));
  }
  return row;
}

console.log(
  '\n(b) mmap + touch + munmap of one 4 KiB page, per operation (sum of core cycles / ops)',
);
const hostStart = performance.now();
const cyclesAt = new Map<string, number[]>();
for (const [name, make] of systems) {
  console.log(`\n${name}`);
  const rows = CORE_COUNTS.map((cores) => scalabilityRow(make, cores));
  cyclesAt.set(
    name,
    rows.map((row) => Number(row['cycles/op'])),
  );
  console.table(rows);
}
const [per, shared] = [cyclesAt.get(systems[0][0])!, cyclesAt.get(systems[1][0])!];
console.log('\nper-core buckets vs one shared bucket (cycles/op, lower is better):');
console.table(
  CORE_COUNTS.map((cores, i) => ({
    cores,
    'per-core': per[i],
    'one bucket': shared[i],
    speedup: (shared[i] / per[i]).toFixed(2),
  })),
);
console.log(`host time of (b): ${((performance.now() - hostStart) / 1e3).toFixed(1)} s`);

console.log('\n(c) mmap + munmap of one 4 KiB page without a touch, per operation');
for (const [name, make] of systems.slice(0, 2)) {
  console.log(`\n${name}`);
  console.table(CORE_COUNTS.map((cores) => scalabilityRow(make, cores, false)));
}
