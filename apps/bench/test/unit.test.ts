// Pieces of the runner without a simulation: the registry, sharding, the chart's scale choices
// and the sweep plan.

import { resolveProfile } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { planSweep } from '../src/plan.js';
import { loadRegistry } from '../src/registry.js';
import { renderChart, wantsLogX, wantsLogY } from '../src/report/svg-chart.js';
import { resolveShard, shardCases } from '../src/shard.js';

describe('registry', () => {
  it('discovers the systems, benchmarks and calibration sources in their folders', async () => {
    const registry = await loadRegistry();
    expect([...registry.systems.keys()]).toEqual(expect.arrayContaining(['llfree', 'reference']));
    expect([...registry.benchmarks.keys()]).toEqual(
      expect.arrayContaining(['frames.bulk', 'frames.repeat', 'frames.rand']),
    );
    expect(registry.calibrationSources.map((s) => s.name)).toContain('llfree-atc23');
    expect(() => registry.addSystem({ ...registry.system('llfree') })).toThrow(/registered twice/);
  });
});

describe('sweep plan', () => {
  const profile = resolveProfile('epyc-9654p-guest');
  const base = { names: [], scale: 1, seed: 1, order: 0, full: false, profile };

  it('sizes frame benchmarks by the artifact rule: half of memory at the largest core count', async () => {
    const registry = await loadRegistry();
    const quick = planSweep(registry, base);
    expect(quick.info.cores).toEqual([1, 4, 8, 16, 64]);
    expect(quick.params.get('frames.bulk')).toEqual({
      order: 0,
      memoryBytes: 8 * 2 ** 30,
      allocsPerCore: (8 * 512 * 512) / 64 / 2,
      maxCores: 64,
    });
    // frames.rand's own quick memory: its shuffled frees must miss the private cache (frames.ts).
    expect(quick.params.get('frames.rand')).toEqual({
      order: 0,
      memoryBytes: 16 * 2 ** 30,
      allocsPerCore: (16 * 512 * 512) / 64 / 2,
      maxCores: 64,
    });
    expect(quick.params.get('frames.repeat')).toMatchObject({ memoryBytes: 8 * 2 ** 30 });
    const names = registry.parseBenchmarkNames(['frames.*']);
    expect(names).toEqual(['frames.bulk', 'frames.repeat', 'frames.rand']);
    const full = planSweep(registry, { ...base, names, full: true, order: 9 });
    expect(full.params.get('frames.rand')).toMatchObject({
      memoryBytes: 60 * 2 ** 30,
      allocsPerCore: (60 * 512 * 512) / 64 / 2 / 512,
    });
    expect(full.info.cores).toEqual([1, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64]);
    expect(full.info.id).not.toBe(quick.info.id);
    expect(planSweep(registry, base).info.id).toBe(quick.info.id);
  });
});

describe('shards', () => {
  it('takes every n-th case and reads SLURM array variables', () => {
    expect(shardCases(7, { index: 2, count: 3 })).toEqual([1, 4]);
    expect(shardCases(3, null)).toEqual([0, 1, 2]);
    const env = {
      SLURM_ARRAY_TASK_ID: '5',
      SLURM_ARRAY_TASK_MIN: '4',
      SLURM_ARRAY_TASK_COUNT: '3',
    };
    expect(resolveShard(undefined, env)).toEqual({ index: 2, count: 3 });
    expect(resolveShard('3/3', env)).toEqual({ index: 3, count: 3 });
    expect(resolveShard(undefined, {})).toBeNull();
    expect(() => resolveShard(undefined, { ...env, SLURM_ARRAY_TASK_ID: '9' })).toThrow(
      /SLURM_ARRAY_TASK_ID 9/,
    );
  });
});

describe('svg chart', () => {
  it('uses log axes only where the data spreads', () => {
    expect(wantsLogX([1, 2, 4, 8, 16, 32, 64])).toBe(true);
    expect(wantsLogX([1, 4, 8, 12, 16, 20, 24, 28, 32])).toBe(false);
    expect(wantsLogY([50, 60, 70])).toBe(false);
    expect(wantsLogY([60, 900, 2200])).toBe(true);
    expect(wantsLogY([0, 0, 60])).toBe(false);
  });

  it('draws one path per series and escapes names', () => {
    const chart = renderChart({
      title: 'a <b> & c',
      xLabel: 'cores',
      yLabel: 'cycles/op',
      series: [
        {
          name: 'x<y',
          points: [
            { x: 1, y: 10 },
            { x: 2, y: 100 },
          ],
        },
        {
          name: 'zero',
          points: [
            { x: 1, y: 0 },
            { x: 2, y: 0 },
          ],
        },
      ],
    });
    expect(chart.logY).toBe(false);
    expect(chart.svg.match(/class="series"/g)).toHaveLength(2);
    expect(chart.svg).toContain('a &#60;b&#62; &#38; c');
    expect(chart.svg).not.toContain('x<y');
    const log = renderChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 's',
          points: [
            { x: 1, y: 10 },
            { x: 2, y: 1000 },
            { x: 4, y: 0 },
          ],
        },
      ],
    });
    expect(log.logY).toBe(true);
    expect(log.omitted).toBe(1);
    expect(log.svg).toMatch(/d="M[\d.]+,[\d.]+L[\d.]+,[\d.]+"/);
  });
});
