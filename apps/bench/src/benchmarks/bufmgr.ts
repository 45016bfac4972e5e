// Benchmark `bufmgr`: a vmcache-style buffer manager (@unimem/vmcache; Leis et al., SIGMOD 2023)
// on each memory system, with its two back ends as variants `<workload>/<backend>`: `posix`
// (mmap + fault-in + madvise(DONTNEED), every system) and `kernel-api` (framesAlloc, the pool's
// own mappings, one targeted shootdown per eviction batch; only where the Kernel API exists —
// on other systems those variants measure nothing and give no points). Each core runs lookups of
// one workload over a data set 4× the pool: the cores first fill the pool with the workload's
// hottest pages (its steady state), a barrier, then the timed lookups. Reads are vmcache's optimistic reads, writes exclusive fixes that dirty
// the page; every lookup touches its page through the memory system (TLB, walk, fault).
// The `+jemalloc` presets run the same memory systems as their base presets (a buffer pool never
// mallocs), so they are skipped here (no points) to keep the sweep short.

import type { MemorySystem } from '@unimem/core';
import { GiB } from '@unimem/core';
import {
  type BackendName,
  BufferManager,
  exposesKernelApi,
  type Workload,
  WorkloadGenerator,
} from '@unimem/vmcache';
import type { BenchmarkDefinition, CaseContext, Measurement, ParamOptions } from '../api.js';
import { TimedPart } from '../measure.js';
import { QUICK_CORES, scaled } from '../micro.js';

const NAME = 'bufmgr';

type BufmgrParams = {
  dataPages: number;
  poolPages: number;
  /** Timed lookups over all cores (each core does its share). */
  lookups: number;
  /** Pages loaded before timing (the pool's size: the hottest pages of the workload). */
  prefill: number;
  evictBatch: number;
  theta: number;
  memoryBytes: number;
  variants: string;
};

/** A workload: the access stream and its share of writes. */
const WORKLOADS: Record<string, { workload: Workload; writeRatio: number }> = {
  uniform: { workload: 'uniform', writeRatio: 0 },
  zipf: { workload: 'zipf', writeRatio: 0 },
  'uniform-w20': { workload: 'uniform', writeRatio: 0.2 },
  'uniform-w10': { workload: 'uniform', writeRatio: 0.1 },
  'zipf-w10': { workload: 'zipf', writeRatio: 0.1 },
  'zipf-w20': { workload: 'zipf', writeRatio: 0.2 },
  'zipf-w50': { workload: 'zipf', writeRatio: 0.5 },
  scan: { workload: 'scan', writeRatio: 0 },
};
const BACKENDS: readonly BackendName[] = ['posix', 'kernel-api'];

interface Sizes {
  poolPages: number;
  /** Data pages per pool page (the 2–10×). */
  dataFactor: number;
  lookups: number;
  evictBatch: number;
  workloads: readonly string[];
}

/** The parameters of `sizes` scaled by `--scale`; a RangeError names a scale leaving no pool. */
function sized({ scale }: ParamOptions, sizes: Sizes): BufmgrParams {
  const poolPages = scaled(NAME, 'pool pages', sizes.poolPages, scale);
  const dataPages = sizes.dataFactor * poolPages;
  const lookups = scaled(NAME, 'lookups', sizes.lookups, scale);
  const memoryBytes = Math.max(4 * GiB, Math.ceil((dataPages * 4096 * 4) / GiB) * GiB);
  return {
    dataPages,
    poolPages,
    lookups,
    prefill: poolPages,
    // At most the pool: 64 cores evicting at once must not latch more pages than it holds.
    evictBatch: Math.min(sizes.evictBatch, poolPages),
    theta: 0.99,
    memoryBytes,
    variants: sizes.workloads.flatMap((w) => BACKENDS.map((b) => `${w}/${b}`)).join(','),
  };
}

// Quick: the --full pool and eviction batch (vmcache's 64) with half its lookups (512 per core at
// 64 cores). Shorter runs reverse --full's order at 64 cores, where 86-97 % of a lookup is lock
// wait in an eviction convoy whose length grows with the run: at a 2,048-page pool and 4,096
// lookups `osv-llfree` vs `osv-superblock` on scan/posix flipped, at 8,192 and 16,384 `osv` vs
// `osv-llfree` on uniform-w20/posix. Batches of 16 (until 2026-12-05) reversed `osv` vs
// `osv-superblock` on uniform-w20/kernel-api at 64 cores once an RMW that takes a line was charged
// the transfer alone: the kernel-api back end pays one shootdown per batch, so the batch is part
// of what it measures, not a size. Now 0 flips (apps/bench/README.md, "Quick vs full sizes").
const QUICK: Sizes = {
  poolPages: 16_384,
  dataFactor: 4,
  lookups: 32_768,
  evictBatch: 64,
  workloads: ['zipf', 'uniform-w20', 'scan'],
};
const FULL: Sizes = {
  poolPages: 16_384,
  dataFactor: 4,
  lookups: 65_536,
  evictBatch: 64,
  workloads: ['uniform', 'zipf', 'uniform-w20', 'zipf-w20', 'zipf-w50', 'scan'],
};

function params(options: ParamOptions): BufmgrParams {
  return sized(options, options.full ? FULL : QUICK);
}

