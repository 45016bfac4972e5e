// Placement of traced threads on simulated cores (src/replay/placement.ts): the CPUs the capture
// recorded when its machine was as wide as the replay, else the busiest threads on distinct
// cores; and, through a whole replay, cross-thread frees between busy threads stay cross-core
// even when a thread's index would collide with another's under a plain `thread mod cores`.

import { GiB as GIB } from '@unimem/core';
import type { TraceEvent } from '@unimem/duckdb-driver/trace';
import { Machine } from '@unimem/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../src/registry.js';
import { placeThreads } from '../src/replay/placement.js';
import { TraceReplay } from '../src/replay/replayer.js';

const registry = await loadRegistry();
const CORES = 8;

function eventsOf(counts: readonly number[]): { thread: number }[] {
  return counts.flatMap((n, thread) => Array.from({ length: n }, () => ({ thread })));
}

describe('placeThreads', () => {
  it('gives the busiest threads distinct cores, the rest share (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(50), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 64 }),
        (counts, cores) => {
          const { rule, coreOf } = placeThreads(eventsOf(counts), counts.length, cores);
          expect(rule).toBe('busiest-first');
          expect([...coreOf].every((c) => c >= 0 && c < cores)).toBe(true);
          const ranked = counts
            .map((n, t) => [n, t])
            .sort((a, b) => b[0] - a[0] || a[1] - b[1])
            .map(([, t]) => t);
          const busiest = ranked.slice(0, cores).map((t) => coreOf[t]);
          expect(new Set(busiest).size).toBe(busiest.length);
        },
      ),
    );
  });

  it('uses the recorded CPUs when the capture machine was as wide as the replay', () => {
    const events = eventsOf([5, 9, 9, 1]);
    const cpus = [[3], [0, 2], [3], [7]];
    const wide = placeThreads(events, 4, 4, { cpus, machineCores: 8 });
    expect(wide.rule).toBe('recorded');
    expect([...wide.coreOf]).toEqual([3, 0, 3, 3]); // CPU 7 wraps onto core 3 of 4
    // captured on a 2-core machine: its CPUs say nothing about a 4-core placement
    const narrow = placeThreads(events, 4, 4, { cpus, machineCores: 2 });
    expect(narrow.rule).toBe('busiest-first');
    expect([...narrow.coreOf]).toEqual([2, 0, 1, 3]);
    // an active thread without recorded CPUs (only allocation events) → the fallback rule
    const partial = placeThreads(events, 4, 4, {
      cpus: [[3], undefined, [3], [7]],
      machineCores: 8,
    });
    expect(partial.rule).toBe('busiest-first');
  });

  it('rejects a core count that is not a positive integer', () => {
    expect(() => placeThreads([], 1, 0)).toThrow(/placement cores 0/);
  });
});

/**
 * Ten traced threads on eight cores: 0 and 8 nearly idle (like Node's main thread and a V8
 * helper), the other eight allocate; thread 9 frees thread 1's blocks. `thread mod 8` would put
 * 1 and 9 on one core and turn those cross-thread frees into same-core frees.
 */
function tenThreadTrace(): TraceEvent[] {
  const busy = [1, 2, 3, 4, 5, 6, 7, 9];
  const events: TraceEvent[] = [{ kind: 'marker', timeNs: 0, thread: 0, label: 'run1-start' }];
  let t = 1000;
  for (let round = 0; round < 20; round++) {
    busy.forEach((thread, i) => {
      const ptr = 0x7f0000000000 + (round * 16 + i) * 0x10000;
      events.push({ kind: 'alloc', timeNs: t + i, thread, heap: 2, ptr, size: 4096, align: 0 });
    });
    t += 1000;
    busy.forEach((thread, i) => {
      const ptr = 0x7f0000000000 + (round * 16 + i) * 0x10000;
      const freer = thread === 1 ? 9 : thread;
      events.push({ kind: 'free', timeNs: t + i, thread: freer, heap: 2, ptr, size: 0 });
    });
    t += 1000;
  }
  events.push({ kind: 'batch', timeNs: t, thread: 8, heap: 2, size: 32, count: 1 });
  events.push({ kind: 'marker', timeNs: t + 1, thread: 0, label: 'run1-end' });
  return events;
}

describe('replay placement', () => {
  it('keeps cross-thread frees between busy threads cross-core', () => {
    const machine = new Machine({ cores: CORES, seed: 1 });
    const preset = registry.system('osv-superblock').build({
      machine,
      cores: CORES,
      memoryBytes: 2 * GIB,
      seed: 1,
      boot: true,
    })['memory-system']!;
    const replay = new TraceReplay({
      machine,
      memory: preset.memory,
      malloc: preset.malloc,
      events: tenThreadTrace(),
      threads: 10,
    });
    const barrier = machine.barrier(CORES);
    machine.run((core) => replay.program(core, barrier), { cores: CORES });
    expect(replay.placement.rule).toBe('busiest-first');
    expect(replay.placement.coreOf[1]).not.toBe(replay.placement.coreOf[9]);
    expect(replay.heap?.counts.crossThreadFrees).toBe(20);
    expect(replay.heap?.counts.crossCoreFrees).toBe(20);
  });
});
