// The public LLFree allocator: checks arguments, owns the SharedArrayBuffer and wires the
// lower level (lower.ts, bitfield.ts), the tree counters (trees.ts), the per-core reservations
// (local.ts) and the algorithms over them (upper.ts). All state lives in the buffer and is
// touched only through an AtomicWords, so `LLFree.attach(buffer)` in another worker (or a traced
// AtomicWords in the simulator) gives the same allocator. Bad arguments return an error value
// before any shared word is touched, so a failed call changes nothing.

import { AllocError, type FrameAllocator, type Status } from '@unimem/core';
import { type AtomicWords, NativeWords } from '@unimem/hw';
import {
  LLFREE_MAX_ORDER,
  type LLFreeAttachOptions,
  type LLFreeCreateOptions,
  type LLFreeRecoverOptions,
  type WordsFactory,
} from './api.js';
import { checkConsistency } from './check.js';
import { Tree } from './entries.js';
import { Layout } from './layout.js';
import { Locals } from './local.js';
import { Lower } from './lower.js';
import { recover } from './recover.js';
import { Trees } from './trees.js';
import { Upper } from './upper.js';

const nativeWords: WordsFactory = (buffer) => new NativeWords(buffer);

export class LLFree implements FrameAllocator {
  readonly name = 'llfree';
  readonly maxOrder = LLFREE_MAX_ORDER;
  readonly cores: number;
  /** The buffer holding all state; hand it to `LLFree.attach` in another worker. */
  readonly buffer: SharedArrayBuffer;
  /** The shared-word view all state is accessed through. */
  readonly words: AtomicWords;
  /** Offsets and sizes of the regions of the buffer. */
  readonly layout: Layout;
  private readonly frames: number;
  private readonly lower: Lower;
  private readonly trees: Trees;
  private readonly locals: Locals;
  private readonly upper: Upper;

  private constructor(buffer: SharedArrayBuffer, words: AtomicWords, layout: Layout) {
    this.buffer = buffer;
    this.words = words;
    this.layout = layout;
    this.frames = layout.frames;
    this.cores = layout.cores;
    this.lower = new Lower(words, layout);
    this.trees = new Trees(words, layout.treeWords, layout.trees, layout.frames);
    this.locals = new Locals(words, layout.locals, layout.cores, layout.kinds);
    this.upper = new Upper(this.lower, this.trees, this.locals, layout);
  }

  /** Builds a new allocator in a fresh SharedArrayBuffer. Throws RangeError on bad options. */
  static create(options: LLFreeCreateOptions): LLFree {
    const { frames, cores, init = 'free', words = nativeWords } = options;
    if (init !== 'free' && init !== 'allocated') {
      throw new RangeError(`init "${String(init)}" must be 'free' or 'allocated'`);
    }
    const layout = new Layout(frames, cores);
    const buffer = new SharedArrayBuffer(layout.bytes);
    const view = LLFree.view(buffer, words, layout);
    layout.write(view);
    const llfree = new LLFree(buffer, view, layout);
    llfree.lower.init(init);
    for (let tree = 0; tree < layout.trees; tree++) {
      llfree.trees.store(tree, Tree.of(init === 'free' ? llfree.trees.capacity(tree) : 0, false));
    }
    return llfree;
  }

  /** A view of an allocator another thread created. Throws RangeError if `buffer` is not one. */
  static attach(buffer: SharedArrayBuffer, options: LLFreeAttachOptions = {}): LLFree {
    // A copy (ArrayBuffer) would be a second, private allocator handing out the same frames.
    if (ArrayBuffer.isView(buffer)) {
      throw new RangeError(
        `LLFree.attach takes the SharedArrayBuffer itself, not a typed array (${(buffer as object).constructor.name}): pass view.buffer`,
      );
    }
    if (Object.prototype.toString.call(buffer) !== '[object SharedArrayBuffer]') {
      throw new RangeError(
        `LLFree.attach: ${Object.prototype.toString.call(buffer)} is not a SharedArrayBuffer (a copy would be a separate allocator handing out the same frames)`,
      );
    }
    const words = (options.words ?? nativeWords)(buffer);
    return new LLFree(buffer, words, Layout.read(words));
  }

  /** Bytes of the buffer for `frames` frames and `cores` cores. Throws RangeError if invalid. */
  static metadataSize(frames: number, cores: number): number {
    return new Layout(frames, cores).bytes;
  }

  private static view(buffer: SharedArrayBuffer, words: WordsFactory, layout: Layout) {
    const view = words(buffer);
    if (view.length < layout.totalWords) {
      throw new RangeError(`words factory gave ${view.length} words, need ${layout.totalWords}`);
    }
    return view;
  }

  get(core: number, order: number): number {
    if (!this.validCore(core) || !validOrder(order)) return AllocError.Argument;
    return this.upper.get(core, order);
  }

  getAt(core: number, frame: number, order: number): number {
    if (!this.validCore(core) || !validOrder(order)) return AllocError.Argument;
    if (!this.validFrame(frame, order)) return AllocError.Address;
    return this.upper.getAt(core, frame, order);
  }

  put(core: number, frame: number, order: number): Status {
    if (!this.validCore(core) || !validOrder(order)) return AllocError.Argument;
    if (!this.validFrame(frame, order)) return AllocError.Address;
    return this.upper.put(core, frame, order);
  }

  /** Returns the core's reservations to the trees. A bad core is ignored. */
  drain(core: number): void {
    if (this.validCore(core)) this.upper.drain(core);
  }

  /** Free frames: tree counters plus reservations (exact when quiescent, racy otherwise). */
  freeFrames(): number {
    return this.trees.sum() + this.locals.sum();
  }

  /** Entirely free 2 MiB children (racy under concurrency). */
  freeHuge(): number {
    return this.lower.freeHuge();
  }

  totalFrames(): number {
    return this.frames;
  }

  /** True when the whole block is free; false for bad arguments. Racy under concurrency. */
  isFree(frame: number, order: number): boolean {
    if (!validOrder(order) || !this.validFrame(frame, order)) return false;
    return this.lower.isFree(frame, order);
  }

  metadataBytes(): number {
    return this.layout.bytes;
  }

  /**
   * Rebuilds trees and reservations from the children (and, `deep`, the children from the
   * bitfields). Only while no other thread uses the allocator. Ok, or Corruption if a shallow
   * recovery found a child counter that cannot be right (a deep recovery repairs it).
   */
  recover(options: LLFreeRecoverOptions = {}): Status {
    return recover(this.layout, this.lower, this.trees, this.locals, options.deep === true);
  }

  /** Consistency problems of the quiescent state (empty when consistent); see check.ts. */
  check(): string[] {
    return checkConsistency(this.words);
  }

  // The argument checks below are @unimem/core's isCoreIndex / isFrameBlock / isOrderIn written
  // with int32 operations, on purpose: they run on every native get/put (issue 12's hot path), and
  // frames and orders here always fit an int32 (MAX_FRAMES in api.ts).
  private validCore(core: number): boolean {
    return (core | 0) === core && core >= 0 && core < this.cores;
  }

  private validFrame(frame: number, order: number): boolean {
    const size = 1 << order;
    return frame >>> 0 === frame && frame + size <= this.frames && (frame & (size - 1)) === 0;
  }
}

function validOrder(order: number): boolean {
  return (order | 0) === order && order >= 0 && order <= LLFREE_MAX_ORDER;
}
