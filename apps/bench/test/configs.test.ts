// The thesis' other configurations as named configurations (`--config NAME`, listed by
// `unimem list`): before, only the quick and --full sizes existed.

import { resolveProfile } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { planSweep } from '../src/plan.js';
import { runCase } from '../src/point.js';
import { loadRegistry } from '../src/registry.js';
import { runCli } from './helpers.js';

const profile = resolveProfile('epyc-9654p-guest');
const base = { names: [], scale: 1, seed: 1, order: 0, full: false, profile };

describe('--config', () => {
  it('resolves the thesis configurations to their sizes', async () => {
    const registry = await loadRegistry();
    const m10 = planSweep(registry, { ...base, config: 'random-m10', systems: ['osv'] }).info;
    expect(m10.benchmarks.map((b) => b.name)).toEqual(['random']);
    expect(m10.benchmarks[0].params).toMatchObject({
      allocsPerCore: 4000,
      rounds: 10,
      sizeBytes: 8000,
      config: 'random-m10',
    });
    expect(m10.cores).toEqual([1, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64]);
    const je = planSweep(registry, { ...base, config: 'je-random-400', systems: ['osv'] }).info;
    expect(je.benchmarks[0].params).toMatchObject({ sizeBytes: 400, memoryBytes: 20 * 2 ** 30 });
    const big = planSweep(registry, { ...base, config: 'random-20g', systems: ['osv'] }).info;
    expect(big.benchmarks[0].params).toMatchObject({ allocsPerCore: 40_000, rounds: 10 });
    const split = planSweep(registry, { ...base, config: 'bulk-35g-8m', systems: ['osv'] }).info;
    expect(split.benchmarks[0].params).toMatchObject({ splitAllocs: 8_000_000, allocsPerCore: 0 });
    const vis = planSweep(registry, { ...base, config: 'pool-vis', systems: ['osv'] }).info;
    expect(vis.cores).toEqual([1]);
    expect(vis.benchmarks[0].params).toMatchObject({ measurements: 64, memoryBytes: 2 ** 30 });
    expect(vis.id).not.toBe(
      planSweep(registry, { ...base, names: ['bulk'], systems: ['osv'] }).info.id,
    );
  });

  it('rejects an unknown configuration, --full, or another benchmark, naming the value', async () => {
    const registry = await loadRegistry();
    expect(() => planSweep(registry, { ...base, config: 'nope' })).toThrow(
      /unknown --config "nope" \(configs: .*random-m10/,
    );
    expect(() => planSweep(registry, { ...base, config: 'random-m10', full: true })).toThrow(
      /leave out --full/,
    );
    expect(() => planSweep(registry, { ...base, config: 'random-m10', names: ['bulk'] })).toThrow(
      /configuration of random, not of bulk/,
    );
  });

  it('pool-vis reports its slowest measurement beside the mean', async () => {
    const registry = await loadRegistry();
    const { info } = planSweep(registry, {
      ...base,
      config: 'pool-vis',
      systems: ['osv'],
      scale: 0.25,
    });
    const points = runCase(registry, info, 0);
    const alloc = points.find((p) => p.metric === 'alloc')!;
    const max = points.find((p) => p.metric === 'alloc-max')!;
    expect(max.value).toBeGreaterThan(alloc.value);
  });

  it('unimem list shows the configurations', async () => {
    const run = await runCli(['list']);
    expect(run.code).toBe(0);
    for (const name of ['random-m10', 'random-20g', 'je-random-400', 'bulk-35g-4m', 'pool-vis']) {
      expect(run.out.some((line) => line.includes(`--config ${name}:`))).toBe(true);
    }
  });
});
