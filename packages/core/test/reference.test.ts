import { describe, expect, it } from 'vitest';
import { AllocError, ReferenceFrameAllocator } from '../src/index.js';
import { frameAllocatorSuite } from '../src/testing/index.js';

frameAllocatorSuite('reference', (options) => new ReferenceFrameAllocator(options), {
  frames: 1 << 13,
});

describe('ReferenceFrameAllocator configuration', () => {
  it('throws a RangeError naming the bad value', () => {
    expect(() => new ReferenceFrameAllocator({ frames: 0, cores: 1 })).toThrow(/frames 0/);
    expect(() => new ReferenceFrameAllocator({ frames: 8, cores: 1.5 })).toThrow(/cores 1.5/);
    expect(() => new ReferenceFrameAllocator({ frames: 8, cores: 1, maxOrder: -1 })).toThrow(
      /maxOrder -1/,
    );
  });

  it('getAt takes exactly the requested block or fails without change', () => {
    const alloc = new ReferenceFrameAllocator({ frames: 64, cores: 1 });
    expect(alloc.getAt(0, 8, 3)).toBe(8);
    expect(alloc.getAt(0, 8, 0)).toBe(AllocError.Memory);
    expect(alloc.getAt(0, 4, 3)).toBe(AllocError.Address);
    expect(alloc.freeFrames()).toBe(56);
  });
});
