// Property tests against a reference model: random sequences of get / getAt / put / partial put
// / drain / bad calls over several cores and orders 0..10. After every step the counters agree
// with the bitfields (LLFree.check), no frame is owned twice, freeFrames() matches the model,
// and Memory is only reported when the model has no free aligned block of that order.

import { AllocError, Ok } from '@unimem/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LLFree } from '../src/index.js';
import { Model } from './model.js';

type Step =
  | { op: 'get'; core: number; order: number }
  | { op: 'getAt'; core: number; order: number; pick: number }
  | { op: 'put'; core: number; pick: number }
  | { op: 'partial'; core: number; pick: number; sub: number }
  | { op: 'drain'; core: number }
  | { op: 'doubleFree'; core: number; order: number; pick: number };

const order = fc.oneof(
  { weight: 6, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 8 }) },
  { weight: 2, arbitrary: fc.integer({ min: 9, max: 10 }) },
);
const pick = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

function steps(cores: number) {
  const core = fc.integer({ min: 0, max: cores - 1 });
  return fc.array(
    fc.oneof(
      { weight: 8, arbitrary: fc.record({ op: fc.constant('get' as const), core, order }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('getAt' as const), core, order, pick }) },
      { weight: 5, arbitrary: fc.record({ op: fc.constant('put' as const), core, pick }) },
      {
        weight: 2,
        arbitrary: fc.record({ op: fc.constant('partial' as const), core, pick, sub: pick }),
      },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('drain' as const), core }) },
      {
        weight: 1,
        arbitrary: fc.record({ op: fc.constant('doubleFree' as const), core, order, pick }),
      },
    ),
    { minLength: 1, maxLength: 80 },
  );
}

/** Applies one step to allocator and model; throws (via expect) on any disagreement. */
function apply(alloc: LLFree, model: Model, step: Step): void {
  const blocks = [...model.blocks];
  switch (step.op) {
    case 'get': {
      const frame = alloc.get(step.core, step.order);
      if (frame === AllocError.Memory) {
        expect(model.findFree(step.order), `Memory for order ${step.order}`).toBe(-1);
      } else {
        expect(model.claim(frame, step.order)).toBeUndefined();
      }
      break;
    }
    case 'getAt': {
      const size = 2 ** step.order;
      const frame = Math.floor((step.pick * model.frames) / size) * size;
      if (frame + size > model.frames) break;
      const result = alloc.getAt(step.core, frame, step.order);
      if (model.isFree(frame, step.order)) {
        expect(result).toBe(frame);
        expect(model.claim(frame, step.order)).toBeUndefined();
      } else {
        expect(result).toBe(AllocError.Memory);
      }
      break;
    }
    case 'put': {
      if (blocks.length === 0) break;
      const [frame, order] = blocks[Math.floor(step.pick * blocks.length)];
      expect(alloc.put(step.core, frame, order)).toBe(Ok);
      model.release(frame, order);
      break;
    }
    case 'partial': {
      // Free one aligned sub-block of an owned block (a page of a huge frame, half of a run).
      const large = blocks.filter(([, order]) => order > 0);
      if (large.length === 0) break;
      const [frame, order] = large[Math.floor(step.pick * large.length)];
      const sub = Math.floor(step.sub * order);
      model.split(frame, sub);
      const size = 2 ** sub;
      const part = frame + Math.floor(step.sub * 2 ** (order - sub)) * size;
      expect(alloc.put(step.core, part, sub)).toBe(Ok);
      model.release(part, sub);
      break;
    }
    case 'drain':
      alloc.drain(step.core);
      break;
    case 'doubleFree': {
      const frame = model.findFree(step.order, Math.floor(step.pick * model.frames));
      if (frame < 0) break;
      const before = new Int32Array(alloc.buffer).slice();
      expect(alloc.put(step.core, frame, step.order)).toBe(AllocError.Address);
      expect(new Int32Array(alloc.buffer)).toEqual(before);
      break;
    }
  }
}

function verify(alloc: LLFree, model: Model): void {
  expect(alloc.check()).toEqual([]);
  expect(alloc.freeFrames()).toBe(model.freeFrames);
}

const configs = [
  { frames: 3000, cores: 2, what: 'one small tree, partial tail child' },
  { frames: 40_000, cores: 3, what: 'three trees, one reservation kind' },
  { frames: 50_000, cores: 1, what: 'small and huge reservations (trees >= 3 * cores)' },
];

describe('LLFree against a reference model', () => {
  for (const { frames, cores, what } of configs) {
    it(`keeps counters, bitfields and the model in agreement: ${frames} frames, ${cores} cores (${what})`, () => {
      fc.assert(
        fc.property(steps(cores), (run) => {
          const alloc = LLFree.create({ frames, cores });
          const model = new Model(frames);
          for (const step of run) {
            apply(alloc, model, step);
            verify(alloc, model);
          }
          for (const [frame, order] of [...model.blocks]) {
            expect(alloc.put(0, frame, order)).toBe(Ok);
            model.release(frame, order);
          }
          verify(alloc, model);
          expect(alloc.freeFrames()).toBe(frames);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('reports Memory only when no aligned block is left (exhaustion by every order)', () => {
    fc.assert(
      fc.property(fc.array(order, { minLength: 1, maxLength: 12 }), (orders) => {
        const frames = 5000;
        const alloc = LLFree.create({ frames, cores: 2 });
        const model = new Model(frames);
        for (const o of orders) {
          for (;;) {
            const frame = alloc.get(o % 2, o);
            if (frame === AllocError.Memory) break;
            expect(model.claim(frame, o)).toBeUndefined();
          }
          expect(model.findFree(o)).toBe(-1);
          verify(alloc, model);
        }
      }),
      { numRuns: 25 },
    );
  });
});
