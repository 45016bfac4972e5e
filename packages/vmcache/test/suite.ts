// The buffer-pool correctness suite both back ends run (conformance style: no imports of a back
// end, only BufferManager.create with a backend name): pages are resident at most once and never
// beyond the pool, a latched page is never evicted, dirty pages are written back, every evicted
// page's mapping is gone from the page table and from every core's TLB, and after close() the
// memory system has every frame back.
import { PAGE_SIZE } from '@unimem/core';
import type { Program } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import {
  type BackendName,
  BufferManager,
  EVICTED,
  LOCKED,
  WorkloadGenerator,
} from '../src/index.js';
import { bootSystem, type SystemName, type TestSystem, translated } from './systems.js';

export interface PoolSetup {
  system: TestSystem;
  pool: BufferManager;
}

export function makePool(
  systemName: SystemName,
  backend: BackendName,
  cores: number,
  dataPages = 512,
  poolPages = 64,
): PoolSetup {
  const system = bootSystem(systemName, cores);
  const pool = BufferManager.create({
    machine: system.machine,
    memory: system.memory,
    backend,
    dataPages,
    poolPages,
    evictBatch: 16,
  });
  return { system, pool };
}

/** `ops` lookups per core of a workload; writes latch exclusively and dirty the page. */
export function lookups(
  { system, pool }: PoolSetup,
  workload: 'uniform' | 'zipf' | 'scan',
  ops: number,
  writeRatio = 0,
): (core: number) => Program {
  return (core) =>
    (function* () {
      const stream = new WorkloadGenerator({
        workload,
        pages: pool.dataPages,
        writeRatio,
        seed: core + 1,
        scanStart: core * 97,
      });
      for (let i = 0; i < ops; i++) {
        const pid = stream.next();
        if (stream.write) {
          const address = yield* pool.fixX(core, pid);
          expect(system.memory.touch(core, address, true)).toBe(0);
          pool.unfixX(core, pid, true);
        } else {
          yield* pool.optimisticRead(core, pid, (address) => {
            expect(system.memory.touch(core, address, false)).toBe(0);
          });
        }
        yield;
      }
    })();
}

/** Problems with TLBs: an evicted page some core's TLB still translates. */
export function staleTranslations({ system, pool }: PoolSetup): string[] {
  const problems: string[] = [];
  for (let pid = 0; pid < pool.dataPages; pid++) {
    if (pool.stateOf(pid) !== EVICTED) continue;
    for (let core = 0; core < system.machine.cores; core++) {
      if (system.kernel.tlb.holds(core, pool.addressOf(pid)) !== 0) {
        problems.push(`core ${core}'s TLB still holds evicted page ${pid}`);
      }
    }
  }
  return problems;
}

export function bufferPoolSuite(systemName: SystemName, backend: BackendName): void {
  describe(`buffer pool: ${backend} on ${systemName}`, () => {
    it('faults a page in on its first fix and keeps it resident while latched', () => {
      const setup = makePool(systemName, backend, 2);
      const { system, pool } = setup;
      system.machine.run((core) =>
        (function* () {
          if (core !== 0) return;
          const address = yield* pool.fixX(0, 7);
          expect(address).toBe(pool.addressOf(7));
          expect(pool.stateOf(7)).toBe(LOCKED);
          expect(system.memory.touch(0, address, true)).toBe(0);
          pool.unfixX(0, 7, true);
        })(),
      );
      expect(pool.stats()).toMatchObject({ pageIns: 1, evictions: 0, resident: 1 });
      expect(system.kernel.pageTable.translate(pool.addressOf(7))).toBeDefined();
      expect(pool.check(translated(system))).toEqual([]);
    });

    it('never holds more than the pool and keeps every invariant under 4 cores', () => {
      const setup = makePool(systemName, backend, 4);
      setup.system.machine.run(lookups(setup, 'uniform', 150, 0.3));
      const stats = setup.pool.stats();
      expect(stats.resident).toBeLessThanOrEqual(setup.pool.poolPages);
      expect(stats.evictions).toBeGreaterThan(0);
      expect(stats.pageIns - stats.evictions).toBe(stats.resident);
      expect(stats.writeBacks).toBeGreaterThan(0);
      expect(setup.pool.check(translated(setup.system))).toEqual([]);
      expect(staleTranslations(setup)).toEqual([]);
    });

    it('never evicts a page another core holds latched', () => {
      const setup = makePool(systemName, backend, 3);
      const { system, pool } = setup;
      let held = false;
      const churn = lookups(setup, 'scan', 200);
      system.machine.run((core) =>
        (function* () {
          if (core === 0) {
            yield* pool.fixS(0, 500);
            held = true;
            for (let i = 0; i < 40; i++) yield 50_000; // hold it while the others scan
            expect(pool.stateOf(500)).toBe(1);
            pool.unfixS(0, 500);
            return;
          }
          while (!held) yield 1000;
          yield* churn(core);
        })(),
      );
      expect(pool.stats().evictions).toBeGreaterThan(pool.poolPages);
      expect(pool.check(translated(system))).toEqual([]);
    });

    it('gives every frame back on close', () => {
      const system = bootSystem(systemName, 4);
      const before = system.memory.stats().freePhysBytes;
      const pool = BufferManager.create({
        machine: system.machine,
        memory: system.memory,
        backend,
        dataPages: 2048,
        poolPages: 100,
      });
      system.machine.run(lookups({ system, pool }, 'zipf', 120, 0.2));
      expect(system.memory.stats().freePhysBytes).toBeLessThan(before);
      pool.close(0);
      expect((before - system.memory.stats().freePhysBytes) / PAGE_SIZE).toBe(0);
      expect(() => pool.close(0)).toThrow(/twice/);
    });
  });
}
