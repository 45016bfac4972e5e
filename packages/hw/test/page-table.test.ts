import { Errno, GiB, MiB, Ok, ReferenceFrameAllocator } from '@unimem/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Machine,
  type Mapping,
  NO_TRANSLATION,
  PageSize,
  PageTable,
  PteFlag,
  pteFlags,
  pteFrame,
} from '../src/index.js';

const { Size4K, Size2M, Size1G } = PageSize;
const RW = PteFlag.Writable;

function setup(frames = 4096) {
  const allocator = new ReferenceFrameAllocator({ frames, cores: 4 });
  const table = new PageTable(null, allocator);
  return { allocator, table };
}

/** Everything observable about a table, for "state unchanged" checks. */
function snapshot(table: PageTable, allocator: ReferenceFrameAllocator) {
  return {
    mappings: [...table.mappings()],
    tablePages: table.tablePages(),
    free: allocator.freeFrames(),
    mapped: table.mappedBytes(),
  };
}

describe('PageTable mappings', () => {
  it('maps and translates 4 KiB, 2 MiB and 1 GiB pages', () => {
    const { table } = setup();
    expect(table.map(0, 0x1000, 77, Size4K, RW)).toBe(Ok);
    expect(table.map(0, 4 * MiB, 1024, Size2M, RW)).toBe(Ok);
    expect(table.map(0, 3 * GiB, 262144, Size1G, 0)).toBe(Ok);

    expect(table.translate(0x1000 + 123)).toEqual({
      frame: 77,
      size: Size4K,
      flags: PteFlag.Present | RW,
    });
    expect(table.translate(4 * MiB + 5 * 4096 + 7)).toEqual({
      frame: 1029,
      size: Size2M,
      flags: PteFlag.Present | PteFlag.Huge | RW,
    });
    expect(table.translate(3 * GiB + 300 * MiB)?.frame).toBe(262144 + (300 * MiB) / 4096);
    expect(table.translate(0x2000)).toBeUndefined();
    expect(table.translate(6 * MiB)).toBeUndefined();
    expect(table.mappedBytes()).toBe(4096 + 2 * MiB + GiB);
    // PML4, one PDPT; 4 KiB: PD + PT; 2 MiB shares that PD; 1 GiB sits in the PDPT.
    expect(table.tablePages()).toBe(4);
  });

  it('rejects misaligned and out-of-range mappings leaving the state unchanged', () => {
    const { allocator, table } = setup();
    table.map(0, 0, 1, Size4K, RW);
    const before = snapshot(table, allocator);
    expect(table.map(0, 0x1800, 5, Size4K, RW)).toBe(Errno.EINVAL);
    expect(table.map(0, 4 * MiB + 4096, 512, Size2M, RW)).toBe(Errno.EINVAL);
    expect(table.map(0, 4 * MiB, 513, Size2M, RW)).toBe(Errno.EINVAL);
    expect(table.map(0, GiB, 512, Size1G, RW)).toBe(Errno.EINVAL);
    expect(table.map(0, 2 ** 48, 5, Size4K, RW)).toBe(Errno.EINVAL);
    expect(table.map(0, 8192, -1, Size4K, RW)).toBe(Errno.EINVAL);
    expect(table.map(0, 8192, 5, 8192 as PageSize, RW)).toBe(Errno.EINVAL);
    expect(table.map(0, 8192, 5, Size4K, 0x1000)).toBe(Errno.EINVAL);
    expect(snapshot(table, allocator)).toEqual(before);
  });

  it('rejects overlapping mappings of any size leaving the state unchanged', () => {
    const { allocator, table } = setup();
    expect(table.map(0, 2 * MiB, 512, Size2M, RW)).toBe(Ok);
    expect(table.map(0, 4 * MiB + 8192, 9, Size4K, RW)).toBe(Ok);
    expect(table.map(0, 2 * GiB, 2 * 262144, Size1G, RW)).toBe(Ok);
    const before = snapshot(table, allocator);
    expect(table.map(0, 2 * MiB + 4096, 3, Size4K, RW)).toBe(Errno.EEXIST); // inside 2 MiB
    expect(table.map(0, 2 * MiB, 1024, Size2M, RW)).toBe(Errno.EEXIST); // same 2 MiB
    expect(table.map(0, 4 * MiB, 1024, Size2M, RW)).toBe(Errno.EEXIST); // over a 4 KiB
    expect(table.map(0, 0, 0, Size1G, RW)).toBe(Errno.EEXIST); // over both
    expect(table.map(0, 2 * GiB + 6 * MiB, 0, Size2M, RW)).toBe(Errno.EEXIST); // inside 1 GiB
    expect(table.map(0, 4 * MiB + 8192, 10, Size4K, RW)).toBe(Errno.EEXIST); // same 4 KiB
    expect(snapshot(table, allocator)).toEqual(before);
  });

  it('unmaps the mapping containing an address and returns it', () => {
    const { table } = setup();
    table.map(0, 2 * MiB, 512, Size2M, RW);
    expect(table.unmap(0, 3 * MiB)).toEqual({
      va: 2 * MiB,
      frame: 512,
      size: Size2M,
      flags: PteFlag.Present | PteFlag.Huge | RW,
    });
    expect(table.unmap(0, 3 * MiB)).toBeUndefined();
    expect(table.translate(2 * MiB)).toBeUndefined();
  });

  it('protect replaces permission bits and keeps Present, Huge, Accessed and Dirty', () => {
    const { table } = setup();
    table.map(0, 2 * MiB, 512, Size2M, RW);
    table.walk(0, 2 * MiB, true);
    expect(table.protect(0, 2 * MiB + 4096, PteFlag.User | PteFlag.Soft1)).toBe(Ok);
    expect(table.translate(2 * MiB)?.flags).toBe(
      PteFlag.Present |
        PteFlag.Huge |
        PteFlag.Accessed |
        PteFlag.Dirty |
        PteFlag.User |
        PteFlag.Soft1,
    );
    expect(table.protect(0, 8 * MiB, 0)).toBe(Errno.EFAULT);
    expect(table.protect(0, 2 * MiB, 0x1000)).toBe(Errno.EINVAL);
  });
});

