// Decay behaviour: dirty pages are purged with madvise(DONTNEED) once they have aged past
// dirty_decay_ms on the clock, along the smootherstep curve, only when the ticker makes the arena
// look; frees of at least oversize_threshold are purged at once; the muzzy stage purges lazily
// first; decay 0 purges on every free, -1 never.

import { Advice, PAGE_SIZE } from '@unimem/core';
import { TestMemory } from '@unimem/core/testing';
import { describe, expect, it } from 'vitest';
import { H_STEPS, Jemalloc, type JemallocOptions, SMOOTHSTEP_NSTEPS } from '../src/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;

function setup(options: Partial<JemallocOptions> = {}) {
  const memory = new TestMemory({ cores: 2 });
  const time = { now: 0 };
  const je = new Jemalloc({ memory, clock: () => time.now, ...options });
  // A live 64-byte object keeps its slab, so the ticking malloc/free pairs free no pages.
  je.malloc(0, 64);
  /** `n` allocator operations on core 0 (each malloc and each free is one tick). */
  const ops = (n: number) => {
    for (let i = 0; i < n; i += 2) expect(je.free(0, je.malloc(0, 64))).toBe(0);
  };
  return { memory, time, je, ops };
}

/**
 * Allocates `count` blocks of `size` separated by live ones and frees them, leaving
 * non-adjacent dirty extents (adjacent large extents would coalesce). 2 × count operations.
 */
function freeScattered(je: Jemalloc, count: number, size = 64 * KiB) {
  const freed: number[] = [];
  const kept: number[] = [];
  for (let i = 0; i < count; i++) {
    freed.push(je.malloc(0, size));
    kept.push(je.malloc(0, size));
  }
  for (const ptr of freed) expect(je.free(0, ptr)).toBe(0);
  return { freed, kept };
}

const pageOf = (ptr: number) => Math.floor(ptr / PAGE_SIZE) * PAGE_SIZE;

describe('dirty decay', () => {
  it('purges with DONTNEED after dirty_decay_ms, when the ticker fires', () => {
    const { memory, time, je, ops } = setup();
    let ticks = 1; // the setup's malloc
    freeScattered(je, 50);
    ticks += 150;
    const dirty = je.stats().dirty;
    expect(dirty).toBe(50 * (64 * KiB + PAGE_SIZE));
    time.now = 0.2; // the first epoch advance after this records the pages in the backlog
    ops(2000);
    ticks += 2000;
    expect(je.stats().dirty).toBe(dirty);
    time.now = 10.4; // past 10 s plus at most one epoch of jitter
    let more = 0;
    while (memory.calls.dontneed === 0 && more < 1000) {
      ops(2);
      more += 2;
    }
    expect(more, 'a purge within one ticker period').toBeLessThanOrEqual(1000);
    // It happened exactly at a multiple of ARENA_DECAY_NTICKS_PER_UPDATE.
    expect((ticks + more) % 1000 < 2).toBe(true);
    const stats = je.stats();
    expect(stats.dirty).toBe(0);
    expect(memory.calls.dontneed).toBe(50);
    expect(stats.dirtyPurges.madvise).toBe(50);
    expect(stats.dirtyPurges.purgedPages * PAGE_SIZE).toBe(dirty);
    expect(stats.dontneedBytes).toBe(dirty);
    expect(stats.retained).toBeGreaterThanOrEqual(dirty);
    for (const call of memory.advice) expect(call.advice).toBe(Advice.DONTNEED);
  });

  it('follows the smootherstep curve: about half is purged after half the decay time', () => {
    const { time, je, ops } = setup({ decayTicks: 2 });
    freeScattered(je, 200);
    time.now = 0.2; // past the first deadline (an epoch of 50 ms plus jitter)
    ops(2); // recorded in the backlog's newest entry
    const dirty = je.stats().dirty;
    expect(H_STEPS[SMOOTHSTEP_NSTEPS / 2 - 1] / 2 ** 24).toBeCloseTo(0.5, 1);
    time.now = 5.2;
    ops(2);
    const left = je.stats().dirty / dirty;
    expect(left).toBeGreaterThan(0.4);
    expect(left).toBeLessThan(0.6);
    time.now = 7.7;
    ops(2);
    const later = je.stats().dirty / dirty;
    expect(later).toBeLessThan(left);
    expect(later).toBeGreaterThan(0.05);
    time.now = 10.3;
    ops(2);
    expect(je.stats().dirty).toBe(0);
  });

  it('purges the least recently freed extents first', () => {
    const { memory, time, je, ops } = setup({ decayTicks: 2 });
    const first = freeScattered(je, 20);
    time.now = 0.2;
    ops(2);
    time.now = 3;
    // A larger size, so these do not reuse the first batch's dirty extents.
    freeScattered(je, 20, 128 * KiB);
    time.now = 3.2;
    ops(2);
    time.now = 10.3; // the first batch has aged out; most of the second must go too
    ops(2);
    expect(memory.calls.dontneed).toBeGreaterThan(20);
    const firstPages = new Set(first.freed.map(pageOf));
    const order = memory.advice.map((call) => firstPages.has(call.addr));
    expect(order.slice(0, 20).every(Boolean), 'the older batch is purged first').toBe(true);
    expect(order.slice(20).some(Boolean)).toBe(false);
  });

  it('never purges with decay -1, and purges on every free with decay 0', () => {
    const never = setup({ dirtyDecayMs: -1 });
    freeScattered(never.je, 10);
    never.time.now = 1e6;
    never.ops(5000);
    never.je.decay(0);
    expect(never.memory.calls.madvise).toBe(0);
    expect(never.je.stats().dirty).toBeGreaterThan(0);

    const eager = setup({ dirtyDecayMs: 0 });
    const ptr = eager.je.malloc(1, 64 * KiB);
    expect(eager.je.free(1, ptr)).toBe(0);
    expect(eager.memory.calls.dontneed).toBe(1);
    expect(eager.je.stats().dirty).toBe(0);
  });

  it('purges everything on request (arena.<i>.purge)', () => {
    const { memory, je } = setup();
    freeScattered(je, 10);
    je.decay(0, true);
    expect(je.stats().dirty).toBe(0);
    expect(memory.calls.dontneed).toBe(10);
  });
});

