// The buffer layout (version 2): every tree counter alone on its 64-byte line, so that two cores
// working in different trees never write one line (no false sharing), checked both on the
// offsets and in the hardware model by the line transfers two cores cause on tree counters; a
// buffer of layout version 1 (counters packed 16 to a line) is refused with a clear error.

import { Machine, type Program, TracedWords } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { Layout, LLFree } from '../src/index.js';

const TREE_FRAMES = 16_384;

/** The 64-byte line of `word` when the buffer starts `misalign` bytes into a line. */
const lineOf = (word: number, misalign: number) => Math.floor((word * 4 + misalign) / 64);

describe('layout', () => {
  it('puts every tree counter on a line of its own, whatever the 16-byte alignment of the buffer', () => {
    const layout = new Layout(40 * TREE_FRAMES + 123, 3);
    // Every word that is not a tree counter: header, reservations, child entries.
    const others: number[] = [];
    for (let word = 0; word < layout.treeWords; word++) others.push(word);
    for (let word = layout.children; word < layout.bitfields; word++) others.push(word);
    for (const misalign of [0, 16, 32, 48]) {
      const lines = new Set<number>();
      for (let tree = 0; tree < layout.trees; tree++) {
        lines.add(lineOf(layout.treeWord(tree), misalign));
      }
      expect(lines.size).toBe(layout.trees);
      if (misalign === 0) {
        for (const word of others) expect(lines.has(lineOf(word, 0))).toBe(false);
      }
    }
    expect(layout.treeWord(layout.trees - 1)).toBeLessThan(layout.children);
  });

  it('costs one 64-byte line per 64 MiB tree (500 GiB, 96 cores: 6,960,448 + 512,000 bytes)', () => {
    const frames = 131_072_000; // 500 GiB, 8000 trees
    const bytes = LLFree.metadataSize(frames, 96);
    // header + 96 reservations of 128 B + per tree: its counter line, 32 child entries (64 B)
    // and 32 bitfields of 64 B.
    expect(bytes).toBe(64 + 96 * 128 + 8000 * (64 + 64 + 32 * 64));
  });

  it('refuses a buffer of layout version 1, naming the version', () => {
    const alloc = LLFree.create({ frames: 4 * TREE_FRAMES, cores: 2 });
    const words = new Int32Array(alloc.buffer);
    words[1] = 1; // the header's version word
    expect(() => LLFree.attach(alloc.buffer)).toThrow(RangeError);
    expect(() => LLFree.attach(alloc.buffer)).toThrow(/version 1 is not supported \(want 2\)/);
    expect(() => alloc.check()).toThrow(/version 1/);
  });

  it('two cores freeing only their own frames move no tree-counter line between them (model)', () => {
    // bench/sharing.ts's "rand own" in small: each core takes frames from several trees in
    // turn, then frees its own in a random order, mostly into trees it no longer holds, i.e.
    // into their counters. With counters packed 16 to a line those frees moved the line the
    // other core's counters lived on, about one transfer in two frees.
    const machine = new Machine({ cores: 2 });
    const transfers = machine.counters.define('lineTransfers');
    let traced: TracedWords | undefined;
    const words = (buffer: SharedArrayBuffer) => {
      traced ??= new TracedWords(machine, buffer);
      return traced;
    };
    const first = LLFree.create({ frames: 12 * TREE_FRAMES, cores: 2, words });
    const views = [first, LLFree.attach(first.buffer, { words })];
    const held = [new Int32Array(4 * TREE_FRAMES), new Int32Array(4 * TREE_FRAMES)];
    function* gets(core: number): Program {
      for (let i = 0; i < held[core].length; i++) {
        held[core][i] = views[core].get(core, 0);
        yield;
      }
    }
    let puts = 0;
    function* frees(core: number): Program {
      for (const frame of held[core]) {
        if (views[core].put(core, frame, 0) === 0) puts++;
        yield;
      }
    }
    machine.run(gets, { cores: 2 });
    for (const mine of held) {
      for (const frame of mine) expect(frame).toBeGreaterThanOrEqual(0);
      shuffle(mine);
    }
    const before = machine.counters.total(transfers);
    machine.run(frees, { cores: 2 });
    // Bitfields, child entries and reservations are each core's own here, so a transfer is a
    // tree counter's line: at most once per tree, the first free into a counter the other core
    // read while it searched for a tree (6 here; with the packed layout 122,832, 0.94 per free).
    expect(machine.counters.total(transfers) - before).toBeLessThanOrEqual(first.layout.trees);
    expect(puts).toBe(8 * TREE_FRAMES);
    expect(first.check()).toEqual([]);
    expect(first.freeFrames()).toBe(12 * TREE_FRAMES);
  });
});

/** Deterministic Fisher-Yates (xorshift32), as bench/ops.ts. */
function shuffle(values: Int32Array): void {
  let state = 0x9e3779b9;
  for (let i = values.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    const t = values[i];
    values[i] = values[j];
    values[j] = t;
  }
}
