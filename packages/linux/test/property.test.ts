// Property tests against an ownership model: random get/put/drain sequences over cores and
// orders never hand out a frame twice, keep freeFrames() equal to the model, keep the internal
// invariants (check()), and once everything is freed and drained the buddy lists hold only
// maximal blocks again, so get(core, 10) succeeds. Natively and in the simulator.

import { AllocError, MAX_ORDER, Ok } from '@unimem/core';
import { FrameOwnership } from '@unimem/core/testing';
import { Machine } from '@unimem/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BuddyAllocator, type BuddyOptions } from '../src/index.js';

const FRAMES = 8192;
const CORES = 3;

type Op =
  | { kind: 'get'; core: number; order: number }
  | { kind: 'put'; core: number; pick: number }
  | { kind: 'drain'; core: number };

const orderArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0, 1, 2, 3, 9) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: MAX_ORDER }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('get' as const),
      core: fc.nat(CORES - 1),
      order: orderArb,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      core: fc.nat(CORES - 1),
      pick: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('drain' as const), core: fc.nat(CORES - 1) }),
  },
);

/** Runs `ops`, checking the model after each; then frees everything and checks coalescing. */
function runAgainstModel(options: BuddyOptions, ops: Op[]): void {
  const alloc = new BuddyAllocator(options);
  const owner = new FrameOwnership(options.frames);
  for (const op of ops) {
    if (op.kind === 'get') {
      const frame = alloc.get(op.core, op.order);
      if (frame === AllocError.Memory) {
        // Memory only when no free run of that order exists anywhere (pcp lists included).
        let possible = false;
        for (let f = 0; f + 2 ** op.order <= options.frames && !possible; f += 2 ** op.order) {
          possible = alloc.isFree(f, op.order);
        }
        expect(possible, `Memory for order ${op.order} although a block is free`).toBe(false);
      } else {
        expect(frame).toBeGreaterThanOrEqual(0);
        owner.claim(frame, op.order); // throws if handed out twice or misaligned
        expect(alloc.isFree(frame, op.order)).toBe(false);
      }
    } else if (op.kind === 'put') {
      if (owner.blocks.size === 0) continue;
      const blocks = [...owner.blocks];
      const [frame, order] = blocks[op.pick % blocks.length];
      expect(alloc.put(op.core, frame, order)).toBe(Ok);
      owner.release(frame, order);
      expect(alloc.isFree(frame, order)).toBe(true);
    } else {
      alloc.drain(op.core);
    }
    expect(alloc.freeFrames()).toBe(options.frames - owner.ownedFrames);
  }
  expect(alloc.check()).toEqual([]);
  for (const [frame, order] of [...owner.blocks]) {
    expect(alloc.put(0, frame, order)).toBe(Ok);
    owner.release(frame, order);
  }
  for (let core = 0; core < options.cores; core++) alloc.drain(core);
  expect(alloc.check()).toEqual([]);
  const lists = alloc.freeLists();
  expect(lists.pcp.every((pages) => pages === 0)).toBe(true);
  expect(lists.buddy[MAX_ORDER]).toBe(options.frames); // fully coalesced
  expect(alloc.get(CORES - 1, MAX_ORDER)).toBeGreaterThanOrEqual(0);
}

describe('buddy allocator against an ownership model', () => {
  it('natively, default pcp (batch 63, high 252)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) =>
        runAgainstModel({ frames: FRAMES, cores: CORES }, ops),
      ),
      { numRuns: 60 },
    );
  });

  it('natively, a small pcp that drains often (batch 3, high 12)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) =>
        runAgainstModel({ frames: 2048, cores: CORES, pcpBatch: 3, pcpHigh: 12 }, ops),
      ),
      { numRuns: 60 },
    );
  });

  it('in the simulator (charging a machine)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) =>
        runAgainstModel(
          { frames: FRAMES, cores: CORES, machine: new Machine({ cores: CORES }) },
          ops,
        ),
      ),
      { numRuns: 25 },
    );
  });

  it('near exhaustion: gets fail only when nothing of that order is free', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constant('get' as const),
            core: fc.nat(CORES - 1),
            order: orderArb,
          }),
          { minLength: 20, maxLength: 60 },
        ),
        fc.array(opArb, { maxLength: 200 }),
        (gets, ops) => runAgainstModel({ frames: 4096, cores: CORES }, [...gets, ...ops]),
      ),
      { numRuns: 40 },
    );
  });
});