describe('PageTable table pages', () => {
  it('takes table pages from the frame allocator and gives all back after unmapping', () => {
    const { allocator, table } = setup();
    const start = allocator.freeFrames();
    // Spread over several PML4, PDPT and PD entries.
    const addresses = [0, 4096, 2 * MiB, GiB, 512 * GiB, 512 * GiB + 4096 * 511, 2 ** 47];
    for (const [i, va] of addresses.entries()) expect(table.map(0, va, i, Size4K, RW)).toBe(Ok);
    expect(start - allocator.freeFrames()).toBe(table.tablePages() - 1);
    expect(table.tablePages()).toBeGreaterThan(4);
    for (const va of addresses) expect(table.unmap(1, va)).toBeDefined();
    expect(allocator.freeFrames()).toBe(start);
    expect(table.tablePages()).toBe(1);
  });

  it('fails with ENOMEM on frame exhaustion and leaves the tables unchanged', () => {
    // 2 frames: the PML4 takes one; 4 KiB needs three more, 2 MiB two, 1 GiB one.
    const { allocator, table } = setup(2);
    const before = snapshot(table, allocator);
    expect(table.map(0, 0x1000, 1, Size4K, RW)).toBe(Errno.ENOMEM);
    expect(table.map(0, 0, 512, Size2M, RW)).toBe(Errno.ENOMEM);
    expect(snapshot(table, allocator)).toEqual(before);
    expect(table.map(0, 0, 0, Size1G, RW)).toBe(Ok);
    expect(allocator.freeFrames()).toBe(0);
  });

  it('destroy gives every table page back, the PML4 included', () => {
    const allocator = new ReferenceFrameAllocator({ frames: 64, cores: 1 });
    const start = allocator.freeFrames();
    const table = new PageTable(null, allocator);
    table.map(0, 0x5000, 1, Size4K, RW);
    table.map(0, 700 * GiB, 0, Size1G, RW);
    table.destroy();
    expect(allocator.freeFrames()).toBe(start);
    expect(table.tablePages()).toBe(0);
    expect(table.translate(0x5000)).toBeUndefined();
    expect(() => table.map(0, 0, 0, Size4K, RW)).toThrow(/destroy/);
  });

  it('throws when the allocator has no frame for the PML4', () => {
    const allocator = new ReferenceFrameAllocator({ frames: 1, cores: 1 });
    allocator.get(0, 0);
    expect(() => new PageTable(null, allocator)).toThrow(/PML4/);
  });
});

