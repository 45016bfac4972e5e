// The shared argument checks: what every allocator accepts as a core, an order, a frame block and
// a page range (each allocator's own tests check that it returns the documented error for them).

import { describe, expect, it } from 'vitest';
import { isCoreIndex, isFrameBlock, isOrderIn, isPageAlign, isPageRange } from '../src/index.js';

describe('argument checks', () => {
  it('isFrameBlock: aligned to the block size and inside 0..frames-1', () => {
    expect(isFrameBlock(0, 0, 1)).toBe(true);
    expect(isFrameBlock(1023, 0, 1024)).toBe(true);
    expect(isFrameBlock(512, 9, 1024)).toBe(true);
    expect(isFrameBlock(1024, 0, 1024)).toBe(false); // one past the end
    expect(isFrameBlock(512, 10, 1024)).toBe(false); // misaligned for order 10
    expect(isFrameBlock(768, 9, 1024)).toBe(false); // misaligned for order 9
    expect(isFrameBlock(0, 11, 1024)).toBe(false); // block larger than memory
    expect(isFrameBlock(-8, 3, 1024)).toBe(false);
    expect(isFrameBlock(0.5, 0, 1024)).toBe(false);
    expect(isFrameBlock(Number.NaN, 0, 1024)).toBe(false);
  });

  it('isCoreIndex, isOrderIn and isPageRange reject what lies outside their bounds', () => {
    expect([0, 3, 4, -1, 1.5].map((core) => isCoreIndex(core, 4))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect([0, 10, 11, -1].map((order) => isOrderIn(order, 10))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(isPageRange(4096, 8192, 4096, 12288)).toBe(true);
    expect(isPageRange(4096, 8192, 4096, 12287)).toBe(false);
    expect(isPageRange(4095, 4096, 0, 12288)).toBe(false);
  });

  it('isPageAlign: a power of two of at least 4 KiB that is a safe integer', () => {
    const good = [4096, 8192, 2 ** 21, 2 ** 30, 2 ** 31, 2 ** 40, 2 ** 52];
    const bad = [0, 2048, 4095, 12288, 3 * 2 ** 30, 2 ** 31 + 2 ** 12, 2 ** 53, 2 ** 60, 4096.5];
    expect(good.filter((align) => !isPageAlign(align))).toEqual([]);
    expect(bad.filter((align) => isPageAlign(align))).toEqual([]);
  });
});
