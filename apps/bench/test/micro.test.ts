// The thesis' micro-benchmarks (src/benchmarks/{boot,footprint,mmap,bulk,pipeline,random,
// repeat}.ts) at a tiny scale on one real preset, in-process: every case gives the declared
// metrics with sane values, pipeline's frees are cross-core, boot runs on an unbooted system,
// runs are deterministic for a seed, and the figures follow the benchmarks' chart options.

import { Errno, type Malloc, Ok } from '@unimem/core';
import { Machine, resolveProfile } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import type { Point, ResultSet } from '../src/api.js';
import { planSweep } from '../src/plan.js';
import { runCase } from '../src/point.js';
import { type BenchmarkName, loadRegistry } from '../src/registry.js';
import { buildFigures } from '../src/report/figures.js';

const SYSTEM = 'osv-superblock+jemalloc';
const profile = resolveProfile('epyc-9654p-guest');

async function sweepOf(bench: BenchmarkName, cores: number[], scale: number, seed = 1) {
  const registry = await loadRegistry();
  const { info } = planSweep(registry, {
    names: [bench],
    systems: [SYSTEM],
    cores,
    scale,
    seed,
    order: 0,
    full: false,
    profile,
  });
  return { registry, info };
}

async function run(
  bench: BenchmarkName,
  cores: number[],
  scale: number,
  seed = 1,
): Promise<Point[]> {
  const { registry, info } = await sweepOf(bench, cores, scale, seed);
  return info.cases.flatMap((entry) => runCase(registry, info, entry.index));
}

function metricsOf(points: Point[]): Set<string> {
  return new Set(points.map((p) => p.metric));
}

function expectCycles(points: Point[]): void {
  for (const point of points) {
    expect(point.unit).toBe('cycles/op');
    expect(point.value, `${point.bench} ${point.metric} ${point.cores}`).toBeGreaterThan(0);
    expect(point.ops).toBeGreaterThan(0);
    expect(point.counters.lineAccesses).toBeGreaterThan(0);
  }
}

describe('micro-benchmarks on a preset', () => {
  it('registers the preset as a memory-system', async () => {
    const registry = await loadRegistry();
    expect(registry.system(SYSTEM).provides).toContain('memory-system');
    const names = ['boot', 'footprint', 'mmap', 'bulk', 'pipeline', 'random', 'repeat'] as const;
    for (const name of names) {
      expect(registry.benchmark(name).target).toBe('memory-system');
    }
  });

  it('bulk: alloc and free cycles per op; the writes fault pages in during alloc', async () => {
    const points = await run('bulk', [1, 4], 0.05);
    expect(metricsOf(points)).toEqual(new Set(['alloc', 'free']));
    expect(points).toHaveLength(4);
    expectCycles(points);
    const alloc = points.find((p) => p.metric === 'alloc' && p.cores === 4)!;
    expect(alloc.ops).toBe(4 * Number(alloc.params.allocsPerCore));
    expect(alloc.counters.faults).toBeGreaterThan(0);
    const free = points.find((p) => p.metric === 'free' && p.cores === 4)!;
    expect(free.counters.faults ?? 0).toBe(0);
  });

  it('mmap: mmap and munmap without populate, only munmap with it', async () => {
    const points = await run('mmap', [1, 2], 0.02);
    expectCycles(points);
    for (const variant of ['4 KiB', '16 KiB']) {
      expect(metricsOf(points.filter((p) => p.variant === variant))).toEqual(
        new Set(['mmap', 'munmap']),
      );
    }
    for (const variant of ['4 KiB populate', '16 KiB populate']) {
      const munmaps = points.filter((p) => p.variant === variant);
      expect(metricsOf(munmaps)).toEqual(new Set(['munmap']));
      for (const p of munmaps) expect(p.counters.pagesUnpopulated).toBeGreaterThan(0);
    }
    // Populated unmaps must shoot down the other core's TLB.
    const shared = points.find((p) => p.variant === '4 KiB populate' && p.cores === 2)!;
    expect(shared.counters.ipisSent).toBeGreaterThan(0);
  });

  it('pipeline: every free on more than one core is cross-core', async () => {
    const { registry, info } = await sweepOf('pipeline', [3], 0.01);
    const entry = info.cases.find((c) => c.variant === '400 B')!;
    const benchmark = registry.benchmark('pipeline');
    const system = registry.system(SYSTEM);
    const params = info.benchmarks[0].params;
    const machine = new Machine({ profile, cores: 3, seed: 1 });
    const parts = system.build({
      machine,
      cores: 3,
      memoryBytes: benchmark.memoryBytes(params, { profile }),
      seed: 1,
      boot: true,
    });
    const preset = parts['memory-system']!;
    const owner = new Map<number, number>();
    const frees: Array<{ core: number; owner: number }> = [];
    const inner: Malloc = preset.malloc;
    const recording: Malloc = {
      name: inner.name,
      malloc: (core, size) => {
        const ptr = inner.malloc(core, size);
        owner.set(ptr, core);
        return ptr;
      },
      free: (core, ptr) => {
        frees.push({ core, owner: owner.get(ptr)! });
        return inner.free(core, ptr);
      },
      usableSize: (ptr) => inner.usableSize(ptr),
    };
    const wrapped = { ...parts, 'memory-system': { ...preset, malloc: recording } };
    const prepared = benchmark.prepare({
      machine,
      parts: wrapped,
      cores: 3,
      params,
      variant: entry.variant,
      seed: 1,
    });
    machine.run(prepared.program, { cores: 3 });
    expect(frees).toHaveLength(3 * Number(params.allocsPerCore));
    for (const { core, owner: from } of frees) expect(from).toBe((core + 1) % 3);
    const [alloc, free] = prepared.results();
    expect(alloc.value).toBeGreaterThan(0);
    expect(free.value).toBeGreaterThan(0);
  });

  it('pipeline and repeat: one point per size and metric', async () => {
    const pipeline = await run('pipeline', [2], 0.01);
    expect(pipeline).toHaveLength(4 * 2);
    expectCycles(pipeline);
    const repeat = await run('repeat', [1, 2], 0.01);
    expect(new Set(repeat.map((p) => p.variant))).toEqual(new Set(['4096 B', '400 B']));
    expectCycles(repeat);
  });

  it('random: frees and allocs from a shared pool, deterministic for a seed', async () => {
    const points = await run('random', [1, 4], 0.05, 3);
    expect(metricsOf(points)).toEqual(new Set(['free', 'alloc']));
    expectCycles(points);
    const again = await run('random', [1, 4], 0.05, 3);
    expect(again).toEqual(points);
    const other = await run('random', [4], 0.05, 4);
    const free4 = (set: Point[]) => set.find((p) => p.cores === 4 && p.metric === 'free')!.value;
    expect(free4(other)).not.toBe(free4(points));
  });

  it('footprint: non-negative overheads per size, larger for a first small allocation', async () => {
    const points = await run('footprint', [1], 0.01);
    const overheads = points.filter((p) => p.metric === 'overhead');
    expect(overheads).toHaveLength(23);
    expect(new Set(points.map((p) => p.metric))).toEqual(
      new Set(['overhead', 'pageTables', 'metadata']),
    );
    for (const point of points) {
      expect(point.value, `${point.metric} ${point.variant}`).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(point.value)).toBe(true);
    }
    const at = (size: number) => overheads.find((p) => p.variant === size)!;
    expect(at(256).value).toBeGreaterThan(at(32768).value);
    expect(at(4096).counters.faults).toBeGreaterThan(0);
  });

  it('boot: the benchmark boots the unbooted system; more memory takes longer', async () => {
    const points = await run('boot', [1, 2], 0.25);
    expect(points).toHaveLength(4);
    for (const point of points) {
      expect(point.unit).toBe('ms');
      expect(point.value).toBeGreaterThan(0);
      expect(point.counters.cycles).toBeGreaterThan(0);
    }
    const small = points.find((p) => p.variant === '256 MiB' && p.cores === 1)!;
    const large = points.find((p) => p.variant === '125 GiB' && p.cores === 1)!;
    expect(large.value).toBeGreaterThan(small.value * 10);
    expect(large.counters['boot.linearMapCycles']).toBeGreaterThan(0);
  });

  it('rejects sizes that cannot run, naming the value', async () => {
    await expect(sweepOf('random', [128], 0.01)).rejects.toThrow(/at most 100 cores/);
    await expect(sweepOf('boot', [1], 1e-6)).rejects.toThrow(/--scale 0.000001/);
  });
});

