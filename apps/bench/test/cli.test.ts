// The contract of `unimem bench`, `merge` and `report`: the JSON fields, the files of a result
// folder, determinism (same seed → same points, whatever the number of worker threads), and that
// a sweep run as shards and merged equals the sweep run whole.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResultSet } from '../src/api.js';
import { type CliRun, runCli, SMALL, tempDir } from './helpers.js';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as ResultSet;

let whole: ResultSet;
let wholeRun: CliRun;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  wholeRun = await runCli([
    'bench',
    ...SMALL,
    '--jobs',
    '2',
    '--out',
    join(dir, 'whole'),
    '--json',
    join(dir, 'whole.json'),
  ]);
  expect(wholeRun.err.filter((l) => l.startsWith('unimem:'))).toEqual([]);
  expect(wholeRun.code).toBe(0);
  whole = read(join(dir, 'whole.json'));
}, 60_000);

describe('unimem bench', () => {
  it('writes points with the documented fields and a self-describing meta', () => {
    // 3 benchmarks x 3 core counts; bulk has two metrics.
    expect(whole.points).toHaveLength(3 * 4);
    for (const point of whole.points) {
      expect(Object.keys(point)).toEqual(
        expect.arrayContaining([
          'bench',
          'system',
          'cores',
          'metric',
          'value',
          'unit',
          'counters',
          'params',
          'seed',
          'order',
        ]),
      );
      expect(point.system).toBe('llfree');
      expect(point.unit).toBe('cycles/op');
      expect(point.value).toBeGreaterThan(0);
      expect(point.counters.lineAccesses).toBeGreaterThan(0);
      expect(point.seed).toBe(1);
      expect(point.order).toBe(0);
    }
    expect(new Set(whole.points.map((p) => p.bench))).toEqual(
      new Set(['frames.bulk', 'frames.repeat', 'frames.rand']),
    );
    const { meta } = whole;
    expect(meta.complete).toBe(true);
    expect(meta.sweep.profile.name).toBe('epyc-9654p-guest');
    expect(meta.sweep.seed).toBe(1);
    expect(meta.sweep.systems.map((s) => s.name)).toEqual(['llfree']);
    expect(meta.versions['@unimem/systems']).toMatch(/^\d+\.\d+\.\d+/);
    expect(meta.command).toContain('unimem bench --systems llfree --cores 1,2,4');
    expect(meta.host.cpus).toBeGreaterThan(0);
    expect(Date.parse(meta.finishedAt)).toBeGreaterThanOrEqual(Date.parse(meta.startedAt));
  });

  it('writes results.json, results.duckdb and report.html, and prints where the report is', async () => {
    const out = join(dir, 'whole');
    expect(read(join(out, 'results.json')).points).toEqual(whole.points);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
    expect(wholeRun.out.some((l) => l.startsWith('report:') && l.endsWith('report.html'))).toBe(
      true,
    );
    const instance = await DuckDBInstance.create(join(out, 'results.duckdb'), {
      access_mode: 'READ_ONLY',
    });
    const connection = await instance.connect();
    const runs = await connection.runAndReadAll('SELECT sweep_id, complete, profile FROM runs');
    expect(runs.getRowObjects()).toEqual([
      { sweep_id: whole.meta.sweep.id, complete: true, profile: 'epyc-9654p-guest' },
    ]);
    const points = await connection.runAndReadAll(
      "SELECT count(*)::INTEGER AS n, sum(value) AS total FROM points WHERE counters->>'lineAccesses' IS NOT NULL",
    );
    const [row] = points.getRowObjects();
    expect(row.n).toBe(whole.points.length);
    expect(row.total).toBeCloseTo(
      whole.points.reduce((sum, p) => sum + p.value, 0),
      6,
    );
    connection.closeSync();
    instance.closeSync();
  });

  it('gives identical points for a fixed seed with 1 or 2 worker threads', async () => {
    const again = await runCli(['bench', ...SMALL, '--jobs', '1', '--out', join(dir, 'again')]);
    expect(again.code).toBe(0);
    expect(read(join(dir, 'again', 'results.json')).points).toEqual(whole.points);
  }, 60_000);

  it('gives different shuffles for a different seed', async () => {
    const run = await runCli([
      'bench',
      'frames.rand',
      '--cores',
      '4',
      '--scale',
      '0.02',
      '--seed',
      '7',
      '--out',
      join(dir, 'seed7'),
    ]);
    expect(run.code).toBe(0);
    const [other] = read(join(dir, 'seed7', 'results.json')).points;
    const same = whole.points.find((p) => p.bench === 'frames.rand' && p.cores === 4)!;
    expect(other.seed).toBe(7);
    expect(other.value).not.toBe(same.value);
  }, 60_000);

  it('shards and merge give the unsharded result set', async () => {
    const shards = [1, 2, 3].map((i) => join(dir, `shard${i}`));
    for (const [i, out] of shards.entries()) {
      const run = await runCli([
        'bench',
        ...SMALL,
        '--shard',
        `${i + 1}/3`,
        '--jobs',
        '1',
        '--out',
        out,
      ]);
      expect(run.code).toBe(0);
      const set = read(join(out, 'results.json'));
      expect(set.meta.shard).toEqual({ index: i + 1, count: 3 });
      expect(set.meta.selected).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].filter((c) => c % 3 === i));
    }
    const merged = await runCli(['merge', join(dir, 'merged'), ...shards]);
    expect(merged.err).toEqual([]);
    expect(merged.code).toBe(0);
    const set = read(join(dir, 'merged', 'results.json'));
    expect(set.points).toEqual(whole.points);
    expect(set.meta.complete).toBe(true);
    expect(set.meta.sweep).toEqual(whole.meta.sweep);
    expect(existsSync(join(dir, 'merged', 'report.html'))).toBe(true);
    expect(existsSync(join(dir, 'merged', 'results.duckdb'))).toBe(true);

    // What merge refuses, in one line each.
    const missing = await runCli(['merge', join(dir, 'bad1'), shards[0], shards[2]]);
    expect(missing.code).toBe(2);
    expect(missing.err).toHaveLength(1);
    expect(missing.err[0]).toMatch(
      /3 of 9 cases of sweep \w+ are missing: .*frames\.bulk\/llfree@2.*\(shards 2\/3\)/,
    );
    const duplicate = await runCli(['merge', join(dir, 'bad2'), ...shards, shards[1]]);
    expect(duplicate.code).toBe(2);
    expect(duplicate.err[0]).toMatch(/is in both ".*shard2" and ".*shard2"/);
    const foreign = await runCli(['merge', join(dir, 'bad3'), shards[0], join(dir, 'seed7')]);
    expect(foreign.code).toBe(2);
    expect(foreign.err[0]).toMatch(/is from sweep \w+, not \w+ .*\(seed 1 vs 7\)/);
    for (const bad of ['bad1', 'bad2', 'bad3']) expect(existsSync(join(dir, bad))).toBe(false);
  }, 90_000);

  it('re-renders a report from a result folder', async () => {
    const run = await runCli(['report', join(dir, 'whole')]);
    expect(run.code).toBe(0);
    expect(run.out.at(-1)).toBe(`report: ${join(dir, 'whole', 'report.html')}`);
    expect(run.out.some((line) => line.startsWith('frames.bulk: alloc'))).toBe(true);
  });
});
