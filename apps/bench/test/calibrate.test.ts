// `unimem calibrate`: every registered calibration source runs its system's published
// single-core figures through the one calibration of @unimem/hw/frame-bench and prints one row
// per figure with its role (fitted or prediction); a source whose system is not registered (yet)
// is reported as skipped, not failed. (That fitted rows lie within 15 % at the calibration size
// is enforced by the linux and llfree calibration tests, which build the same allocators.)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRAME_ALLOCATORS } from '@unimem/systems';
import { expect, it } from 'vitest';
import type { CalibrationRow } from '../src/calibrate.js';
import { loadRegistry } from '../src/registry.js';
import { runCli, tempDir } from './helpers.js';

it('compares simulated single-core figures with the published ones', async () => {
  const registry = await loadRegistry();
  registry.addCalibrationSource({
    name: 'test-later-system',
    description: 'figures for a system that is not registered',
    system: 'buddy-later',
    published: FRAME_ALLOCATORS.buddy.published,
  });
  const json = join(tempDir(), 'calibration.json');
  const run = await runCli(['calibrate', '--scale', '0.01', '--json', json]);
  expect(run.code).toBe(0);
  expect(run.err).toContain('skipped test-later-system: system buddy-later is not registered');
  expect(run.out[0]).toMatch(
    /^allocator\s+bench\s+order\s+op\s+role\s+sim cycles\s+sim ns\s+published ns\s+ratio$/,
  );
  const { rows } = JSON.parse(readFileSync(json, 'utf8')) as { rows: CalibrationRow[] };
  const perSystem = [
    'bulk alloc o0',
    'bulk alloc o9',
    'bulk free o0',
    'bulk free o9',
    'rand free o0',
    'repeat pair o0',
    'repeat pair o9',
  ];
  for (const system of ['buddy', 'llfree']) {
    const mine = rows.filter((r) => r.allocator === system);
    expect(mine.map((r) => `${r.bench} ${r.op} o${r.order}`).sort()).toEqual(perSystem);
  }
  expect(rows).toHaveLength(2 * perSystem.length);
  expect(
    rows.filter((r) => r.role === 'prediction').map((r) => `${r.allocator} ${r.bench}`),
  ).toEqual(['buddy rand', 'llfree repeat', 'llfree repeat', 'llfree rand']);
  for (const row of rows) {
    expect(row.profile).toBe('xeon-gold-5320');
    expect(row.simulatedNs).toBeCloseTo(row.simulatedCycles / 2.2, 9);
    expect(row.ratio).toBeCloseTo(row.simulatedNs / row.publishedNs, 9);
    expect(row.ratio).toBeGreaterThan(0);
  }
  expect(run.out).toHaveLength(1 + rows.length);
}, 60_000);
