// The FrameAllocator conformance suite. Every implementation runs it from its own tests:
//
//   frameAllocatorSuite('llfree', ({ frames, cores }) => LLFree.create({ frames, cores }));
//
// It checks the contract of api.ts: any order 0..maxOrder, natural alignment, no frame handed
// out twice, frees make frames reusable, freeFrames() consistent, errors as values that leave
// the state unchanged (Address for bad frees, Argument for bad orders/cores, Memory when
// exhausted).

import { describe, expect, it } from 'vitest';
import type { FrameAllocator, FrameAllocatorOptions } from '../api.js';
import { AllocError, Ok } from '../errors.js';
import { mulberry32 } from '../random.js';
import { MAX_ORDER } from '../units.js';
import { FrameOwnership } from './ownership.js';

export interface FrameAllocatorSuiteOptions {
  /** Frames of the allocator under test (default 2^15 = 128 MiB; a multiple of 2^maxOrder). */
  frames?: number;
  /** Cores (default 4). */
  cores?: number;
  /** Highest order to exercise (default MAX_ORDER = 10). */
  maxOrder?: number;
  /**
   * The allocator lets a caller free an aligned part of an allocated block (LLFree, Linux's
   * buddy after split_page), so a free inside a block is legal, not an Address error.
   */
  partialFrees?: boolean;
}

