// Bad input returns an error value and changes nothing (the whole buffer is compared before and
// after); exhaustion returns Memory only after other cores' reservations were used up;
// misconfiguration throws a RangeError that names the bad value.

import { AllocError, Ok } from '@unimem/core';
import { describe, expect, it } from 'vitest';
import { LLFree, MAX_CORES, MAX_FRAMES } from '../src/index.js';

const FRAMES = 2 * 16_384 + 600;
const CORES = 2;

/** An allocator holding a few blocks: [frame, order] of each. */
function withBlocks() {
  const alloc = LLFree.create({ frames: FRAMES, cores: CORES });
  const blocks = [0, 3, 6, 7, 8, 9, 10].map((order) => [alloc.get(0, order), order] as const);
  for (const [frame] of blocks) expect(frame).toBeGreaterThanOrEqual(0);
  return { alloc, blocks };
}

/** Runs `call` and checks that it returned `expected` without changing a single word. */
function unchanged(alloc: LLFree, call: () => unknown, expected: unknown) {
  const before = new Int32Array(alloc.buffer).slice();
  expect(call()).toBe(expected);
  expect(new Int32Array(alloc.buffer)).toEqual(before);
}

describe('bad input', () => {
  it('rejects bad cores and orders with Argument', () => {
    const { alloc, blocks } = withBlocks();
    const [frame] = blocks[0];
    for (const core of [-1, CORES, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32]) {
      unchanged(alloc, () => alloc.get(core, 0), AllocError.Argument);
      unchanged(alloc, () => alloc.put(core, frame, 0), AllocError.Argument);
      unchanged(alloc, () => alloc.getAt(core, 100, 0), AllocError.Argument);
      unchanged(alloc, () => alloc.drain(core), undefined);
    }
    for (const order of [-1, 11, 2.5, Number.NaN, 32, 64]) {
      unchanged(alloc, () => alloc.get(0, order), AllocError.Argument);
      unchanged(alloc, () => alloc.put(0, frame, order), AllocError.Argument);
      unchanged(alloc, () => alloc.getAt(0, 0, order), AllocError.Argument);
      unchanged(alloc, () => alloc.isFree(frame, order), false);
    }
  });

  it('rejects frames out of range or misaligned with Address', () => {
    const { alloc, blocks } = withBlocks();
    const cases: Array<[number, number]> = [
      [FRAMES, 0],
      [-1, 0],
      [-512, 9],
      [2 ** 40, 0],
      [0.5, 0],
      [Number.NaN, 0],
      [FRAMES - 1, 1], // would run past the end
      [2 * 16_384, 10], // tail too short for a pair
      [blocks[1][0] + 1, 3], // misaligned
      [blocks[5][0] + 256, 9],
      [blocks[6][0] + 512, 10],
    ];
    for (const [frame, order] of cases) {
      unchanged(alloc, () => alloc.put(0, frame, order), AllocError.Address);
      unchanged(alloc, () => alloc.getAt(0, frame, order), AllocError.Address);
      unchanged(alloc, () => alloc.isFree(frame, order), false);
    }
  });

  it('rejects freeing free frames with Address, for every order', () => {
    const { alloc, blocks } = withBlocks();
    for (const [frame, order] of blocks) {
      expect(alloc.put(1, frame, order)).toBe(Ok);
      unchanged(alloc, () => alloc.put(1, frame, order), AllocError.Address);
      unchanged(alloc, () => alloc.put(0, frame, order), AllocError.Address);
    }
    expect(alloc.check()).toEqual([]);
    expect(alloc.freeFrames()).toBe(FRAMES);
  });

  it('rejects frees that do not match how frames were allocated', () => {
    const alloc = LLFree.create({ frames: FRAMES, cores: CORES });
    const small = alloc.get(0, 0);
    const huge = alloc.get(0, 9);
    const pair = alloc.get(0, 10);
    // A huge put over a child allocated by pages, a pair put over one huge child.
    unchanged(alloc, () => alloc.put(0, small - (small % 512), 9), AllocError.Address);
    const half = huge % 1024 === 0 ? huge : huge - 512;
    unchanged(alloc, () => alloc.put(0, half, 10), AllocError.Address);
    // A larger block than allocated, and multi-word blocks only partly allocated.
    unchanged(alloc, () => alloc.put(0, small - (small % 8), 3), AllocError.Address);
    unchanged(alloc, () => alloc.put(0, small - (small % 128), 7), AllocError.Address);
    expect(alloc.put(0, pair, 10)).toBe(Ok);
    expect(alloc.put(0, huge, 9)).toBe(Ok);
    expect(alloc.put(0, small, 0)).toBe(Ok);
    expect(alloc.check()).toEqual([]);
  });

  it('getAt reports a taken block as Memory and changes nothing', () => {
    const { alloc, blocks } = withBlocks();
    for (const [frame, order] of blocks) {
      unchanged(alloc, () => alloc.getAt(1, frame, order), AllocError.Memory);
      unchanged(alloc, () => alloc.getAt(1, frame, 0), AllocError.Memory);
    }
    const free = FRAMES - (FRAMES % 32) - 32;
    expect(alloc.getAt(1, free, 5)).toBe(free);
    expect(alloc.isFree(free, 0)).toBe(false);
    expect(alloc.check()).toEqual([]);
  });

  it('returns Memory only after taking over the other cores reservations', () => {
    const alloc = LLFree.create({ frames: FRAMES, cores: CORES });
    // Core 0 reserves a tree and takes a frame; core 1 then empties everything else.
    expect(alloc.get(0, 0)).toBeGreaterThanOrEqual(0);
    let taken = 1;
    while (alloc.get(1, 0) >= 0) taken++;
    expect(taken).toBe(FRAMES);
    expect(alloc.get(0, 0)).toBe(AllocError.Memory);
    expect(alloc.get(1, 10)).toBe(AllocError.Memory);
    expect(alloc.freeFrames()).toBe(0);
    expect(alloc.check()).toEqual([]);
  });
});