function prepare(context: CaseContext<BufmgrParams, 'memory'>) {
  const { machine, parts, cores, params: p, variant, seed } = context;
  const memory = parts.memory;
  const [workloadName, backend] = String(variant).split('/') as [string, BackendName];
  const workload = WORKLOADS[workloadName];
  if (!workload || !BACKENDS.includes(backend)) {
    throw new Error(`${NAME}: unknown variant ${String(variant)}`);
  }
  const skip =
    (backend === 'kernel-api' && !exposesKernelApi(memory)) || memory.name.endsWith('+jemalloc');
  if (skip) return { program: () => (function* () {})(), results: (): Measurement[] => [] };

  const pool = BufferManager.create({
    machine,
    memory,
    backend,
    dataPages: p.dataPages,
    poolPages: p.poolPages,
    evictBatch: p.evictBatch,
  });
  const barrier = machine.barrier(cores);
  let start: Record<string, number> = {};
  const extra = () => {
    const now = { ...pool.stats(), ...pool.backendStats() };
    const out: Record<string, number> = {};
    for (const [key, value] of Object.entries(now)) {
      if (key !== 'resident') out[`vmcache.${key}`] = value - (start[key] ?? 0);
    }
    return out;
  };
  const part = new TimedPart(machine, 'lookup', extra);
  const share = (total: number, core: number) =>
    Math.floor(total / cores) + (core < total % cores ? 1 : 0);
  const perCore = Array.from({ length: cores }, (_, core) => share(p.lookups, core));
  const program = (core: number) =>
    (function* () {
      const stream = new WorkloadGenerator({
        workload: workload.workload,
        pages: p.dataPages,
        theta: p.theta,
        writeRatio: workload.writeRatio,
        seed: seed * 1000 + core + 1,
        scanStart: Math.floor((core * p.dataPages) / cores),
      });
      const lookup = function* () {
        const pid = stream.next();
        if (stream.write) {
          const address = yield* pool.fixX(core, pid);
          touch(memory, core, address, true);
          pool.unfixX(core, pid, true);
        } else {
          yield* pool.optimisticRead(core, pid, (address) => touch(memory, core, address, false));
        }
      };
      // Prefill: core c loads the pages of ranks c, c + cores, … (the steady state's hot set).
      for (let rank = core; rank < p.prefill; rank += cores) {
        const pid = stream.pageOfRank(rank);
        yield* pool.fixX(core, pid);
        pool.unfixX(core, pid);
        yield;
      }
      yield barrier;
      if (core === 0) start = { ...pool.stats(), ...pool.backendStats() };
      yield barrier;
      part.begin(core);
      for (let i = perCore[core]; i > 0; i--) {
        yield* lookup();
        yield;
      }
      part.end(core, perCore[core]);
    })();
  return {
    program,
    results: (): Measurement[] => {
      const total = part.measurement();
      const waited = total.counters.storageWaitCycles ?? 0;
      const cpu = total.ops === 0 ? 0 : total.value - waited / total.ops;
      const ghz = machine.profile.frequencyGhz.value;
      return [
        total,
        { ...total, metric: 'cpu', value: cpu },
        {
          ...total,
          metric: 'rate',
          value: cpu > 0 ? (ghz * 1e3) / cpu : 0,
          unit: 'Mlookups/s/core',
        },
      ];
    },
  };
}

function touch(memory: MemorySystem, core: number, address: number, write: boolean): void {
  const status = memory.touch(core, address, write);
  if (status !== 0) {
    throw new Error(
      `${NAME} on ${memory.name}: touch(core ${core}, 0x${address.toString(16)}) failed (${status})`,
    );
  }
}

export const benchmarks: BenchmarkDefinition<BufmgrParams, 'memory', typeof NAME>[] = [
  {
    name: NAME,
    description:
      'vmcache-style buffer pool (data 4× the pool): lookups per workload with the posix back end (mmap + madvise) and the Kernel API back end (own mappings, batched targeted shootdowns)',
    target: 'memory',
    metrics: [
      {
        name: 'lookup',
        unit: 'cycles/op',
        description: 'one lookup, device waits included (one synchronous request per core)',
      },
      {
        name: 'cpu',
        unit: 'cycles/op',
        description: 'one lookup without the device wait: latching, faults, unmaps, shootdowns',
      },
      {
        name: 'rate',
        unit: 'Mlookups/s/core',
        description: 'lookups per second per core when the device waits overlap (1 / cpu)',
      },
    ],
    cores: { quick: QUICK_CORES, full: [1, 4, 8, 16, 24, 32, 48, 64] },
    params,
    memoryBytes: (p) => p.memoryBytes,
    variants: (p) => p.variants.split(','),
    chart: { perVariant: true },
    prepare,
    // Pool and data sizes as named configurations (`--config NAME`), at the quick core counts.
    configs: [
      {
        name: 'bufmgr-data2x',
        description: 'bufmgr with the data 2× the pool (quick sizes otherwise)',
        cores: [1, 2, 4, 8, 16, 32, 64],
        params: (o) => sized(o, { ...QUICK, dataFactor: 2 }),
      },
      {
        name: 'bufmgr-data10x',
        description: 'bufmgr with the data 10× the pool (quick sizes otherwise)',
        cores: [1, 2, 4, 8, 16, 32, 64],
        params: (o) => sized(o, { ...QUICK, dataFactor: 10 }),
      },
      {
        name: 'bufmgr-writes',
        description: 'bufmgr with 10 %, 20 % and 50 % writes (uniform and Zipf), quick sizes',
        cores: [1, 2, 4, 8, 16, 32, 64],
        params: (o) =>
          sized(o, { ...QUICK, workloads: ['uniform-w10', 'zipf-w10', 'zipf-w20', 'zipf-w50'] }),
      },
    ],
  },
];
