// Replicas of a point (`--seeds N`, `--iterations N`): the sweep runs every point N times with
// distinct seeds (or, per seed, with a re-seeded machine), and the tables and charts show the mean
// and the spread instead of one run. Before, a point was one run with one seed: a curve that
// varies with the seed (frames.rand's shuffle, scheduler ties near CCD boundaries) looked exact.

import { resolveProfile } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import type { Point, ResultSet } from '../src/api.js';
import { planSweep } from '../src/plan.js';
import { machineSeed, runCase } from '../src/point.js';
import { type BenchmarkName, loadRegistry } from '../src/registry.js';
import { buildFigures } from '../src/report/figures.js';
import { renderHtml } from '../src/report/html.js';
import { summaryLines } from '../src/report/text-table.js';
import { runCli } from './helpers.js';

const profile = resolveProfile('epyc-9654p-guest');

async function sweep(seeds: number, iterations: number, names: BenchmarkName[] = ['frames.rand']) {
  const registry = await loadRegistry();
  const { info } = planSweep(registry, {
    names,
    systems: ['llfree'],
    cores: [1, 4],
    scale: 0.02,
    seed: 5,
    seeds,
    iterations,
    order: 0,
    full: false,
    profile,
  });
  return { registry, info };
}

function setOf(info: ResultSet['meta']['sweep'], points: Point[]): ResultSet {
  const host = {
    hostname: 'h',
    platform: 'linux',
    arch: 'x64',
    cpus: 2,
    cpuModel: 'c',
    memoryBytes: 1,
    node: '20',
  };
  return {
    points,
    meta: {
      format: 'unimem-results/1',
      complete: true,
      interrupted: false,
      sweep: info,
      selected: info.cases.map((c) => c.index),
      missing: [],
      shard: null,
      mergedFrom: [],
      command: 'unimem bench',
      argv: ['bench'],
      cwd: '/',
      host,
      versions: {},
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
      jobs: 1,
      caseHostMs: {},
    },
  };
}

describe('--seeds and --iterations', () => {
  it('plans one case per point, seed and iteration; one replica keeps the old sweep', async () => {
    const single = await sweep(1, 1);
    expect(single.info.cases).toHaveLength(2);
    expect(single.info.cases[0].seed).toBeUndefined();
    expect(single.info.seeds).toBeUndefined();

    const { info } = await sweep(3, 2);
    expect(info.cases).toHaveLength(2 * 3 * 2);
    const at4 = info.cases.filter((c) => c.cores === 4);
    expect(new Set(at4.map((c) => c.seed))).toEqual(new Set([5, 6, 7]));
    expect(new Set(at4.map((c) => c.iteration))).toEqual(new Set([0, 1]));
    expect(info.seeds).toBe(3);
    expect(info.iterations).toBe(2);
    expect(info.id).not.toBe(single.info.id);
  });

  it('boot is not replicated: one core, no random draws, every seed gives the same point', async () => {
    const registry = await loadRegistry();
    const { info } = planSweep(registry, {
      names: ['boot'],
      systems: ['osv'],
      cores: [1, 16],
      scale: 0.01,
      seed: 1,
      seeds: 3,
      iterations: 2,
      order: 0,
      full: false,
      profile,
    });
    expect(info.cases).toHaveLength(2 * 2);
    expect(info.cases.every((c) => c.seed === undefined)).toBe(true);
  });

  it('rejects a replica count below 1 naming the option', async () => {
    await expect(sweep(0, 1)).rejects.toThrow(/--seeds 0 must be a whole number/);
    await expect(sweep(1, 0)).rejects.toThrow(/--iterations 0 must be a whole number/);
  });

  it('iterations keep the workload seed and re-seed only the machine', () => {
    expect(machineSeed(5, 0)).toBe(5);
    const seeds = new Set([1, 2, 3].map((i) => machineSeed(5, i)));
    expect(seeds.size).toBe(3);
    expect(seeds.has(5)).toBe(false);
  });

  it('with several seeds the points carry a spread, drawn as error bars and ±sd cells', async () => {
    const { registry, info } = await sweep(3, 1);
    const points = info.cases.flatMap((c) => runCase(registry, info, c.index));
    expect(new Set(points.filter((p) => p.cores === 4).map((p) => p.seed))).toEqual(
      new Set([5, 6, 7]),
    );
    const set = setOf(info, points);
    const [figure] = buildFigures(set);
    const at4 = figure.series[0].points.find((p) => p.x === 4)!;
    expect(at4.replicas).toHaveLength(3);
    expect(at4.spread?.n).toBe(3);
    const values = at4.replicas.map((r) => r.value);
    // frames.rand's shuffle depends on the seed: the three runs differ.
    expect(new Set(values).size).toBeGreaterThan(1);
    expect(at4.spread!.max).toBeGreaterThan(at4.spread!.min);
    expect(at4.y).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 3, 6);
    expect(at4.spread!.sd).toBeGreaterThan(0);

    const lines = summaryLines(set);
    expect(lines[0]).toMatch(/mean ±sd over 3 runs/);
    expect(lines.some((l) => /±\d/.test(l))).toBe(true);
    const html = renderHtml(set);
    expect(html).toContain('class="error-bar"');
    expect(html).toMatch(/Error bars: min to max over 3 runs/);
  });

  it('iterations of one seed are separate runs with their own point', async () => {
    const { registry, info } = await sweep(1, 3, ['frames.bulk']);
    const points = info.cases.flatMap((c) => runCase(registry, info, c.index));
    const alloc4 = points.filter((p) => p.cores === 4 && p.metric === 'alloc');
    expect(alloc4.map((p) => p.iteration).sort()).toEqual([0, 1, 2]);
    expect(new Set(alloc4.map((p) => p.seed))).toEqual(new Set([5]));
    const [figure] = buildFigures(setOf(info, points));
    expect(figure.series[0].points.find((p) => p.x === 4)?.spread?.n).toBe(3);
  });

  it('the CLI takes --seeds and --iterations and rejects bad values in one line', async () => {
    const bad = await runCli(['bench', 'frames.bulk', '--seeds', '0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toEqual([expect.stringMatching(/--seeds "0" must be an integer in 1\.\.1000/)]);
    const badIterations = await runCli(['bench', 'frames.bulk', '--iterations', 'x']);
    expect(badIterations.code).toBe(2);
    expect(badIterations.err[0]).toMatch(/--iterations "x"/);
  });
});
