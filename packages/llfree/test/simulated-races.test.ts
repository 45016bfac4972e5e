// LLFree in the hardware model races for real: cores that share trees lose CAS races on tree,
// child and bitfield words in simulated time and retry (issue 15, acceptance), and the allocator
// stays correct through those retries.

import type { Program } from '@unimem/hw';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { simulatedLLFree, TREE_FRAMES } from '../src/index.js';

function churn(cores: number, frames: number) {
  const machine = new Machine({ cores });
  const llfree = simulatedLLFree(machine, { frames, cores, kernel: 'unikernel' });
  const owner = new Int32Array(frames).fill(-1);
  let conflicts = 0;
  let outOfMemory = 0;
  machine.run(
    (core) =>
      (function* (): Program {
        const held: number[] = [];
        for (let i = 0; i < 60; i++) {
          const frame = llfree.get(core, 0);
          if (frame < 0) {
            outOfMemory++;
            yield;
            continue;
          }
          if (owner[frame] !== -1) conflicts++;
          owner[frame] = core;
          held.push(frame);
          yield;
          if (held.length > 8) {
            const freed = held.shift()!;
            owner[freed] = -1;
            expect(llfree.put(core, freed, 0)).toBe(0);
            yield;
          }
        }
      })(),
    { cores },
  );
  return { conflicts, outOfMemory, failures: machine.counters.totalOf('casFailures'), llfree };
}

describe('simulated LLFree under contention', () => {
  it('reports CAS failures at 64 cores on shared trees, and never hands a frame out twice', () => {
    // Eight trees for 64 cores: every tree is shared by about eight cores.
    const { conflicts, failures, llfree } = churn(64, 8 * TREE_FRAMES);
    expect(conflicts).toBe(0);
    expect(failures).toBeGreaterThan(0);
    expect((llfree.inner as unknown as { check(): string[] }).check()).toEqual([]);
  });

  it('reports none on one core', () => {
    expect(churn(1, 2 * TREE_FRAMES).failures).toBe(0);
  });

  // Regression: writes made before a run (the allocator's initialisation) must be visible to
  // every core of the run, whatever its clock; once they looked like future writes, and cores
  // whose clock was behind saw empty trees and reported Memory.
  it('never reports Memory while most frames are free', () => {
    expect(churn(64, 128 * TREE_FRAMES).outOfMemory).toBe(0);
  });
});