describe('figures of the micro-benchmarks', () => {
  it('splits per-variant benchmarks into one figure per variant, bars for boot', async () => {
    const { info } = await sweepOf('boot', [1], 0.25);
    const point = (variant: string, value: number): Point => ({
      bench: 'boot',
      system: SYSTEM,
      cores: 1,
      metric: 'boot',
      value,
      unit: 'ms',
      counters: {},
      ops: 1,
      order: null,
      variant,
      seed: 1,
      params: {},
      case: variant === '256 MiB' ? 0 : 1,
    });
    const set = {
      points: [point('256 MiB', 1), point('125 GiB', 2)],
      meta: { sweep: info, caseHostMs: {} },
    } as unknown as ResultSet;
    const figures = buildFigures(set);
    expect(figures.map((f) => f.title)).toEqual(['boot: boot, 256 MiB', 'boot: boot, 125 GiB']);
    expect(figures.every((f) => f.kind === 'bars')).toBe(true);
    expect(figures[0].series.map((s) => s.name)).toEqual([SYSTEM]);
  });
});

describe('a failed call stops the case with a message naming it', () => {
  it('names malloc, the core and the error', async () => {
    const { registry, info } = await sweepOf('repeat', [1], 0.01);
    const benchmark = registry.benchmark('repeat');
    const machine = new Machine({ profile, cores: 1, seed: 1 });
    const parts = registry.system(SYSTEM).build({
      machine,
      cores: 1,
      memoryBytes: 1 << 30,
      seed: 1,
      boot: true,
    });
    const preset = parts['memory-system']!;
    const failing: Malloc = {
      name: 'failing',
      malloc: () => Errno.ENOMEM,
      free: () => Ok,
      usableSize: () => 0,
    };
    const prepared = benchmark.prepare({
      machine,
      parts: { ...parts, 'memory-system': { ...preset, malloc: failing } },
      cores: 1,
      params: info.benchmarks[0].params,
      variant: '400 B',
      seed: 1,
    });
    expect(() => machine.run(prepared.program, { cores: 1 })).toThrow(
      /repeat on failing: malloc\(core 0, 400\) failed with ENOMEM after 0 allocations/,
    );
  });
});
