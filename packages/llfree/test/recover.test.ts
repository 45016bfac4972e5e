// Recovery: after a "crash" (upper level scribbled over, operations cut short between counter
// and bits), shallow recovery rebuilds trees and reservations without ever handing out an owned
// frame, and deep recovery also recounts the bitfields so that nothing leaks.

import { AllocError, Ok } from '@unimem/core';
import { describe, expect, it } from 'vitest';
import { Child, LLFree, Local, Pair, Tree } from '../src/index.js';
import { Model } from './model.js';

const FRAMES = 3 * 16_384 + 1000;
const CORES = 3;

/** An allocator with a mixed set of blocks owned on every core. */
function populated() {
  const alloc = LLFree.create({ frames: FRAMES, cores: CORES });
  const model = new Model(FRAMES);
  const orders = [0, 0, 3, 0, 9, 1, 6, 0, 10, 7, 0, 2];
  for (let i = 0; i < 240; i++) {
    const order = orders[i % orders.length];
    const frame = alloc.get(i % CORES, order);
    if (frame === AllocError.Memory) expect(model.findFree(order)).toBe(-1);
    else expect(model.claim(frame, order)).toBeUndefined();
  }
  // Free a third, from other cores, so that tree counters and reservations both hold frees.
  let i = 0;
  for (const [frame, order] of [...model.blocks]) {
    if (i++ % 3 === 0) {
      expect(alloc.put(i % CORES, frame, order)).toBe(Ok);
      model.release(frame, order);
    }
  }
  return { alloc, model };
}

/** Overwrites the whole upper level with plausible garbage, as a crash of volatile state would. */
function scribbleUpperLevel(alloc: LLFree): void {
  const { layout, words } = alloc;
  for (let tree = 0; tree < layout.trees; tree++) {
    words.store(layout.treeWords + tree, Tree.of(123 * (tree + 1), tree % 2 === 0));
  }
  for (let word = layout.locals; word < layout.treeWords; word++) {
    words.store(word, Local.of(word % layout.trees, 777));
  }
}

function childEntry(alloc: LLFree, child: number): number {
  return Pair.child(alloc.words.load(alloc.layout.children + (child >>> 1)), (child & 1) << 4);
}

function setChildEntry(alloc: LLFree, child: number, entry: number): void {
  const index = alloc.layout.children + (child >>> 1);
  alloc.words.store(index, Pair.withChild(alloc.words.load(index), (child & 1) << 4, entry));
}

function bitfieldWord(alloc: LLFree, frame: number): number {
  return alloc.layout.bitfields + (frame >>> 5);
}

/** Allocates until Memory on every core; every frame handed out must be unowned. */
function exhaust(alloc: LLFree, model: Model): void {
  for (let core = 0; core < CORES; core++) {
    for (;;) {
      const frame = alloc.get(core, 0);
      if (frame === AllocError.Memory) break;
      expect(model.claim(frame, 0)).toBeUndefined();
    }
  }
}

