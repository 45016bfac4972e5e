// Bad input returns an error value and changes nothing (the whole state is compared before and
// after, including the simulated clocks); exhaustion returns Memory with the same free frames;
// misconfiguration throws a RangeError naming the bad value.

import { AllocError, MAX_ORDER, Ok } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { BuddyAllocator, type BuddySnapshot } from '../src/index.js';

const FRAMES = 4 * 1024 + 512 + 8;
const CORES = 2;

/** An allocator holding blocks of several orders (some on pcp lists already). */
function withBlocks(machine?: Machine) {
  const alloc = new BuddyAllocator({ frames: FRAMES, cores: CORES, machine });
  const blocks = [0, 0, 1, 3, 4, 9, 10].map(
    (order, i) => [alloc.get(i % CORES, order), order] as const,
  );
  for (const [frame] of blocks) expect(frame).toBeGreaterThanOrEqual(0);
  expect(alloc.put(1, blocks[1][0], 0)).toBe(Ok); // leave a frame on core 1's pcp list
  return { alloc, blocks: blocks.filter((_, i) => i !== 1), machine };
}

/** Byte-wise equality of every typed array and value of two snapshots (toEqual is slow on them). */
function sameState(a: BuddySnapshot, b: BuddySnapshot): boolean {
  const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return (Object.keys(a) as Array<keyof BuddySnapshot>).every((key) => {
    const x = a[key];
    const y = b[key];
    return typeof x === 'number' ? x === y : bytes(x).equals(bytes(y as ArrayBufferView));
  });
}

/** Runs `call`; it must return `expected` and leave state and clocks exactly as they were. */
function unchanged(
  alloc: BuddyAllocator,
  call: () => unknown,
  expected: unknown,
  machine?: Machine,
) {
  const before = alloc.snapshot();
  const clocks = machine?.clocks.slice();
  const stats = alloc.stats();
  expect(call()).toBe(expected);
  const after = alloc.snapshot();
  if (!sameState(before, after)) expect(after).toEqual(before);
  expect(alloc.stats()).toEqual(stats);
  if (machine) expect(Array.from(machine.clocks)).toEqual(Array.from(clocks!));
}

describe('bad input', () => {
  for (const simulated of [false, true]) {
    const mode = simulated ? 'simulated' : 'native';

    it(`rejects bad cores and orders with Argument (${mode})`, () => {
      const { alloc, blocks, machine } = withBlocks(
        simulated ? new Machine({ cores: CORES }) : undefined,
      );
      const [frame] = blocks[0];
      for (const core of [-1, CORES, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32]) {
        unchanged(alloc, () => alloc.get(core, 0), AllocError.Argument, machine);
        unchanged(alloc, () => alloc.put(core, frame, 0), AllocError.Argument, machine);
        unchanged(alloc, () => alloc.getAt(core, 2048, 0), AllocError.Argument, machine);
        unchanged(alloc, () => alloc.drain(core), undefined, machine);
      }
      for (const order of [-1, MAX_ORDER + 1, 2.5, Number.NaN, 32, 64]) {
        unchanged(alloc, () => alloc.get(0, order), AllocError.Argument, machine);
        unchanged(alloc, () => alloc.put(0, frame, order), AllocError.Argument, machine);
        unchanged(alloc, () => alloc.getAt(0, 0, order), AllocError.Argument, machine);
        unchanged(alloc, () => alloc.isFree(frame, order), false, machine);
      }
    });

    it(`rejects frees of frames not allocated as that block with Address (${mode})`, () => {
      const { alloc, blocks, machine } = withBlocks(
        simulated ? new Machine({ cores: CORES }) : undefined,
      );
      const [o3] = blocks.find(([, order]) => order === 3)!;
      const [o9] = blocks.find(([, order]) => order === 9)!;
      const [o10] = blocks.find(([, order]) => order === 10)!;
      const free = [...Array(FRAMES).keys()].find((f) => alloc.isFree(f, 0))!;
      const cases: Array<[number, number, string]> = [
        [FRAMES, 0, 'end'],
        [-1, 0, 'negative'],
        [2 ** 40, 0, 'far out of range'],
        [0.5, 0, 'fractional'],
        [Number.NaN, 0, 'NaN'],
        [FRAMES - 1, 1, 'runs past the end'],
        [4096, 10, 'order-10 block past the end'],
        [o3 + 1, 3, 'misaligned'],
        [o3, 2, 'smaller order than allocated'],
        [o3, 4, 'larger order than allocated'],
        [o3 + 4, 2, 'inside a block'],
        [o9 + 256, 8, 'upper half of a huge frame'],
        [o10 + 512, 9, 'half of an order-10 block'],
        [free, 0, 'free (never allocated)'],
      ];
      for (const [frame, order, why] of cases) {
        unchanged(alloc, () => alloc.put(0, frame, order), AllocError.Address, machine);
        expect(alloc.check(), why).toEqual([]);
      }
      // Double free: the first put succeeds, the second changes nothing.
      expect(alloc.put(0, o3, 3)).toBe(Ok);
      unchanged(alloc, () => alloc.put(1, o3, 3), AllocError.Address, machine);
    });

    it(`rejects bad getAt frames with Address and taken ones with Memory (${mode})`, () => {
      const { alloc, blocks, machine } = withBlocks(
        simulated ? new Machine({ cores: CORES }) : undefined,
      );
      const [o4] = blocks.find(([, order]) => order === 4)!;
      for (const [frame, order] of [
        [-1, 0],
        [FRAMES, 0],
        [3, 1],
        [Number.NaN, 0],
        [4096, 10],
      ]) {
        unchanged(alloc, () => alloc.getAt(0, frame, order), AllocError.Address, machine);
      }
      unchanged(alloc, () => alloc.getAt(0, o4, 4), AllocError.Memory, machine);
      unchanged(alloc, () => alloc.getAt(0, o4 + 8, 0), AllocError.Memory, machine);
    });
  }
});

