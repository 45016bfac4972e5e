// The kernel-api back end's shootdown targets: with core sets ('tracked') an eviction batch IPIs
// only the cores that touched one of its pages; with 'all' every other core. Both leave no stale
// translation; tracking never sends more.
import { describe, expect, it } from 'vitest';
import { BufferManager } from '../src/index.js';
import { lookups, staleTranslations } from './suite.js';
import { bootSystem, translated } from './systems.js';

function run(shootdown: 'tracked' | 'all') {
  const system = bootSystem('osv-superblock', 8);
  const pool = BufferManager.create({
    machine: system.machine,
    memory: system.memory,
    backend: 'kernel-api',
    dataPages: 1024,
    poolPages: 64,
    evictBatch: 8,
    shootdown,
  });
  // Each core scans its own eighth of the data: pages are rarely shared between cores.
  system.machine.run(lookups({ system, pool }, 'scan', 80));
  return { system, pool, stats: pool.backendStats() };
}

describe('kernel-api shootdown targets', () => {
  it('tracked: only the cores that touched the batch; all: every other core', () => {
    const tracked = run('tracked');
    const all = run('all');
    for (const { system, pool } of [tracked, all]) {
      expect(pool.check(translated(system))).toEqual([]);
      expect(staleTranslations({ system, pool })).toEqual([]);
    }
    expect(all.stats.shootdownTargets).toBe(all.stats.shootdowns * 7);
    expect(tracked.stats.shootdownTargets / tracked.stats.shootdowns).toBeLessThan(7);
  });
});
