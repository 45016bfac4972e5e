// `unimem calibrate`: every row of every registered calibration source is simulated at one core
// on the source's profile and compared with its published figure; rows for systems that are not
// registered (yet) are reported as skipped, not failed.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { CalibrationResult } from '../src/calibrate.js';
import { loadRegistry } from '../src/registry.js';
import { runCli, tempDir } from './helpers.js';

it('compares simulated single-core figures with the published ones', async () => {
  const registry = await loadRegistry();
  registry.addCalibrationSource({
    name: 'test-later-system',
    description: 'a row for a system that is not registered',
    profile: 'xeon-gold-5320',
    cores: 1,
    rows: [
      {
        bench: 'frames.bulk',
        system: 'buddy-later',
        metric: 'alloc',
        order: 0,
        publishedNs: 94,
        source: 'test',
      },
    ],
  });
  const json = join(tempDir(), 'calibration.json');
  const run = await runCli(['calibrate', '--scale', '0.01', '--json', json]);
  expect(run.code).toBe(0);
  expect(run.err).toContain(
    'skipped buddy-later frames.bulk alloc: system buddy-later is not registered',
  );
  expect(run.out[0]).toMatch(
    /^source\s+system\s+benchmark\s+order\s+metric\s+sim cycles\s+sim ns\s+published ns\s+ratio$/,
  );
  const { rows } = JSON.parse(readFileSync(json, 'utf8')) as { rows: CalibrationResult[] };
  const perSystem = [
    'frames.bulk alloc o0',
    'frames.bulk alloc o9',
    'frames.bulk free o0',
    'frames.bulk free o9',
    'frames.rand free o0',
    'frames.repeat pair o0',
    'frames.repeat pair o9',
  ];
  for (const system of ['buddy', 'llfree']) {
    const mine = rows.filter((r) => r.system === system);
    expect(mine.map((r) => `${r.bench} ${r.metric} o${r.order}`).sort()).toEqual(perSystem);
  }
  expect(rows).toHaveLength(2 * perSystem.length);
  for (const row of rows) {
    expect(row.profile).toBe('xeon-gold-5320');
    expect(row.simulatedNs).toBeCloseTo(row.simulatedCycles / 2.2, 9);
    expect(row.ratio).toBeCloseTo(row.simulatedNs / row.publishedNs, 9);
    expect(row.ratio).toBeGreaterThan(0);
  }
  expect(run.out).toHaveLength(1 + rows.length);
}, 60_000);