describe('PageTable prepare', () => {
  it('creates the path of tables a map then uses, and maps nothing', () => {
    const { allocator, table } = setup();
    expect(table.prepare(0, 0x1000, Size4K)).toBe(Ok);
    expect(table.tablePages()).toBe(4); // PML4, PDPT, PD, PT
    expect(table.translate(0x1000)).toBeUndefined();
    expect(table.mappedBytes()).toBe(0);
    const free = allocator.freeFrames();
    expect(table.map(0, 0x1000, 77, Size4K, RW)).toBe(Ok);
    expect(allocator.freeFrames()).toBe(free); // no table page taken by the map
    expect(table.prepare(0, 0x1000, Size4K)).toBe(Ok); // the path exists: nothing new
    expect(table.tablePages()).toBe(4);
  });

  it('rejects what map rejects, and leaves nothing behind on ENOMEM or EEXIST', () => {
    const { allocator, table } = setup(2);
    const before = snapshot(table, allocator);
    expect(table.prepare(0, 0x1000, Size4K)).toBe(Errno.ENOMEM); // needs three, one is left
    expect(table.prepare(0, 0x1001, Size4K)).toBe(Errno.EINVAL);
    expect(snapshot(table, allocator)).toEqual(before);
    expect(table.map(0, 0, 0, Size1G, RW)).toBe(Ok);
    const mapped = snapshot(table, allocator);
    expect(table.prepare(0, 2 * MiB, Size2M)).toBe(Errno.EEXIST); // the 1 GiB leaf covers it
    expect(snapshot(table, allocator)).toEqual(mapped);
  });
});

describe('PageTable mapRange (linear map)', () => {
  it('maps 500 GiB with 1 GiB pages in one PDPT, and a range across a PML4 boundary', () => {
    const { table } = setup();
    const base = 0x4000_0000_0000;
    expect(table.mapRange(0, base, 0, 500 * GiB, Size1G, RW)).toBe(Ok);
    expect(table.tablePages()).toBe(2);
    expect(table.translate(base + 499 * GiB + 12345)?.frame).toBe(
      Math.floor((499 * GiB + 12345) / 4096),
    );
    expect(table.translate(base + 500 * GiB)).toBeUndefined();
    expect(table.mappedBytes()).toBe(500 * GiB);
    // Straddling a PML4 entry (512 GiB) needs a second PDPT.
    expect(table.mapRange(0, 510 * GiB, 0, 4 * GiB, Size1G, RW)).toBe(Ok);
    expect(table.tablePages()).toBe(4);
  });

  it('maps with 2 MiB pages, one PD page per GiB', () => {
    const { table } = setup();
    expect(table.mapRange(0, 0, 0, 8 * GiB, Size2M, RW)).toBe(Ok);
    expect(table.tablePages()).toBe(1 + 1 + 8);
    for (const offset of [0, 2 * MiB - 1, 5 * GiB + 3 * MiB + 4096, 8 * GiB - 1]) {
      expect(table.translate(offset)?.frame).toBe(Math.floor(offset / 4096));
    }
    expect([...table.mappings()].length).toBe(4096);
  });

  it('maps nothing when the range overlaps a mapping or frames run out', () => {
    const { allocator, table } = setup();
    table.map(0, 3 * GiB + 6 * MiB, 0, Size2M, RW);
    const before = snapshot(table, allocator);
    expect(table.mapRange(0, 2 * GiB, 0, 2 * GiB, Size2M, RW)).toBe(Errno.EEXIST);
    expect(snapshot(table, allocator)).toEqual(before);
    expect(table.mapRange(0, 0, 0, 3 * MiB, Size2M, RW)).toBe(Errno.EINVAL);

    const small = setup(4); // PML4 + 3: PDPT, two PDs, then nothing for the third PD
    const smallBefore = snapshot(small.table, small.allocator);
    expect(small.table.mapRange(0, 0, 0, 3 * GiB, Size2M, RW)).toBe(Errno.ENOMEM);
    expect(snapshot(small.table, small.allocator)).toEqual(smallBefore);
  });
});

