// Internal invariants after random operation sequences (reaching into the instance): every page
// the extent map registers belongs to the extent it names; every extent is registered at both
// ends and active slabs at every page; set members have their set's state, do not overlap, and
// muzzy/retained members never sit next to each other (they coalesce at once); and all mapped
// address space is accounted for by extents and base blocks.

import { PAGE_SIZE } from '@unimem/core';
import { TestMemory } from '@unimem/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Arena } from '../src/arena.js';
import type { Context } from '../src/context.js';
import { ExtentState } from '../src/extent.js';
import { Jemalloc, type JemallocOptions } from '../src/index.js';

const KiB = 1024;

interface Internals {
  ctx: Context;
  arenas: Array<Arena | undefined>;
}

function check(je: Jemalloc): void {
  const { ctx, arenas } = je as unknown as Internals;
  const { table, emap } = ctx;
  const leaves = (emap as unknown as { leaves: Map<number, { handles: Int32Array }> }).leaves;
  const registered = new Map<number, number[]>();
  for (const [key, leaf] of leaves) {
    leaf.handles.forEach((value, slot) => {
      if (value === 0) return;
      const handle = value - 1;
      const page = key * leaf.handles.length + slot;
      const addr = page * PAGE_SIZE;
      expect(addr >= table.addr(handle) && addr < table.end(handle), `page ${page}`).toBe(true);
      let pages = registered.get(handle);
      if (pages === undefined) registered.set(handle, (pages = []));
      pages.push(page);
    });
  }
  for (const [handle, pages] of registered) {
    const first = table.addr(handle) / PAGE_SIZE;
    const last = first + table.size(handle) / PAGE_SIZE - 1;
    expect(pages).toContain(first);
    expect(pages).toContain(last);
    if (table.slab(handle) === 1) expect(pages.length).toBe(last - first + 1);
    else expect(pages.length).toBeLessThanOrEqual(2);
  }
  let extentBytes = 0;
  const inSets = new Set<number>();
  for (const arena of arenas) {
    if (arena === undefined) continue;
    extentBytes += arena.extents.extentBytes;
    for (const cache of [arena.extents.dirty, arena.extents.muzzy, arena.extents.retained]) {
      const members = [...cache.set].sort((a, b) => table.addr(a) - table.addr(b));
      let pages = 0;
      members.forEach((handle, i) => {
        inSets.add(handle);
        expect(registered.has(handle), 'set member registered').toBe(true);
        expect(table.state(handle)).toBe(cache.set.state);
        expect(table.arena(handle)).toBe(arena.index);
        pages += table.size(handle) / PAGE_SIZE;
        if (i === 0) return;
        const prev = members[i - 1];
        expect(table.end(prev)).toBeLessThanOrEqual(table.addr(handle));
        if (!cache.delayCoalesce) expect(table.end(prev)).toBeLessThan(table.addr(handle));
      });
      expect(cache.set.npages).toBe(pages);
    }
  }
  let active = 0;
  for (const handle of registered.keys()) {
    if (inSets.has(handle)) continue;
    expect(table.state(handle), 'a registered extent is in a set or active').toBe(
      ExtentState.Active,
    );
    active += table.size(handle);
  }
  const stats = je.stats();
  expect(active).toBe(stats.active);
  expect(extentBytes + stats.metadataMapped).toBe(stats.mmapBytes);
}

const configs: Array<[string, Partial<JemallocOptions>]> = [
  ['thesis', {}],
  ['decay 0, 2 arenas', { dirtyDecayMs: 0, percpuArena: false, narenas: 2 }],
  ['muzzy, decay every tick', { dirtyDecayMs: 1, muzzyDecayMs: 2, decayTicks: 1 }],
  ['tcache, oversize 1 MiB', { tcache: true, oversizeThreshold: 1024 * KiB }],
];

describe('internal invariants', () => {
  for (const [name, options] of configs) {
    it(`hold after random sequences (${name})`, () => {
      const size = fc.oneof(
        fc.integer({ min: 0, max: 512 }),
        fc.integer({ min: 0, max: 64 * KiB }),
        fc.integer({ min: 0, max: 3 * 1024 * KiB }),
      );
      const step = fc.record({ core: fc.nat(3), free: fc.boolean(), pick: fc.nat(), size });
      fc.assert(
        fc.property(fc.array(step, { maxLength: 150 }), (steps) => {
          let now = 0;
          const je = new Jemalloc({
            memory: new TestMemory({ cores: 4 }),
            clock: () => (now += 0.001),
            ...options,
          });
          const live: number[] = [];
          for (const { core, free, pick, size } of steps) {
            if (free && live.length > 0) {
              expect(je.free(core, live.splice(pick % live.length, 1)[0])).toBe(0);
            } else {
              const ptr = je.malloc(core, size);
              expect(ptr).toBeGreaterThanOrEqual(0);
              live.push(ptr);
            }
          }
          check(je);
          je.decay(0, true);
          check(je);
        }),
        { numRuns: 15, seed: 7 },
      );
    });
  }
});
