import { type FrameResult, ReferenceFrameAllocator } from '@unimem/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ChargedFrameAllocator,
  Ipis,
  Machine,
  PageSize,
  PageTable,
  TracedWords,
} from '../src/index.js';

const noCosts = { getSmall: 0, putSmall: 0, getHuge: 0, putHuge: 0, source: 'test' };

/**
 * A frame allocator whose code has no core parameter for its shared state, as LLFree: every get
 * and put is a fetch-and-add on a TracedWords counter (charging the bound core). `failNext`
 * makes the next get throw after that access, as a bug inside an allocator would.
 */
class TracedCountingFrames extends ReferenceFrameAllocator {
  private failAt = -1;
  private calls = 0;
  constructor(private readonly words: TracedWords) {
    super({ frames: 1024, cores: 16 });
  }
  override get(core: number, order: number): FrameResult {
    this.words.add(0, 1);
    if (++this.calls === this.failAt) throw new Error('allocator bug');
    return super.get(core, order);
  }
  failNext(): void {
    this.failAt = this.calls + 1;
  }
}

function setup() {
  const machine = new Machine({ cores: 16 });
  const words = new TracedWords(machine, new SharedArrayBuffer(64), 0, 16, 'count');
  const inner = new TracedCountingFrames(words);
  const frames = new ChargedFrameAllocator(inner, machine, noCosts);
  const accesses = machine.counters.define('lineAccesses');
  return { machine, words, inner, frames, accesses };
}

describe('CoreHandle', () => {
  it('is one object per core and rejects a core the machine does not have, naming it', () => {
    const machine = new Machine({ cores: 4 });
    expect(machine.core(3)).toBe(machine.core(3));
    expect(machine.core(3).core).toBe(3);
    for (const bad of [-1, 4, 1.5, Number.NaN]) {
      expect(() => machine.core(bad)).toThrow(new RangeError(`core ${bad} is out of range 0..3`));
    }
  });

  it("charges its own core's clock, counters and lines, whichever core is bound", () => {
    const machine = new Machine({ cores: 16 });
    const line = machine.lines.allocLines(1);
    const accesses = machine.counters.define('lineAccesses');
    const handle = machine.core(9);
    expect(machine.current).toBe(0);
    handle.charge(100);
    handle.rmw(line);
    handle.read(line);
    handle.count(accesses, 5);
    expect(machine.now(9)).toBe(
      100 + machine.costs.dram + machine.costs.atomicRmw + machine.costs.l1Hit,
    );
    expect(machine.counters.get(9, accesses)).toBe(2 + 5);
    expect(machine.now(0)).toBe(0);
    expect(machine.counters.get(0, accesses)).toBe(0);
    expect(machine.lines.ownerOf(line)).toBe(9);
  });

  it('binds for a call and restores the outer core; an unbalanced unbind throws', () => {
    const machine = new Machine({ cores: 8 });
    const outer = machine.core(2).bind();
    const inner = machine.core(5).bind();
    expect(machine.current).toBe(5);
    expect(() => machine.core(2).unbind(outer)).toThrow(/core 5 is bound where core 2 was/);
    machine.core(5).unbind(inner);
    machine.core(2).unbind(outer);
    expect(machine.current).toBe(0);
  });
});

describe('calls on behalf of a core', () => {
  it('a frame-allocator call for core k inside core 0s step charges core k (its shared words too)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 15 }), (k) => {
        const { machine, frames, accesses } = setup();
        machine.run(
          () =>
            (function* () {
              frames.get(k, 0);
              yield;
            })(),
          { cores: [0] },
        );
        // The traced fetch-and-add inside the allocator is k's, not the running core's.
        expect(machine.counters.get(k, accesses)).toBe(1);
        expect(machine.counters.get(0, accesses)).toBe(0);
        expect(machine.now(k)).toBeGreaterThan(0);
      }),
    );
  });

  it('an exception inside a call for core 5 leaves the outer core bound', () => {
    const { machine, inner, frames } = setup();
    inner.failNext();
    expect(() => frames.get(5, 0)).toThrow('allocator bug');
    expect(machine.current).toBe(0);

    // The page table binds its core for a map; the allocator under it throws.
    const table = new PageTable(machine, frames, { core: 1 });
    inner.failNext();
    expect(() => table.map(5, 0, 0, PageSize.Size4K, 0)).toThrow('allocator bug');
    expect(machine.current).toBe(0);

    // An IPI handler that throws on its target.
    const ipis = new Ipis(machine);
    expect(() =>
      ipis.shootdown(0, [5], () => {
        throw new Error('handler bug');
      }),
    ).toThrow('handler bug');
    expect(machine.current).toBe(0);
  });

  it('inside a run, a throwing call for another core restores the running core', () => {
    const { machine, inner, frames } = setup();
    inner.failNext();
    const seen: number[] = [];
    machine.run(
      () =>
        (function* () {
          try {
            frames.get(7, 0);
          } catch {
            seen.push(machine.current);
          }
          yield;
        })(),
      { cores: [3] },
    );
    expect(seen).toEqual([3]);
  });

  it('a bad core goes to the wrapped allocator, which rejects it as a value', () => {
    const { frames, machine } = setup();
    for (const bad of [-1, 16, 0.5, Number.NaN]) {
      expect(frames.get(bad, 0)).toBeLessThan(0);
    }
    expect(machine.current).toBe(0);
  });
});