describe('recovery', () => {
  for (const deep of [false, true]) {
    it(`rebuilds trees and reservations from the children (${deep ? 'deep' : 'shallow'})`, () => {
      const { alloc, model } = populated();
      scribbleUpperLevel(alloc);
      expect(alloc.check()).not.toEqual([]);
      expect(alloc.recover({ deep })).toBe(Ok);
      expect(alloc.check()).toEqual([]);
      expect(alloc.freeFrames()).toBe(model.freeFrames);
      exhaust(alloc, model);
      expect(model.freeFrames).toBe(0);
    });
  }

  it('a crash between counter and bits leaks under shallow recovery, never double-allocates; deep recovery recounts', () => {
    const { alloc, model } = populated();
    const { words } = alloc;
    // (a) A get cut short after lowering the counters: child counter 5 below its bits.
    const partial = [...model.blocks].find(([, order]) => order === 0)![0];
    const child = partial >>> 9;
    setChildEntry(alloc, child, Child.withFree(Child.free(childEntry(alloc, child)) - 5));
    // (b) A free cut short after clearing the bits: the frame is free but not counted.
    const freed = [...model.blocks].find(([frame, order]) => order === 3 && frame >>> 9 !== child)!;
    words.store(
      bitfieldWord(alloc, freed[0]),
      words.load(bitfieldWord(alloc, freed[0])) & ~(0xff << (freed[0] & 31)),
    );
    model.release(freed[0], 3);
    scribbleUpperLevel(alloc);

    expect(alloc.recover({ deep: false })).toBe(Ok);
    expect(alloc.freeFrames()).toBe(model.freeFrames - 5 - 8);
    const leaked = model.clone();
    exhaust(alloc, leaked); // nothing owned is handed out
    expect(leaked.freeFrames).toBe(5 + 8); // exactly the leaked frames stay behind
    for (const [frame, order] of leaked.blocks) {
      if (!model.blocks.has(frame)) expect(alloc.put(0, frame, order)).toBe(Ok);
    }

    scribbleUpperLevel(alloc);
    expect(alloc.recover({ deep: true })).toBe(Ok);
    expect(alloc.check()).toEqual([]);
    expect(alloc.freeFrames()).toBe(model.freeFrames);
    exhaust(alloc, model);
    expect(model.freeFrames).toBe(0);
  });

  it('a split of a huge frame cut short before filling leaves the huge frame allocated', () => {
    for (const deep of [false, true]) {
      const { alloc, model } = populated();
      const [huge] = [...model.blocks].find(([, order]) => order === 9)!;
      const child = huge >>> 9;
      expect(childEntry(alloc, child)).toBe(Child.HUGE);
      setChildEntry(alloc, child, Child.SPLITTING);
      expect(alloc.recover({ deep })).toBe(Ok);
      expect(alloc.check()).toEqual([]);
      expect(childEntry(alloc, child)).toBe(Child.HUGE);
      expect(alloc.put(0, huge, 9)).toBe(Ok);
      model.release(huge, 9);
      expect(alloc.freeFrames()).toBe(model.freeFrames);
    }
  });

  it('a split cut short after a concurrent partial free completes the split without losing that free', () => {
    for (const deep of [false, true]) {
      const { alloc, model } = populated();
      const [huge] = [...model.blocks].find(([, order]) => order === 9)!;
      const child = huge >>> 9;
      // The splitter filled words 0..6; another thread freed page 70 (word 2) meanwhile.
      for (let i = 0; i < 7; i++) alloc.words.store(bitfieldWord(alloc, huge) + i, -1);
      alloc.words.store(bitfieldWord(alloc, huge) + 2, ~(1 << 6));
      setChildEntry(alloc, child, Child.SPLITTING | 1);
      model.split(huge, 0);
      model.release(huge + 70, 0);
      expect(alloc.recover({ deep })).toBe(Ok);
      expect(alloc.check()).toEqual([]);
      expect(childEntry(alloc, child)).toBe(Child.withFree(1));
      expect(alloc.freeFrames()).toBe(model.freeFrames);
      expect(alloc.getAt(0, huge + 70, 0)).toBe(huge + 70);
      expect(alloc.put(0, huge + 70, 0)).toBe(Ok);
      for (let f = huge; f < huge + 512; f++) {
        if (f !== huge + 70) expect(alloc.put(1, f, 0)).toBe(Ok);
      }
      expect(alloc.isFree(huge, 9)).toBe(true);
    }
  });

  it('shallow recovery reports an impossible child counter as Corruption; deep repairs it', () => {
    const { alloc, model } = populated();
    const [frame] = [...model.blocks].find(([, order]) => order === 0)!;
    setChildEntry(alloc, frame >>> 9, Child.withFree(600));
    expect(alloc.recover()).toBe(AllocError.Corruption);
    expect(alloc.recover({ deep: true })).toBe(Ok);
    expect(alloc.check()).toEqual([]);
    expect(alloc.freeFrames()).toBe(model.freeFrames);
  });

  it('deep recovery rebuilds a child whose counter lies "all free" from its bitfield', () => {
    // Issue 12: ten frames of child 0, then its counter overwritten to 512 (all free).
    const alloc = LLFree.create({ frames: 4 * 16_384, cores: 2 });
    const taken = Array.from({ length: 10 }, () => alloc.get(0, 0));
    expect(taken.every((frame) => frame >= 0 && frame >>> 9 === taken[0] >>> 9)).toBe(true);
    setChildEntry(alloc, taken[0] >>> 9, Child.FULL);
    expect(alloc.check()).not.toEqual([]);
    expect(alloc.recover({ deep: true })).toBe(Ok);
    expect(alloc.check()).toEqual([]);
    expect(alloc.freeFrames()).toBe(4 * 16_384 - 10);
    // No 2 MiB block may hold any of the ten frames.
    for (let huge = alloc.get(1, 9); huge >= 0; huge = alloc.get(1, 9)) {
      for (const frame of taken) expect(frame >>> 9).not.toBe(huge >>> 9);
    }
  });

  it('deep recovery reports Corruption for a huge child with bits set, and keeps it allocated', () => {
    const alloc = LLFree.create({ frames: 2 * 16_384, cores: 1 });
    const huge = alloc.get(0, 9);
    alloc.words.store(bitfieldWord(alloc, huge) + 3, 0x0f0f);
    expect(alloc.check()).toContainEqual(expect.stringContaining('huge with bits set'));
    expect(alloc.recover({ deep: true })).toBe(AllocError.Corruption);
    expect(alloc.check()).toEqual([]);
    expect(alloc.isFree(huge, 0)).toBe(false);
    expect(alloc.put(0, huge, 9)).toBe(Ok);
  });

  it('names a garbage reservation word, get returns Corruption for it, recover repairs it', () => {
    const alloc = LLFree.create({ frames: 4 * 16_384, cores: 2 });
    expect(alloc.get(0, 0)).toBeGreaterThanOrEqual(0);
    const slot = alloc.layout.locals; // core 0, kind 0
    alloc.words.store(slot, Local.of(5000, 100)); // tree 5000 of 4
    const fresh = LLFree.attach(alloc.buffer);
    expect(fresh.check()).toContainEqual(
      expect.stringContaining('core 0 kind 0 reserves tree 5000'),
    );
    expect(fresh.get(0, 0)).toBe(AllocError.Corruption);
    expect(fresh.get(1, 0)).toBeGreaterThanOrEqual(0);
    expect(fresh.recover({ deep: true })).toBe(Ok);
    expect(fresh.check()).toEqual([]);
    expect(fresh.get(0, 0)).toBeGreaterThanOrEqual(0);
  });

  it('recovers through a second view of the same buffer (all state lives in the buffer)', () => {
    const { alloc, model } = populated();
    scribbleUpperLevel(alloc);
    const view = LLFree.attach(alloc.buffer);
    expect(view.recover({ deep: true })).toBe(Ok);
    expect(alloc.check()).toEqual([]);
    expect(alloc.freeFrames()).toBe(model.freeFrames);
    exhaust(alloc, model);
  });

  it('a free decided on a stale reservation guess lands in the tree counter, and nothing is lost', () => {
    // Two views used in turn for core 0: the first view's guess still names tree 0 when the
    // second view has made tree 1 the reservation. A put of a tree-1 frame through the first view
    // decides "not my reservation" on that guess (local.ts, increment) and counts the frame into
    // tree 1's counter, which must keep counter + reservation = children.
    const alloc = LLFree.create({ frames: 4 * 16_384, cores: 1, init: 'allocated' });
    for (const frame of [0, 512, 1024]) expect(alloc.put(0, frame, 9)).toBe(Ok); // reserves tree 0
    const second = LLFree.attach(alloc.buffer);
    second.drain(0);
    for (const frame of [16_384, 16_896, 17_408]) expect(second.put(0, frame, 9)).toBe(Ok);
    expect(alloc.put(0, 17_920, 9)).toBe(Ok);
    // The path taken: tree 1 is reserved and its counter holds that one free.
    const tree1 = alloc.words.load(alloc.layout.treeWords + 1);
    expect([Tree.reserved(tree1), Tree.free(tree1)]).toEqual([true, 512]);
    expect(alloc.check()).toEqual([]);
    expect(alloc.freeFrames()).toBe(7 * 512);
    const huge = new Set<number>();
    for (let frame = second.get(0, 9); frame >= 0; frame = second.get(0, 9)) huge.add(frame);
    expect([...huge].sort((a, b) => a - b)).toEqual(
      [0, 512, 1024, 16_384, 16_896, 17_408, 17_920].sort((a, b) => a - b),
    );
  });

  it('starts all-allocated and takes frees of any order, splitting huge frames', () => {
    const frames = 2 * 16_384 + 300;
    const alloc = LLFree.create({ frames, cores: 2, init: 'allocated' });
    expect(alloc.freeFrames()).toBe(0);
    expect(alloc.check()).toEqual([]);
    expect(alloc.get(0, 0)).toBe(AllocError.Memory);
    const model = new Model(frames);
    model.claim(0, 0); // placeholder so that the model starts all owned
    model.owned.fill(1);
    model.ownedFrames = frames;
    // Free boot memory piecewise: pages, huge frames, a pair, the tail.
    for (let f = 0; f < 512; f++) alloc.put(f % 2, f, 0);
    expect(alloc.put(0, 1024, 10)).toBe(Ok);
    expect(alloc.put(1, 2048, 9)).toBe(Ok);
    for (let f = 2 * 16_384; f < frames; f++) expect(alloc.put(0, f, 0)).toBe(Ok);
    for (let f = 4096; f < 8192; f += 8) expect(alloc.put(1, f, 3)).toBe(Ok);
    const freed = 512 + 1024 + 512 + 300 + 4096;
    expect(alloc.freeFrames()).toBe(freed);
    // Free 2 MiB frames: child 0 (pages), the pair, the huge frame, children 8..15 (order 3).
    expect(alloc.freeHuge()).toBe(1 + 2 + 1 + 8);
    expect(LLFree.create({ frames, cores: 2 }).freeHuge()).toBe(Math.floor(frames / 512));
    expect(alloc.check()).toEqual([]);
    expect(alloc.put(0, 4096, 3)).toBe(AllocError.Address);
  });
});