export function frameAllocatorSuite(
  name: string,
  create: (options: FrameAllocatorOptions) => FrameAllocator,
  options: FrameAllocatorSuiteOptions = {},
): void {
  const frames = options.frames ?? 1 << 15;
  const cores = options.cores ?? 4;
  const maxOrder = options.maxOrder ?? MAX_ORDER;
  const make = () => create({ frames, cores });

  /** Allocates order-0 frames round-robin over cores until Memory; returns them. */
  const exhaust = (alloc: FrameAllocator, owner: FrameOwnership): number[] => {
    const got: number[] = [];
    for (let i = 0; ; i++) {
      const frame = alloc.get(i % cores, 0);
      if (frame === AllocError.Memory) return got;
      if (frame < 0) expect.fail(`get(${i % cores}, 0) #${i} returned error ${frame}`);
      owner.claim(frame, 0);
      got.push(frame);
    }
  };

  describe(`FrameAllocator conformance: ${name}`, () => {
    it('reports its configuration with every frame free', () => {
      const alloc = make();
      expect(alloc.totalFrames()).toBe(frames);
      expect(alloc.freeFrames()).toBe(frames);
      expect(alloc.cores).toBe(cores);
      expect(alloc.maxOrder).toBeGreaterThanOrEqual(maxOrder);
      expect(alloc.metadataBytes()).toBeGreaterThan(0);
    });

    it('allocates every order aligned, and a free returns the block', () => {
      const alloc = make();
      for (let order = 0; order <= maxOrder; order++) {
        const size = 2 ** order;
        const frame = alloc.get(order % cores, order);
        expect(frame, `order ${order}`).toBeGreaterThanOrEqual(0);
        expect(frame % size, `alignment of order ${order}`).toBe(0);
        expect(frame + size).toBeLessThanOrEqual(frames);
        expect(alloc.isFree(frame, order)).toBe(false);
        expect(alloc.isFree(frame, 0)).toBe(false);
        expect(alloc.freeFrames()).toBe(frames - size);
        expect(alloc.put(order % cores, frame, order)).toBe(Ok);
        expect(alloc.isFree(frame, order)).toBe(true);
        expect(alloc.freeFrames()).toBe(frames);
      }
    });

    it('never hands out a frame twice and loses nothing (mixed orders, all cores)', () => {
      const alloc = make();
      const owner = new FrameOwnership(frames);
      const random = mulberry32(42);
      const orders = [0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 9, maxOrder];
      for (let step = 0; step < 4000; step++) {
        const core = Math.floor(random() * cores);
        if (owner.blocks.size > 0 && random() < 0.4) {
          const blocks = [...owner.blocks];
          const [frame, order] = blocks[Math.floor(random() * blocks.length)];
          expect(alloc.put(core, frame, order), `put(${core}, ${frame}, ${order})`).toBe(Ok);
          owner.release(frame, order);
        } else {
          const order = Math.min(orders[Math.floor(random() * orders.length)], maxOrder);
          const frame = alloc.get(core, order);
          if (frame === AllocError.Memory) continue;
          expect(frame, `get(${core}, ${order})`).toBeGreaterThanOrEqual(0);
          owner.claim(frame, order);
        }
        expect(alloc.freeFrames()).toBe(frames - owner.ownedFrames);
      }
      for (const [frame, order] of [...owner.blocks]) {
        expect(alloc.put(0, frame, order)).toBe(Ok);
        owner.release(frame, order);
      }
      expect(alloc.freeFrames()).toBe(frames);
    });

    it('hands out every frame before reporting Memory, and reuses a freed frame', () => {
      const alloc = make();
      const owner = new FrameOwnership(frames);
      const got = exhaust(alloc, owner);
      expect(got.length).toBe(frames);
      expect(alloc.freeFrames()).toBe(0);
      for (let core = 0; core < cores; core++) {
        expect(alloc.get(core, 0)).toBe(AllocError.Memory);
        expect(alloc.get(core, maxOrder)).toBe(AllocError.Memory);
      }
      expect(alloc.freeFrames()).toBe(0);
      const victim = got[got.length >> 1];
      expect(alloc.put(1 % cores, victim, 0)).toBe(Ok);
      expect(alloc.get(cores - 1, 0)).toBe(victim);
      for (const frame of got) {
        const status = alloc.put(0, frame, 0);
        if (status !== Ok) expect.fail(`put(0, ${frame}, 0) returned ${status}`);
      }
      expect(alloc.freeFrames()).toBe(frames);
      // Everything coalesced again: the largest order is available once more.
      const big = alloc.get(0, maxOrder);
      expect(big).toBeGreaterThanOrEqual(0);
    });

    it('reports Memory for an order no free run can satisfy (fragmented)', () => {
      const alloc = make();
      const owner = new FrameOwnership(frames);
      const got = exhaust(alloc, owner).sort((a, b) => a - b);
      for (const frame of got) if (frame % 2 === 0) expect(alloc.put(0, frame, 0)).toBe(Ok);
      expect(alloc.freeFrames()).toBe(frames / 2);
      for (let core = 0; core < cores; core++) expect(alloc.get(core, 1)).toBe(AllocError.Memory);
      expect(alloc.freeFrames()).toBe(frames / 2);
    });

    it('rejects bad frees with Address and changes nothing', () => {
      const alloc = make();
      const owner = new FrameOwnership(frames);
      const small = alloc.get(0, 0);
      const mid = alloc.get(1 % cores, 2);
      owner.claim(small, 0);
      owner.claim(mid, 2);
      const before = alloc.freeFrames();
      const bad: Array<[number, number, string]> = [
        [small, 0, 'unused'],
        [frames, 0, 'out of range (end)'],
        [-1, 0, 'negative'],
        [frames + 4096, 0, 'far out of range'],
        [mid + 1, 1, 'misaligned for its order'],
        [mid, 3, 'larger order than allocated'],
      ];
      if (!options.partialFrees) bad.push([mid + 1, 0, 'inside a block, not allocated alone']);
      // The first case frees a frame never handed out: pick one that is still free.
      let freeFrame = 0;
      while (owner.isOwned(freeFrame) || owner.isOwned(freeFrame + 1)) freeFrame += 2;
      bad[0] = [freeFrame, 0, 'never allocated'];
      for (const [frame, order, why] of bad) {
        expect(alloc.put(0, frame, order), `put(${frame}, ${order}): ${why}`).toBe(
          AllocError.Address,
        );
        expect(alloc.freeFrames(), why).toBe(before);
      }
      expect(alloc.isFree(small, 0)).toBe(false);
      expect(alloc.isFree(mid, 2)).toBe(false);
      // Double free: the second put fails and changes nothing.
      expect(alloc.put(0, small, 0)).toBe(Ok);
      expect(alloc.put(0, small, 0)).toBe(AllocError.Address);
      expect(alloc.freeFrames()).toBe(before + 1);
      expect(alloc.put(0, mid, 2)).toBe(Ok);
      expect(alloc.freeFrames()).toBe(frames);
      // Still fully usable afterwards.
      expect(exhaust(alloc, new FrameOwnership(frames)).length).toBe(frames);
    });

    it('rejects bad orders and cores with Argument and changes nothing', () => {
      const alloc = make();
      const frame = alloc.get(0, 0);
      const before = alloc.freeFrames();
      for (const order of [-1, alloc.maxOrder + 1, 1.5, Number.NaN, 64]) {
        expect(alloc.get(0, order), `get order ${order}`).toBe(AllocError.Argument);
        expect(alloc.put(0, frame, order), `put order ${order}`).toBe(AllocError.Argument);
      }
      for (const core of [-1, cores, 0.5, Number.NaN]) {
        expect(alloc.get(core, 0), `get core ${core}`).toBe(AllocError.Argument);
        expect(alloc.put(core, frame, 0), `put core ${core}`).toBe(AllocError.Argument);
      }
      expect(alloc.freeFrames()).toBe(before);
      expect(alloc.put(0, frame, 0)).toBe(Ok);
      expect(alloc.freeFrames()).toBe(frames);
    });

    it('keeps freeFrames() consistent across drains and cross-core frees', () => {
      const alloc = make();
      const owner = new FrameOwnership(frames);
      for (let core = 0; core < cores; core++) {
        for (let i = 0; i < 300; i++) owner.claim(alloc.get(core, i % 3), i % 3);
      }
      const used = owner.ownedFrames;
      expect(alloc.freeFrames()).toBe(frames - used);
      for (let core = 0; core < cores; core++) alloc.drain(core);
      expect(alloc.freeFrames()).toBe(frames - used);
      let core = 0;
      for (const [frame, order] of [...owner.blocks]) {
        // Free on a different core than the one that allocated (round robin).
        expect(alloc.put(core, frame, order)).toBe(Ok);
        owner.release(frame, order);
        core = (core + 1) % cores;
      }
      expect(alloc.freeFrames()).toBe(frames);
      for (let c = 0; c < cores; c++) alloc.drain(c);
      expect(alloc.freeFrames()).toBe(frames);
    });
  });
}