describe('getAt', () => {
  it('takes an exact block out of a free buddy or pcp block and splits the rest back', () => {
    const alloc = new BuddyAllocator({ frames: 4096, cores: 2 });
    expect(alloc.getAt(0, 1000, 3)).toBe(1000);
    expect(alloc.isFree(1000, 3)).toBe(false);
    expect(alloc.isFree(992, 3) && alloc.isFree(1008, 3)).toBe(true);
    expect(alloc.freeFrames()).toBe(4096 - 8);
    const frame = alloc.get(1, 0); // refills core 1's pcp list with 63 frames
    expect(alloc.put(1, frame, 0)).toBe(Ok);
    const onPcp = (frame + 5) & ~1;
    expect(alloc.getAt(0, onPcp, 0)).toBe(onPcp); // a frame sitting on core 1's pcp list
    expect(alloc.check()).toEqual([]);
    expect(alloc.put(0, onPcp, 0)).toBe(Ok);
    expect(alloc.put(0, 1000, 3)).toBe(Ok);
    for (let core = 0; core < 2; core++) alloc.drain(core);
    expect(alloc.freeLists().buddy[MAX_ORDER]).toBe(4096);
    expect(alloc.check()).toEqual([]);
  });
});

describe('exhaustion', () => {
  it('returns Memory only after draining every pcp list, with the same free frames', () => {
    const alloc = new BuddyAllocator({ frames: 2048, cores: 2 });
    const held: number[] = [];
    for (let frame = alloc.get(0, 0); frame >= 0; frame = alloc.get(0, 0)) held.push(frame);
    expect(held.length).toBe(2048);
    // Core 1 frees 100 scattered frames: they sit on its pcp list (below high), invisible to the
    // buddy lists.
    held.sort((a, b) => a - b);
    for (let i = 0; i < 100; i++) expect(alloc.put(1, held[i * 16], 0)).toBe(Ok);
    expect(alloc.freeLists().pcp[1]).toBe(100);
    alloc.resetStats();
    // Core 0 gets them through the slow path's drain_all_pages().
    expect(alloc.get(0, 0)).toBeGreaterThanOrEqual(0);
    expect(alloc.stats().slowPaths).toBe(1);
    expect(alloc.freeLists().pcp[1]).toBe(0);
    // No order-6 run is free: Memory, and the set of free frames stays the same.
    const free = [...Array(2048).keys()].filter((f) => alloc.isFree(f, 0));
    expect(alloc.get(0, 6)).toBe(AllocError.Memory);
    expect([...Array(2048).keys()].filter((f) => alloc.isFree(f, 0))).toEqual(free);
    expect(alloc.check()).toEqual([]);
  });
});

describe('misconfiguration', () => {
  const base = { frames: 4096, cores: 2 };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['frames 0', () => new BuddyAllocator({ ...base, frames: 0 }), /frames 0/],
    ['frames 1.5', () => new BuddyAllocator({ ...base, frames: 1.5 }), /frames 1.5/],
    ['frames 2^31', () => new BuddyAllocator({ ...base, frames: 2 ** 31 }), /frames 2147483648/],
    ['cores 0', () => new BuddyAllocator({ ...base, cores: 0 }), /cores 0/],
    ['cores NaN', () => new BuddyAllocator({ ...base, cores: Number.NaN }), /cores NaN/],
    ['pcpBatch 0', () => new BuddyAllocator({ ...base, pcpBatch: 0 }), /pcpBatch 0/],
    ['pcpHigh -1', () => new BuddyAllocator({ ...base, pcpHigh: -1 }), /pcpHigh -1/],
    ['pcpHigh 2.5', () => new BuddyAllocator({ ...base, pcpHigh: 2.5 }), /pcpHigh 2.5/],
    [
      'tuning cpus 0',
      () => new BuddyAllocator({ ...base, tuning: { managedFrames: 4096, cpus: 0 } }),
      /cpus 0/,
    ],
    [
      'unknown cost',
      () => new BuddyAllocator({ ...base, costs: { lockCycles: 3 } as never }),
      /costs.lockCycles/,
    ],
    [
      'negative cost',
      () => new BuddyAllocator({ ...base, costs: { allocCycles: -1 } }),
      /costs.allocCycles -1/,
    ],
    [
      'machine too small',
      () => new BuddyAllocator({ ...base, cores: 4, machine: new Machine({ cores: 2 }) }),
      /cores 4 exceeds the machine's 2/,
    ],
  ];
  for (const [name, make, message] of cases) {
    it(`throws a RangeError for ${name}`, () => {
      expect(make).toThrow(RangeError);
      expect(make).toThrow(message);
    });
  }
});
