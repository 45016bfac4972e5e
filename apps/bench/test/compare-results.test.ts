// scripts/compare-results.mjs, the check that a refactor changes no number: two runs of the same
// sweep (different worker threads, folders, timestamps) compare identical; a changed value, a
// changed counter, a missing point or reordered points make it exit 1 and name the point; a
// missing or invalid file exits 2 with one line.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResultSet } from '../src/api.js';
import { runCli, tempDir } from './helpers.js';
import { runScript, type ScriptRun } from './run-script.js';

function compare(...args: string[]): ScriptRun {
  return runScript('compare-results.mjs', ...args);
}

const SWEEP = ['frames.bulk', '--systems', 'llfree', '--cores', '1,2', '--scale', '0.02'];
let dir: string;
let first: string;
let second: string;

/** Writes a copy of the first run's JSON, changed by `edit`, and returns its path. */
function edited(name: string, edit: (set: ResultSet) => void): string {
  const set = JSON.parse(readFileSync(first, 'utf8')) as ResultSet;
  edit(set);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(set));
  return path;
}

beforeAll(async () => {
  dir = tempDir('unimem-compare-');
  first = join(dir, 'first.json');
  second = join(dir, 'second');
  const a = await runCli([
    'bench',
    ...SWEEP,
    '--jobs',
    '1',
    '--out',
    join(dir, 'a'),
    '--json',
    first,
  ]);
  const b = await runCli(['bench', ...SWEEP, '--jobs', '2', '--out', second]);
  expect([a.code, b.code]).toEqual([0, 0]);
}, 120_000);

describe('compare-results', () => {
  it('finds two runs of the same sweep identical (a file and a folder)', () => {
    const run = compare(first, second);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^identical: 4 points \(ignored: meta\.startedAt,/);
  });

  it('fails on a changed number and names the point and both values', () => {
    const changed = edited('value.json', (set) => {
      set.points[1].value += 1e-9;
    });
    const run = compare(first, changed);
    expect(run.code).toBe(1);
    const point = JSON.parse(readFileSync(first, 'utf8')).points[1];
    expect(run.out).toContain(
      `frames.bulk / llfree / ${point.cores} cores / ${point.metric} (seed 1): value ${point.value} vs ${point.value + 1e-9}`,
    );
    expect(run.out).toMatch(/different: 1 difference \(/);
  });

  it('fails on a changed counter, a missing point, reordered points and a sweep field', () => {
    const counter = edited('counter.json', (set) => {
      set.points[0].counters.lineAccesses += 1;
    });
    expect(compare(first, counter).out).toMatch(/: counters\.lineAccesses \d+ vs \d+/);
    const missing = edited('missing.json', (set) => {
      set.points.pop();
    });
    expect(compare(first, missing)).toMatchObject({ code: 1, out: /only in A: frames\.bulk/ });
    const reordered = edited('reordered.json', (set) => {
      set.points.reverse();
    });
    expect(compare(first, reordered)).toMatchObject({ code: 1, out: /different order/ });
    const scale = edited('scale.json', (set) => {
      set.meta.sweep.scale = 0.5;
    });
    expect(compare(first, scale)).toMatchObject({
      code: 1,
      out: /meta\.sweep\.scale: 0\.02 vs 0\.5/,
    });
  });

  it('ignores what differs between runs, and fields named with --ignore', () => {
    const host = edited('host.json', (set) => {
      set.meta.host.hostname = 'elsewhere';
      set.meta.versions.git = 'abc';
      set.meta.finishedAt = '2000-01-01T00:00:00.000Z';
      set.points[0].ops += 1;
    });
    expect(compare(first, host).out).toMatch(/: ops \d+ vs \d+\ndifferent: 1 difference/);
    expect(compare(first, host, '--ignore', 'ops').code).toBe(0);
  });

  it('exits 2 with one line for a missing or invalid file', () => {
    const missing = compare(first, join(dir, 'nope.json'));
    expect(missing).toMatchObject({ code: 2, out: '' });
    expect(missing.err).toMatch(/^compare-results: ".*nope\.json" does not exist\n$/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"points": [');
    expect(compare(first, broken).err).toMatch(/^compare-results: cannot read result set .*\n$/);
    writeFileSync(broken, '{"points": []}');
    expect(compare(broken, first).err).toMatch(/is not a unimem result set: field "meta"/);
    expect(compare(first).code).toBe(2);
  });
});
