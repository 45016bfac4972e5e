// fast-check over random operation sequences: per core a list of (page, kind) operations —
// optimistic read, shared fix, exclusive fix with or without a write — on a pool a few times
// smaller than the data; afterwards every invariant holds, the counts add up, and every page the
// sequence touched last on one core is resident right after that core's access.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../src/index.js';
import { makePool, staleTranslations } from './suite.js';
import { translated } from './systems.js';

const operation = fc.record({
  pid: fc.integer({ min: 0, max: 127 }),
  kind: fc.integer({ min: 0, max: 3 }),
});

describe.each(['posix', 'kernel-api'] as const)(
  'random operation sequences: %s',
  (backend: BackendName) => {
    it('keep the invariants', () => {
      fc.assert(
        fc.property(
          fc.array(fc.array(operation, { maxLength: 40 }), { minLength: 1, maxLength: 3 }),
          (programs) => {
            const setup = makePool('osv-superblock', backend, programs.length, 128, 24);
            const { system, pool } = setup;
            let accesses = 0;
            system.machine.run((core) =>
              (function* () {
                for (const { pid, kind } of programs[core]) {
                  if (kind === 0) {
                    yield* pool.optimisticRead(core, pid, (a) =>
                      expect(system.memory.touch(core, a, false)).toBe(0),
                    );
                  } else if (kind === 1) {
                    const a = yield* pool.fixS(core, pid);
                    expect(system.memory.touch(core, a, false)).toBe(0);
                    pool.unfixS(core, pid);
                  } else {
                    const a = yield* pool.fixX(core, pid);
                    expect(system.memory.touch(core, a, kind === 3)).toBe(0);
                    pool.unfixX(core, pid, kind === 3);
                  }
                  accesses++;
                  yield;
                }
              })(),
            );
            const stats = pool.stats();
            expect(stats.resident).toBeLessThanOrEqual(24);
            expect(stats.pageIns - stats.evictions).toBe(stats.resident);
            const distinct = new Set(programs.flat().map((op) => op.pid)).size;
            expect(stats.pageIns).toBeGreaterThanOrEqual(Math.min(distinct, 1));
            expect(stats.pageIns).toBeLessThanOrEqual(accesses);
            expect(pool.check(translated(system))).toEqual([]);
            expect(staleTranslations(setup)).toEqual([]);
          },
        ),
        { numRuns: 25, seed: 11 },
      );
    });
  },
);
