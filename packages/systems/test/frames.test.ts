// The frame-allocator table: every entry builds by name over the frames of the memory it is
// given, charges the machine it is built on, and hands out and takes back a frame; the entries
// the bench calibrates carry their component's published figures; unknown names get one clear
// error listing the allocators.

import { framesOf, MiB, Ok } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { publishedBuddy } from '@unimem/linux';
import { publishedLLFree } from '@unimem/llfree';
import { describe, expect, it } from 'vitest';
import {
  buildFrameAllocator,
  FRAME_ALLOCATOR_NAMES,
  FRAME_ALLOCATORS,
  type FrameAllocatorName,
} from '../src/index.js';

describe('the frame-allocator table', () => {
  it('names buddy, llfree and page-ranges, each with a description', () => {
    expect(FRAME_ALLOCATOR_NAMES).toEqual(['buddy', 'llfree', 'page-ranges']);
    for (const name of FRAME_ALLOCATOR_NAMES) {
      expect(FRAME_ALLOCATORS[name].description.length).toBeGreaterThan(20);
    }
  });

  it("carries the components' published figures for the allocators it calibrates", () => {
    expect(FRAME_ALLOCATORS.buddy.published).toBe(publishedBuddy);
    expect(FRAME_ALLOCATORS.llfree.published).toBe(publishedLLFree);
    expect('published' in FRAME_ALLOCATORS['page-ranges']).toBe(false);
  });

  it.each(FRAME_ALLOCATOR_NAMES)(
    '%s builds over the given memory and charges the machine',
    (name) => {
      const machine = new Machine({ cores: 2 });
      const frames = buildFrameAllocator(name, { machine, cores: 2, memoryBytes: 64 * MiB });
      expect(frames.totalFrames()).toBe(framesOf(64 * MiB));
      const charged = () => machine.clocks.reduce((sum, clock) => sum + clock, 0);
      const before = charged();
      const frame = frames.get(1, 0);
      expect(frame).toBeGreaterThanOrEqual(0);
      expect(charged()).toBeGreaterThan(before);
      expect(frames.put(1, frame, 0)).toBe(Ok);
    },
  );

  it('rejects an unknown name with a RangeError listing the allocators', () => {
    const machine = new Machine({ cores: 1 });
    expect(() =>
      buildFrameAllocator('slab' as FrameAllocatorName, {
        machine,
        cores: 1,
        memoryBytes: 8 * MiB,
      }),
    ).toThrow(/frame allocator "slab" is not one of buddy, llfree, page-ranges/);
  });
});