describe('oversize frees', () => {
  it('purges a free of >= 8 MiB at once (the huge arena has decay 0)', () => {
    const { memory, je } = setup();
    const huge = je.malloc(1, 8 * MiB);
    expect(je.stats().arenas).toBe(2); // arena 0 (first use) and the huge arena
    expect(je.free(0, huge)).toBe(0);
    expect(memory.calls.dontneed).toBe(1);
    const call = memory.advice[0];
    expect(call.advice).toBe(Advice.DONTNEED);
    expect(call.length).toBe(8 * MiB + PAGE_SIZE);
    expect(huge - call.addr).toBeLessThan(PAGE_SIZE);
    expect(je.stats().dirty).toBe(0);
    // Just below the threshold: an ordinary arena, so the pages stay dirty.
    expect(je.free(0, je.malloc(0, 7 * MiB))).toBe(0);
    expect(memory.calls.dontneed).toBe(1);
    expect(je.stats().dirty).toBe(7 * MiB + PAGE_SIZE);
  });

  it('purges a dirty extent that coalesces up to the threshold in an ordinary arena', () => {
    const { memory, je } = setup({ oversizeThreshold: MiB });
    const blocks = [0, 1, 2, 3].map(() => je.malloc(0, 256 * KiB));
    const starts = blocks.map(pageOf);
    const adjacent = starts.slice(1).every((s, i) => s === starts[i] + 256 * KiB + PAGE_SIZE);
    expect(adjacent, 'consecutive large extents are carved back to back').toBe(true);
    for (const ptr of blocks.slice(0, 3)) expect(je.free(0, ptr)).toBe(0);
    expect(memory.calls.dontneed, '780 KiB coalesced: below the threshold').toBe(0);
    expect(je.free(0, blocks[3])).toBe(0);
    expect(memory.calls.dontneed).toBe(1);
    expect(memory.advice[0]).toMatchObject({
      addr: starts[0],
      length: 4 * (256 * KiB + PAGE_SIZE),
    });
    expect(je.stats().dirty).toBe(0);
  });

  it('keeps the huge arena off with oversizeThreshold 0', () => {
    const { memory, je } = setup({ oversizeThreshold: 0 });
    expect(je.free(0, je.malloc(0, 64 * MiB))).toBe(0);
    expect(memory.calls.madvise).toBe(0);
    expect(je.stats().arenas).toBe(1);
  });
});

describe('muzzy decay', () => {
  it('purges lazily with MADV_FREE first, then with DONTNEED', () => {
    const { memory, time, je, ops } = setup({ dirtyDecayMs: 1000, muzzyDecayMs: 1000 });
    freeScattered(je, 10);
    ops(1000);
    time.now = 0.01;
    ops(1000);
    time.now = 1.1;
    ops(1000);
    expect(memory.calls.free).toBe(10);
    expect(memory.calls.dontneed).toBe(0);
    let stats = je.stats();
    expect(stats.dirty).toBe(0);
    expect(stats.muzzy).toBe(10 * (64 * KiB + PAGE_SIZE));
    time.now = 1.2;
    ops(1000);
    time.now = 2.3;
    ops(1000);
    stats = je.stats();
    expect(stats.muzzy).toBe(0);
    expect(memory.calls.dontneed).toBe(10);
    expect(stats.muzzyPurges.madvise).toBe(10);
  });

  it('reuses muzzy extents for allocations before growing', () => {
    const { memory, time, je, ops } = setup({ dirtyDecayMs: 1000, muzzyDecayMs: 10_000 });
    freeScattered(je, 4);
    ops(1000);
    time.now = 0.01;
    ops(1000);
    time.now = 1.1;
    ops(1000);
    const muzzy = je.stats().muzzy;
    expect(muzzy).toBeGreaterThan(0);
    const mmaps = memory.calls.mmap;
    for (let i = 0; i < 4; i++) je.malloc(0, 64 * KiB);
    expect(je.stats().muzzy).toBe(0);
    expect(memory.calls.mmap).toBe(mmaps);
  });
});
