// The model inside the hardware model: locks and lines are charged to the calling core, per-CPU
// arenas do not contend where a shared arena does, decay follows the machine's clock, runs are
// deterministic, and the same allocator runs over kernel-api's unikernel memory.

import { Advice } from '@unimem/core';
import { TestMemory } from '@unimem/core/testing';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { Jemalloc, type JemallocOptions } from '../src/index.js';
import { unikernel } from './unikernel.js';

const CORES = 4;

/** Each core: `ops` malloc/free pairs of `size` bytes, one pair per scheduler step. */
function churn(options: Partial<JemallocOptions>, size: number, ops = 200) {
  const machine = new Machine({ cores: CORES });
  const memory = new TestMemory({ cores: CORES });
  const je = new Jemalloc({ memory, machine, ...options });
  for (let core = 0; core < CORES; core++) je.malloc(core, size); // keeps a slab per bin
  const start = Array.from(machine.clocks);
  const result = machine.run((core) =>
    (function* () {
      for (let i = 0; i < ops; i++) {
        const ptr = je.malloc(core, size);
        if (ptr < 0) throw new Error(`malloc failed: ${ptr}`);
        je.free(core, ptr);
        yield;
      }
    })(),
  );
  const cycles = Array.from(machine.clocks, (clock, core) => clock - start[core]);
  return { je, machine, result, cyclesPerPair: cycles.reduce((a, b) => a + b) / (CORES * ops) };
}

describe('jemalloc on the simulated machine', () => {
  it('charges the calling core; per-CPU arenas do not contend, a shared arena does', () => {
    const percpu = churn({}, 64);
    expect(percpu.cyclesPerPair).toBeGreaterThan(0);
    expect(percpu.je.stats().lockContended).toBe(0);
    const shared = churn({ percpuArena: false, narenas: 1 }, 64);
    const stats = shared.je.stats();
    expect(stats.lockContended).toBeGreaterThan(0);
    expect(stats.lockWaitCycles).toBeGreaterThan(0);
    expect(shared.cyclesPerPair).toBeGreaterThan(2 * percpu.cyclesPerPair);
  });

  it('is deterministic', () => {
    const a = churn({ percpuArena: false, narenas: 2 }, 4096, 50);
    const b = churn({ percpuArena: false, narenas: 2 }, 4096, 50);
    expect(Array.from(a.machine.clocks)).toEqual(Array.from(b.machine.clocks));
    expect(a.je.stats()).toEqual(b.je.stats());
  });

  it('decays by the machine clock', () => {
    const machine = new Machine({ cores: 2 });
    const memory = new TestMemory({ cores: 2 });
    const je = new Jemalloc({ memory, machine, dirtyDecayMs: 10, decayTicks: 10 });
    je.malloc(0, 64);
    const freed = Array.from({ length: 8 }, () => [
      je.malloc(0, 64 * 1024),
      je.malloc(0, 64 * 1024),
    ]);
    for (const [ptr] of freed) je.free(0, ptr);
    const sleep = 2.4e9 * 0.002; // 2 ms at 2.4 GHz: past each 50 µs epoch's deadline
    machine.run(
      (core) =>
        (function* () {
          for (let step = 0; step < 10; step++) {
            for (let i = 0; i < 10; i++) je.free(core, je.malloc(core, 64));
            yield sleep;
          }
        })(),
      { cores: [0] },
    );
    expect(machine.seconds(machine.now(0))).toBeGreaterThan(0.01);
    expect(je.stats().dirty).toBe(0);
    expect(memory.calls.dontneed).toBe(8);
    expect(memory.advice.every((call) => call.advice === Advice.DONTNEED)).toBe(true);
  });

  it('runs over kernel-api UnikernelMemory: faults come from the application writes', () => {
    const { machine, memory } = unikernel(CORES);
    const je = new Jemalloc({ memory, machine });
    const before = memory.stats().populatedBytes;
    const ptrs = Array.from({ length: 64 }, (_, i) => je.malloc(i % CORES, 4096));
    const afterMalloc = memory.stats().populatedBytes;
    for (const [i, ptr] of ptrs.entries()) expect(memory.touch(i % CORES, ptr, true)).toBe(0);
    expect(memory.stats().populatedBytes).toBeGreaterThan(afterMalloc);
    expect(afterMalloc - before, 'only metadata pages were written by malloc').toBeLessThanOrEqual(
      je.stats().metadataMapped,
    );
    const huge = je.malloc(1, 16 * 1024 * 1024);
    expect(memory.touch(1, huge, true)).toBe(0);
    const populated = memory.stats().populatedBytes;
    expect(je.free(2, huge)).toBe(0);
    expect(memory.stats().populatedBytes).toBeLessThan(populated);
    for (const [i, ptr] of ptrs.entries()) expect(je.free((i + 1) % CORES, ptr)).toBe(0);
    expect(machine.now(1)).toBeGreaterThan(0);
  });
});