describe('PageTable against a model', () => {
  const sizes = [Size4K, Size2M, Size1G] as const;
  // Addresses cluster in a few 1 GiB regions (one across a PML4 boundary) so that mappings of
  // different sizes collide often.
  const regions = [0, GiB, 512 * GiB, 2 ** 47 - GiB];
  const address = fc
    .tuple(fc.nat(regions.length - 1), fc.nat(3), fc.nat(3))
    .map(([r, huge, small]) => regions[r] + huge * Size2M + small * Size4K);
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('map' as const),
      va: address,
      size: fc.constantFrom(...sizes),
      frame: fc.nat(1000),
      flags: fc.constantFrom(0, RW, RW | PteFlag.User | PteFlag.Soft2),
    }),
    fc.record({ kind: fc.constant('unmap' as const), va: address }),
  );

  function modelFind(model: Map<number, Mapping>, va: number): Mapping | undefined {
    for (const m of model.values()) if (va >= m.va && va < m.va + m.size) return m;
    return undefined;
  }

  it('map/unmap/translate agree with a Map of mappings; all table pages come back', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const { allocator, table } = setup();
        const start = allocator.freeFrames();
        const model = new Map<number, Mapping>();
        for (const o of ops) {
          if (o.kind === 'map') {
            const va = o.va - (o.va % o.size);
            const frame = o.frame * (o.size / 4096);
            const overlaps = [...model.values()].some(
              (m) => m.va < va + o.size && va < m.va + m.size,
            );
            const status = table.map(0, va, frame, o.size, o.flags);
            expect(status).toBe(overlaps ? Errno.EEXIST : Ok);
            const huge = o.size === Size4K ? 0 : PteFlag.Huge;
            if (!overlaps) {
              model.set(va, { va, frame, size: o.size, flags: o.flags | PteFlag.Present | huge });
            }
          } else {
            const expected = modelFind(model, o.va);
            expect(table.unmap(0, o.va)).toEqual(expected);
            if (expected) model.delete(expected.va);
          }
          for (const probe of [o.va, o.va + 4096, o.va + Size2M - 1]) {
            const m = modelFind(model, probe);
            const expected = m && {
              frame: m.frame + Math.floor((probe - m.va) / 4096),
              size: m.size,
              flags: m.flags,
            };
            expect(table.translate(probe)).toEqual(expected);
          }
        }
        expect([...table.mappings()]).toEqual([...model.values()].sort((a, b) => a.va - b.va));
        for (const m of model.values()) table.unmap(0, m.va);
        expect(allocator.freeFrames()).toBe(start);
        expect(table.tablePages()).toBe(1);
        expect(table.mappedBytes()).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('PageTable walk costs', () => {
  function simulated() {
    const machine = new Machine({ cores: 16 });
    const allocator = new ReferenceFrameAllocator({ frames: 4096, cores: 16 });
    const table = new PageTable(machine, allocator);
    return { machine, table };
  }

  it('charges at least pageWalkRef per level visited, to the walking core', () => {
    const { machine, table } = simulated();
    table.map(0, 0x1000, 42, Size4K, RW);
    table.map(0, 5 * GiB, 0, Size1G, RW);
    const ref = machine.costs.pageWalkRef;
    for (const [va, levels] of [
      [0x1000, 4],
      [5 * GiB + 7, 2],
    ]) {
      for (let i = 0; i < 2; i++) {
        const before = machine.now(2);
        const word = table.walk(2, va);
        expect(machine.now(2) - before).toBeGreaterThanOrEqual(levels * ref);
        expect(word).not.toBe(NO_TRANSLATION);
      }
    }
    expect(machine.counters.get(2, machine.counters.define('pageWalks'))).toBe(4);
    expect(machine.now(1)).toBe(0);
  });

  it('a walk of hot tables costs pageWalkRef per level; cold or remotely written ones more', () => {
    const { machine, table } = simulated();
    table.map(0, 0x1000, 42, Size4K, RW);
    const cost = (core: number, write = false) => {
      const before = machine.now(core);
      table.walk(core, 0x1000, write);
      return machine.now(core) - before;
    };
    const first = cost(1); // lines written by core 0 and A-bit RMW: transfers
    const hot = cost(1);
    expect(hot).toBe(4 * machine.costs.pageWalkRef);
    expect(first).toBeGreaterThan(hot);
    cost(9, true); // core 9, another CCD, sets Dirty: the PT line moves there
    expect(cost(1)).toBeGreaterThan(hot);
  });

  it('walk returns the translation word and sets Accessed, and Dirty on writable writes', () => {
    const { table } = setup();
    table.map(0, 4 * MiB, 1024, Size2M, RW);
    table.map(0, 0x3000, 7, Size4K, 0);
    const word = table.walk(0, 4 * MiB + 3 * 4096 + 1);
    expect(pteFrame(word)).toBe(1027);
    expect(pteFlags(word)).toBe(PteFlag.Present | PteFlag.Huge | RW | PteFlag.Accessed);
    expect(table.walkSize).toBe(Size2M);
    expect(pteFlags(table.walk(0, 4 * MiB, true)) & PteFlag.Dirty).toBe(PteFlag.Dirty);
    expect(pteFlags(table.walk(0, 0x3000, true)) & PteFlag.Dirty).toBe(0); // read-only page
    expect(table.walkSize).toBe(Size4K);
    expect(table.walk(0, 0x9000)).toBe(NO_TRANSLATION);
  });

  it('charges map and unmap to the given core and is deterministic', () => {
    const run = () => {
      const { machine, table } = simulated();
      table.map(3, 0x1000, 1, Size4K, RW);
      table.map(1, 0x2000, 2, Size4K, RW);
      table.walk(2, 0x1000);
      table.unmap(3, 0x1000);
      return [...machine.clocks];
    };
    const clocks = run();
    expect(clocks[0]).toBe(new Machine().costs.zeroPage); // the PML4
    expect(clocks[1]).toBeGreaterThan(0);
    expect(clocks[3]).toBeGreaterThan(clocks[1]); // core 3 also zeroed three table pages
    expect(run()).toEqual(clocks);
  });
});
