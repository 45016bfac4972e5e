// A deterministic multi-core stress in the model: 16 cores on a pool of 48 pages (3 per core)
// over 4096 pages, Zipf with 30 % writes, so that cores constantly evict each other's pages,
// wait for each other's latches and for the device. The same seed gives the same run, and every
// invariant holds at the end (no page resident twice, counts agree, no stale translation).
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../src/index.js';
import { lookups, makePool, staleTranslations } from './suite.js';
import { translated } from './systems.js';

function stress(backend: BackendName) {
  const setup = makePool('osv-superblock', backend, 16, 4096, 48);
  const result = setup.system.machine.run(lookups(setup, 'zipf', 60, 0.3));
  return { setup, result };
}

describe.each(['posix', 'kernel-api'] as const)('stress: 16 cores, %s', (backend) => {
  it('keeps every invariant and is deterministic', () => {
    const a = stress(backend);
    const stats = a.setup.pool.stats();
    expect(stats.evictions).toBeGreaterThan(100);
    expect(stats.latchWaits).toBeGreaterThan(0); // cores met each other's latches
    expect(a.setup.pool.check(translated(a.setup.system))).toEqual([]);
    expect(staleTranslations(a.setup)).toEqual([]);
    const b = stress(backend);
    expect(b.result.cycles).toBe(a.result.cycles);
    expect(b.setup.pool.stats()).toEqual(stats);
    expect(b.setup.system.machine.counters.totals()).toEqual(
      a.setup.system.machine.counters.totals(),
    );
  });
});
