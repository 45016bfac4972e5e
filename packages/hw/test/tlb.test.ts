import { GiB, MiB, ReferenceFrameAllocator } from '@unimem/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Machine,
  NO_TRANSLATION,
  PageSize,
  PageTable,
  PteFlag,
  pteFrame,
  TLB_MISS,
  Tlb,
  type TlbOptions,
} from '../src/index.js';

const { Size4K, Size2M, Size1G } = PageSize;
const RW = PteFlag.Writable;

function setup(options: TlbOptions = {}) {
  const machine = new Machine({ cores: 4 });
  const allocator = new ReferenceFrameAllocator({ frames: 4096, cores: 4 });
  const table = new PageTable(machine, allocator);
  const tlb = new Tlb(machine, options);
  const counter = (name: string, core = 0) =>
    machine.counters.get(core, machine.counters.define(name));
  return { machine, table, tlb, counter };
}

describe('Tlb', () => {
  it('misses, fills from the walk, then hits in L1 for free', () => {
    const { machine, table, tlb, counter } = setup();
    table.map(0, 0x7000, 99, Size4K, RW);
    expect(tlb.lookup(0, 0x7000)).toBe(TLB_MISS);
    const word = tlb.translate(0, 0x7000 + 12, table);
    expect(pteFrame(word)).toBe(99);
    expect(counter('pageWalks')).toBe(1);
    const before = machine.now(0);
    expect(tlb.lookup(0, 0x7fff)).toBe(word);
    expect(machine.now(0)).toBe(before);
    expect(tlb.translate(0, 0x7000, table)).toBe(word);
    expect(counter('pageWalks')).toBe(1);
    expect(counter('tlbHits')).toBe(2);
    expect(counter('tlbMisses')).toBe(2);
    // Other cores have their own TLBs, even when they hold entries of their own.
    expect(tlb.holds(1, 0x7000)).toBe(0);
    table.map(0, 0x8000, 100, Size4K, RW);
    tlb.translate(1, 0x8000, table);
    expect(tlb.lookup(1, 0x7000)).toBe(TLB_MISS);
    expect(tlb.holds(1, 0x7000)).toBe(0);
  });

  it('a 2 MiB or 1 GiB entry covers its whole page', () => {
    const { table, tlb } = setup();
    table.map(0, 4 * MiB, 2048, Size2M, RW);
    table.map(0, 2 * GiB, 2 * 262144, Size1G, RW);
    tlb.translate(0, 4 * MiB, table);
    tlb.translate(0, 2 * GiB + 5, table);
    expect(pteFrame(tlb.lookup(0, 6 * MiB - 1))).toBe(2048 + 511);
    expect(pteFrame(tlb.lookup(0, 2 * GiB + 700 * MiB))).toBe(2 * 262144 + (700 * MiB) / 4096);
    expect(tlb.lookup(0, 6 * MiB)).toBe(TLB_MISS);
    expect(tlb.occupancy(0)).toEqual({ l1: 2, l2: 2 });
  });

  it('invlpg drops the entry covering an address and charges invlpg', () => {
    const { machine, table, tlb, counter } = setup();
    table.map(0, 0x1000, 1, Size4K, RW);
    table.map(0, 0x2000, 2, Size4K, RW);
    table.map(0, 4 * MiB, 2048, Size2M, RW);
    for (const va of [0x1000, 0x2000, 4 * MiB]) tlb.translate(0, va, table);
    const before = machine.now(0);
    tlb.invlpg(0, 0x1000);
    tlb.invlpg(0, 5 * MiB); // inside the 2 MiB page
    expect(machine.now(0) - before).toBe(2 * machine.costs.invlpg);
    expect(tlb.holds(0, 0x1000)).toBe(0);
    expect(tlb.holds(0, 4 * MiB)).toBe(0);
    expect(tlb.holds(0, 0x2000)).toBe(1);
    expect(counter('tlbInvlpgs')).toBe(2);
  });

  it('flushAll empties one core at once and charges tlbFlushFull', () => {
    const { machine, table, tlb, counter } = setup();
    for (let page = 0; page < 100; page++) table.map(0, page * 4096, page, Size4K, RW);
    for (let page = 0; page < 100; page++) {
      tlb.translate(0, page * 4096, table);
      tlb.translate(1, page * 4096, table);
    }
    const before = machine.now(0);
    tlb.flushAll(0);
    expect(machine.now(0) - before).toBe(machine.costs.tlbFlushFull);
    expect(tlb.occupancy(0)).toEqual({ l1: 0, l2: 0 });
    for (let page = 0; page < 100; page++) expect(tlb.lookup(0, page * 4096)).toBe(TLB_MISS);
    expect(tlb.holds(1, 0)).not.toBe(0);
    expect(counter('tlbFlushes')).toBe(1);
    // Entries filled after the flush are valid again.
    tlb.translate(0, 0, table);
    expect(tlb.holds(0, 0)).toBe(1);
  });

  it('evicts by capacity: L1 misses fall back to L2 at l2HitCycles, then to a walk', () => {
    const l1Entries = 8;
    const l2Entries = 32;
    const { machine, table, tlb, counter } = setup({ l1Entries, l2Entries, l2Ways: 4 });
    const pages = l2Entries * 2;
    for (let page = 0; page < pages; page++) table.map(0, page * 4096, page, Size4K, RW);
    for (let page = 0; page <= l1Entries; page++) tlb.translate(0, page * 4096, table);
    expect(tlb.holds(0, 0)).toBe(2); // evicted from L1 only
    const before = machine.now(0);
    expect(pteFrame(tlb.lookup(0, 0))).toBe(0);
    expect(machine.now(0) - before).toBe(machine.costs.l2Hit);
    expect(counter('tlbL2Hits')).toBe(1);
    expect(tlb.holds(0, 0)).toBe(1); // promoted
    for (let page = 0; page < pages; page++) tlb.translate(0, page * 4096, table);
    expect(tlb.holds(0, 0)).toBe(0);
    expect(tlb.occupancy(0)).toEqual({ l1: l1Entries, l2: l2Entries });
  });

  it('keeps the most recently used entries (LRU)', () => {
    const { table, tlb } = setup({ l1Entries: 4, l2Entries: 16, l2Ways: 16 });
    for (let page = 0; page < 5; page++) table.map(0, page * 4096, page, Size4K, RW);
    for (let page = 0; page < 4; page++) tlb.translate(0, page * 4096, table);
    tlb.lookup(0, 0); // page 0 becomes the most recent
    tlb.translate(0, 4 * 4096, table); // evicts page 1 from L1
    expect(tlb.holds(0, 0)).toBe(1);
    expect(tlb.holds(0, 4096)).toBe(2);
    expect(tlb.holds(0, 2 * 4096)).toBe(1);
  });

  it('re-walks a write through an entry that is writable but not yet Dirty', () => {
    const { table, tlb, counter } = setup();
    table.map(0, 0x1000, 1, Size4K, RW);
    tlb.translate(0, 0x1000, table);
    const word = tlb.translate(0, 0x1000, table, true);
    expect(word & PteFlag.Dirty).toBe(PteFlag.Dirty);
    expect(counter('pageWalks')).toBe(2);
    tlb.translate(0, 0x1000, table, true);
    expect(counter('pageWalks')).toBe(2);
    expect(tlb.translate(0, 0x9000, table)).toBe(NO_TRANSLATION);
  });

  it('rejects bad geometry naming the value', () => {
    const machine = new Machine({ cores: 1 });
    expect(() => new Tlb(machine, { l1Entries: 0 })).toThrow(/entries 0/);
    expect(() => new Tlb(machine, { l2Entries: 100, l2Ways: 16 })).toThrow(/ways 16/);
    const tlb = new Tlb(machine);
    expect(() => tlb.insert(0, 0, 8192 as PageSize, 0)).toThrow(/8192/);
  });

  it('lookup agrees with the page table whenever it hits (random accesses and invalidations)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('touch' as const), page: fc.nat(127), core: fc.nat(1) }),
      fc.record({ kind: fc.constant('invlpg' as const), page: fc.nat(127), core: fc.nat(1) }),
      fc.record({ kind: fc.constant('flush' as const), page: fc.constant(0), core: fc.nat(1) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const { table, tlb } = setup({ l1Entries: 8, l2Entries: 16, l2Ways: 4 });
        table.map(0, 0, 4096, Size2M, RW); // pages 0..511 of the first 2 MiB
        for (let page = 512; page < 640; page++) table.map(0, page * 4096, page, Size4K, RW);
        for (const o of ops) {
          const va = (o.page < 64 ? o.page : 512 + o.page) * 4096;
          if (o.kind === 'touch') tlb.translate(o.core, va, table);
          else if (o.kind === 'invlpg') tlb.invlpg(o.core, va);
          else tlb.flushAll(o.core);
          const hit = tlb.lookup(o.core, va);
          if (hit !== TLB_MISS) expect(pteFrame(hit)).toBe(table.translate(va)?.frame);
          const { l1, l2 } = tlb.occupancy(o.core);
          expect(l1).toBeLessThanOrEqual(8);
          expect(l2).toBeLessThanOrEqual(16);
        }
      }),
      { numRuns: 100 },
    );
  });
});
