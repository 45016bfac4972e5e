// Allocation replay (trace format 2): a small synthetic trace with malloc events — eight threads
// allocating and freeing 16 KiB blocks at the same times, some freed by another thread — goes
// through presets whose mallocs differ. Both see every call; original OSv's malloc_large
// takes the global page-range lock, so its cores wait for one another, while the optimized OSv's
// LLFree-backed blocks take no shared lock. Cross-thread frees stay cross-core, a free never
// overtakes its malloc, and everything is released at the end.

import { GiB } from '@unimem/core';
import type { TraceEvent } from '@unimem/duckdb-driver/trace';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../src/registry.js';
import { allocationDependencies, TraceReplay } from '../src/replay/replayer.js';

const registry = await loadRegistry();
const CORES = 8;
const ROUNDS = 40;
const SIZE = 16 * 1024;

function syntheticTrace(): TraceEvent[] {
  const events: TraceEvent[] = [{ kind: 'marker', timeNs: 0, thread: 0, label: 'run1-start' }];
  let t = 1000;
  for (let round = 0; round < ROUNDS; round++) {
    for (let thread = 0; thread < CORES; thread++) {
      const ptr = 0x7f0000000000 + (round * CORES + thread) * 0x100000;
      events.push({ kind: 'alloc', timeNs: t, thread, heap: 1, ptr, size: SIZE, align: 0 });
      events.push({ kind: 'fault', timeNs: t + 1, thread, addr: ptr + 8192, access: 2 });
    }
    t += 2000;
    for (let thread = 0; thread < CORES; thread++) {
      const ptr = 0x7f0000000000 + (round * CORES + thread) * 0x100000;
      // every fourth block is freed by the next thread (a cross-thread free)
      const freer = round % 4 === 0 ? (thread + 1) % CORES : thread;
      events.push({ kind: 'free', timeNs: t, thread: freer, heap: 1, ptr, size: 0 });
    }
    events.push({ kind: 'batch', timeNs: t + 1, thread: 0, heap: 2, size: 48, count: 3 });
    t += 2000;
  }
  events.push({ kind: 'marker', timeNs: t, thread: 0, label: 'run1-end' });
  return events.sort((a, b) => a.timeNs - b.timeNs);
}

function replayOn(systemName: string) {
  const machine = new Machine({ cores: CORES, seed: 1 });
  const parts = registry.system(systemName).build({
    machine,
    cores: CORES,
    memoryBytes: 2 * GiB,
    seed: 1,
    boot: true,
  });
  let booted = 0;
  for (let core = 0; core < CORES; core++) booted = Math.max(booted, machine.now(core));
  for (let core = 0; core < CORES; core++) machine.advanceTo(booted, core);
  const preset = parts['memory-system']!;
  const before = preset.memory.stats();
  const replay = new TraceReplay({
    machine,
    memory: preset.memory,
    malloc: preset.malloc,
    events: syntheticTrace(),
    threads: CORES,
  });
  const barrier = machine.barrier(CORES);
  machine.run((core) => replay.program(core, barrier), { cores: CORES });
  return { replay, before, after: preset.memory.stats() };
}

describe('tpch allocation replay', () => {
  const osv = replayOn('osv');
  const optimized = replayOn('osv-superblock');
  const withJemalloc = replayOn('osv+jemalloc');

  it('sends every traced call through the preset malloc', () => {
    for (const { replay } of [osv, optimized, withJemalloc]) {
      expect(replay.heap?.counts).toMatchObject({
        mallocCalls: ROUNDS * CORES,
        freeCalls: ROUNDS * CORES,
        batchedCalls: ROUNDS * 3,
        unknownFrees: 0,
        failedMallocs: 0,
        crossThreadFrees: (ROUNDS / 4) * CORES,
      });
      expect(replay.phase('run1-start')?.mallocCalls).toBe(ROUNDS * CORES + ROUNDS * 3);
      expect(replay.heap?.counts.allocationFaults).toBe(ROUNDS * CORES);
    }
  });

  it('shows lock wait where the malloc takes a shared lock and not where it does not', () => {
    const wait = (r: typeof osv) => r.replay.phase('run1-start')?.counters.lockWaitCycles ?? 0;
    expect(wait(osv)).toBeGreaterThan(0);
    expect(wait(osv)).toBeGreaterThan(10 * wait(optimized));
    expect(osv.replay.memoryCycles).toBeGreaterThan(optimized.replay.memoryCycles);
  });

  it('makes a +jemalloc preset differ from its base', () => {
    const run = (r: typeof osv) => r.replay.phase('run1-start')!;
    expect(run(withJemalloc).memoryCycles).not.toBe(run(osv).memoryCycles);
    // OSv's malloc_large hands out pre-mapped linear-map memory; jemalloc maps extents that fault
    expect(run(withJemalloc).counters.faults).toBeGreaterThan(run(osv).counters.faults ?? 0);
  });

  it('releases every allocation and mapping', () => {
    for (const { replay, before, after } of [osv, optimized]) {
      expect(replay.heap?.liveAllocations).toBe(0);
      expect(after.mappedBytes).toBe(before.mappedBytes);
    }
  });

  it('makes a cross-thread free wait for its malloc and a reuse for its free', () => {
    const events: TraceEvent[] = [
      { kind: 'alloc', timeNs: 1, thread: 0, heap: 2, ptr: 0x1000, size: 32, align: 0 },
      { kind: 'free', timeNs: 2, thread: 1, heap: 2, ptr: 0x1000, size: 0 },
      { kind: 'alloc', timeNs: 3, thread: 2, heap: 2, ptr: 0x1000, size: 32, align: 0 },
      { kind: 'free', timeNs: 4, thread: 2, heap: 2, ptr: 0x1000, size: 0 },
    ];
    expect([...allocationDependencies(events)]).toEqual([-1, 0, 1, -1]);
  });
});
