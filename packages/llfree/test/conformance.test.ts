// The shared FrameAllocator contract, natively (NativeWords over a SharedArrayBuffer) and
// simulated (TracedWords charging a Machine for every access).
import { frameAllocatorSuite } from '@unimem/core/testing';
import { Machine, TracedWords } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { LLFree } from '../src/index.js';

const partialFrees = true;

frameAllocatorSuite('llfree', ({ frames, cores }) => LLFree.create({ frames, cores }), {
  partialFrees,
});
frameAllocatorSuite(
  'llfree (huge reservations: trees >= 3 * cores)',
  ({ frames, cores }) => LLFree.create({ frames, cores }),
  { frames: 49_152, cores: 1, partialFrees },
);
frameAllocatorSuite(
  'llfree (one tree, two cores)',
  ({ frames, cores }) => LLFree.create({ frames, cores }),
  { frames: 4096, cores: 2, partialFrees },
);
frameAllocatorSuite(
  'llfree (simulated: TracedWords)',
  ({ frames, cores }) => {
    const machine = new Machine({ cores });
    return LLFree.create({ frames, cores, words: (buffer) => new TracedWords(machine, buffer) });
  },
  { partialFrees },
);

describe('llfree in the hardware model', () => {
  it('charges the running core for every shared-word access', () => {
    const machine = new Machine({ cores: 2 });
    const llfree = LLFree.create({
      frames: 1 << 15,
      cores: 2,
      words: (buffer) => new TracedWords(machine, buffer),
    });
    const frames: number[] = [];
    machine.run((core) =>
      (function* () {
        for (let i = 0; i < 100; i++) {
          frames.push(llfree.get(core, 0));
          yield;
        }
      })(),
    );
    expect(new Set(frames).size).toBe(200);
    expect(Math.min(...frames)).toBeGreaterThanOrEqual(0);
    for (const core of [0, 1]) {
      expect(machine.now(core)).toBeGreaterThan(0);
      expect(machine.counters.perCore(core).lineAccesses).toBeGreaterThanOrEqual(300);
    }
  });
});
