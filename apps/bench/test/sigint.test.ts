// Ctrl-C during a sweep: the CLI (a real child process) stops its workers, writes the points of
// the cases that finished, marks the result set incomplete and exits with 130.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { ResultSet } from '../src/api.js';
import { tempDir } from './helpers.js';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

it('SIGINT after the first case keeps the finished points, marked incomplete', async () => {
  const out = join(tempDir(), 'interrupted');
  // 12 cases of frames.bulk, each long enough (tens to hundreds of ms) that the sweep cannot end
  // between the first progress line and the signal.
  const cores = Array.from({ length: 12 }, (_, i) => i + 1).join(',');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      bin,
      'bench',
      'frames.bulk',
      '--systems',
      'llfree',
      '--cores',
      cores,
      '--scale',
      '0.5',
      '--jobs',
      '1',
      '--out',
      out,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  let signalled = false;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    if (!signalled && /\[1\/12\]/.test(stderr)) {
      signalled = true;
      child.kill('SIGINT');
    }
  });
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(signalled, stderr).toBe(true);
  expect(code, stderr).toBe(130);
  expect(stderr).toMatch(/interrupted: \d+ of 12 cases finished; partial results in /);

  const set = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultSet;
  const finished = new Set(set.points.map((p) => p.case));
  expect(finished.size).toBeGreaterThanOrEqual(1);
  expect(finished.size).toBeLessThan(12);
  expect(set.meta.complete).toBe(false);
  expect(set.meta.interrupted).toBe(true);
  expect(set.meta.missing.length).toBe(12 - finished.size);
  for (const point of set.points) expect(point.value).toBeGreaterThan(0);
  expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Incomplete:');
}, 60_000);