describe('misconfiguration', () => {
  it('throws a RangeError naming the bad value', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ frames: 1023, cores: 1 }, 'frames 1023'],
      [{ frames: 4096.5, cores: 1 }, 'frames 4096.5'],
      [{ frames: Number.NaN, cores: 1 }, 'frames NaN'],
      [{ frames: -4096, cores: 1 }, 'frames -4096'],
      [{ frames: MAX_FRAMES + 1, cores: 1 }, `frames ${MAX_FRAMES + 1}`],
      [{ frames: 4096, cores: 0 }, 'cores 0'],
      [{ frames: 4096, cores: 1.5 }, 'cores 1.5'],
      [{ frames: 4096, cores: MAX_CORES + 1 }, `cores ${MAX_CORES + 1}`],
      [{ frames: 4096, cores: 1, init: 'zeroed' }, 'init "zeroed"'],
    ];
    for (const [options, message] of bad) {
      expect(() => LLFree.create(options as never)).toThrow(RangeError);
      expect(() => LLFree.create(options as never)).toThrow(message);
    }
    expect(() => LLFree.metadataSize(100, 1)).toThrow('frames 100');
  });

  it('refuses to attach to a non-shared buffer or a typed array (a private copy would be a second allocator)', () => {
    const alloc = LLFree.create({ frames: 16_384, cores: 1 });
    const copy = new ArrayBuffer(alloc.buffer.byteLength);
    new Uint8Array(copy).set(new Uint8Array(alloc.buffer));
    expect(() => LLFree.attach(copy as unknown as SharedArrayBuffer)).toThrow(
      /not a SharedArrayBuffer/,
    );
    const view = new Int32Array(alloc.buffer);
    expect(() => LLFree.attach(view as unknown as SharedArrayBuffer)).toThrow(/typed array/);
    expect(() => LLFree.attach(view as unknown as SharedArrayBuffer)).toThrow(RangeError);
  });

  it('refuses to attach to a buffer that is not an LLFree buffer', () => {
    expect(() => LLFree.attach(new SharedArrayBuffer(4096))).toThrow(RangeError);
    const alloc = LLFree.create({ frames: 4096, cores: 1 });
    const truncated = new SharedArrayBuffer(256);
    new Int32Array(truncated).set(new Int32Array(alloc.buffer, 0, 64));
    expect(() => LLFree.attach(truncated)).toThrow(/smaller than/);
  });

  it('needs at most 0.01 % of managed memory for metadata (500 GiB, 96 cores)', () => {
    const frames = 131_072_000;
    const bytes = LLFree.metadataSize(frames, 96);
    expect(bytes / (frames * 4096)).toBeLessThan(0.0001);
    expect(bytes).toBeGreaterThan(frames / 8); // at least one bit per frame
  });
});
