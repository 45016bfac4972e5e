// Runs that must not be lost: outputs that cannot be written are found before the first case
// (and /proc does not hang), a write that still fails at the end goes to a fallback folder that
// is named, merge refuses outputs that would overwrite a shard and shards whose points were
// edited, and option values that would fail deep inside a run are refused before it.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResultSet } from '../src/api.js';
import { main } from '../src/cli.js';
import { type CliRun, runCli, tempDir } from './helpers.js';

const TINY = ['frames.bulk', '--systems', 'llfree', '--cores', '1,2', '--scale', '0.02'];
const dir = tempDir();
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'x');

function expectOneLine(run: CliRun, message: RegExp) {
  expect(run.err).toHaveLength(1);
  expect(run.err[0]).toMatch(/^unimem: /);
  expect(run.err[0]).toMatch(message);
  expect(run.code).toBe(2);
  expect(run.progress).toBe('');
}

describe('outputs are checked before the first case', () => {
  it('refuses an --out folder under /proc at once instead of hanging in mkdir', async () => {
    const run = await runCli(['bench', ...TINY, '--out', '/proc/unimem-test/out']);
    expectOneLine(run, /--out "\/proc\/unimem-test\/out" cannot be created: mkdir .* failed/);
  });

  it('refuses an --out folder below a file and a --json file that cannot be written', async () => {
    expectOneLine(
      await runCli(['bench', ...TINY, '--out', join(aFile, 'out')]),
      /--out ".*a-file\/out" cannot be created: ".*a-file" is a file, not a folder/,
    );
    const out = join(dir, 'json-proc');
    const run = await runCli(['bench', ...TINY, '--out', out, '--json', '/proc/r.json']);
    expectOneLine(run, /--json "\/proc\/r\.json" is not writable/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a calibrate --json that cannot be written before calibrating', async () => {
    expectOneLine(
      await runCli(['calibrate', '--json', '/proc/unimem-calibration.json']),
      /--json "\/proc\/unimem-calibration\.json" is not writable/,
    );
    expectOneLine(
      await runCli(['calibrate', '--json', dir]),
      /--json ".*" is a folder, not a file/,
    );
  });

  it('writes the results to a named fallback folder when the write fails at the end', async () => {
    const out = join(dir, 'vanishing');
    const run: CliRun = { code: -1, out: [], err: [], progress: '' };
    run.code = await main(['bench', ...TINY, '--jobs', '1', '--out', out], {
      out: (line) => run.out.push(line),
      err: (line) => run.err.push(line),
      progress: {
        isTTY: false,
        write: (text) => {
          // After the first case, the checked folder becomes a file: the final write fails.
          if (run.progress === '') {
            rmSync(out, { recursive: true });
            writeFileSync(out, 'in the way');
          }
          run.progress += text;
        },
      },
      signal: new AbortController().signal,
    });
    expect(run.code).toBe(1);
    const line = run.err.find((l) => l.includes('cannot write the results'));
    expect(line).toMatch(
      /^unimem: cannot write the results to .*vanishing \(.*\); writing them to /,
    );
    const fallback = /writing them to (.*) instead$/.exec(line ?? '')?.[1] ?? '';
    const saved = JSON.parse(readFileSync(join(fallback, 'results.json'), 'utf8')) as ResultSet;
    expect(saved.meta.complete).toBe(true);
    expect(saved.points.map((p) => p.cores)).toEqual([1, 1, 2, 2]);
    rmSync(fallback, { recursive: true });
  }, 60_000);
});

describe('merge refuses what would lose or corrupt a shard', () => {
  const shard = (i: number) => join(dir, `shard-${i}`);
  const json = (i: number) => join(shard(i), 'results.json');
  let original: string;

  beforeAll(async () => {
    for (const i of [1, 2]) {
      const run = await runCli(['bench', ...TINY, '--shard', `${i}/2`, '--out', shard(i)]);
      expect(run.code).toBe(0);
    }
    original = readFileSync(json(1), 'utf8');
  }, 60_000);

  const edited = (edit: (set: ResultSet) => void) => {
    const set = JSON.parse(original) as ResultSet;
    edit(set);
    const path = join(dir, `edited-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(set));
    return path;
  };

  it('refuses OUT equal to an input, leaving the shard as it was', async () => {
    for (const out of [shard(1), `${shard(1)}/`, json(1)]) {
      const run = await runCli(['merge', out, shard(1), shard(2)]);
      expectOneLine(run, /merge: OUT ".*shard-1.*" is also the input ".*shard-1"; writing there/);
    }
    const run = await runCli(['merge', shard(2), json(1), shard(2)]);
    expectOneLine(run, /is also the input/);
    expect(readFileSync(json(1), 'utf8')).toBe(original);
  });

  it('refuses OUT that is a file, in one line', async () => {
    expectOneLine(
      await runCli(['merge', aFile, shard(1), shard(2)]),
      /merge: OUT ".*a-file" is a file, not a folder/,
    );
  });

  it('refuses a shard whose points were edited, duplicated or moved', async () => {
    const value = edited((set) => {
      set.points[0].value *= 2;
    });
    expectOneLine(
      await runCli(['merge', join(dir, 'm1'), value, shard(2)]),
      /edited-.*\.json": its points do not match the digest written with them/,
    );
    const duplicated = edited((set) => {
      set.points.push(set.points[0]);
      delete (set.meta as { pointsDigest?: string }).pointsDigest;
    });
    expectOneLine(
      await runCli(['merge', join(dir, 'm2'), duplicated, shard(2)]),
      /edited-.*\.json": points\[2\] \(frames\.bulk\/llfree@1 \w+\) appears twice/,
    );
    const moved = edited((set) => {
      set.points[0].case = 1;
      delete (set.meta as { pointsDigest?: string }).pointsDigest;
    });
    expectOneLine(
      await runCli(['merge', join(dir, 'm3'), moved, shard(2)]),
      /points\[0\] .* has case 1, which this result set did not run/,
    );
    const relabelled = edited((set) => {
      set.points[0].cores = 64;
      delete (set.meta as { pointsDigest?: string }).pointsDigest;
    });
    expectOneLine(
      await runCli(['merge', join(dir, 'm4'), relabelled, shard(2)]),
      /points\[0\] \(frames\.bulk\/llfree@64 .*\) does not match its case frames\.bulk\/llfree@1/,
    );
    for (const out of ['m1', 'm2', 'm3', 'm4']) expect(existsSync(join(dir, out))).toBe(false);
  });

  it('still merges the untouched shards', async () => {
    const run = await runCli(['merge', join(dir, 'merged'), shard(1), shard(2)]);
    expect(run.code).toBe(0);
    const merged = JSON.parse(readFileSync(join(dir, 'merged', 'results.json'), 'utf8'));
    expect(merged.meta.complete).toBe(true);
    expect(merged.points).toHaveLength(4);
  }, 60_000);
});

describe('option values that would fail inside a run', () => {
  it('refuses --scale above its limit before running, naming --scale', async () => {
    expectOneLine(
      await runCli(['bench', ...TINY.slice(0, -2), '--scale', '1e9', '--out', join(dir, 'big')]),
      /--scale "1e9" is above 64, the most the simulated memory allows/,
    );
  });

  it('parses a negative value as a value and rejects it with its range', async () => {
    expectOneLine(
      await runCli(['bench', '--scale', '-1']),
      /--scale "-1" must be a positive number/,
    );
    expectOneLine(
      await runCli(['bench', '--seed', '-1']),
      /--seed "-1" must be an integer in 0\.\.4294967295/,
    );
    expectOneLine(await runCli(['bench', '--jobs', '-2']), /--jobs "-2" must be an integer/);
  });

  it('warns when --jobs is above the host cores, and runs', async () => {
    const jobs = String(availableParallelism() + 1);
    const run = await runCli(['bench', ...TINY, '--jobs', jobs, '--out', join(dir, 'jobs')]);
    expect(run.code).toBe(0);
    expect(run.err[0]).toMatch(
      new RegExp(`^note: --jobs ${jobs} is more than the host's ${availableParallelism()} cores`),
    );
  }, 60_000);
});
