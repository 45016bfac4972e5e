// Options and constants of the LLFree allocator (Wrenger et al., "LLFree: Scalable and
// Optionally-Persistent Page-Frame Allocation", USENIX ATC'23). Only types and constants live
// here; the mechanisms are one per file (bitfield.ts, lower.ts, trees.ts, local.ts, upper.ts).

import type { AtomicWords } from '@unimem/hw';

/** Builds the shared-word view LLFree touches all of its state through. */
export type WordsFactory = (buffer: SharedArrayBuffer) => AtomicWords;

/** `free`: all frames start free. `allocated`: all start allocated (the caller frees them). */
export type LLFreeInit = 'free' | 'allocated';

export interface LLFreeCreateOptions {
  /** Number of 4 KiB frames managed (MIN_FRAMES..MAX_FRAMES). */
  frames: number;
  /** Number of cores (callers pass 0 <= core < cores). */
  cores: number;
  /** Initial state of the frames; default `free`. */
  init?: LLFreeInit;
  /** Shared-word view over the buffer; default NativeWords (JavaScript Atomics). */
  words?: WordsFactory;
}

export interface LLFreeAttachOptions {
  /** Shared-word view over the buffer; default NativeWords (JavaScript Atomics). */
  words?: WordsFactory;
}

export interface LLFreeRecoverOptions {
  /**
   * `false` (default): trust the child counters (clean shutdown, or only the upper level was
   * lost). `true`: after a crash, recount every partially free child from its bitfield.
   */
  deep?: boolean;
}

/** Frames per child (one bitfield of 512 bits, one 2 MiB huge frame). */
export const CHILD_FRAMES = 512;
/** Order of a child (huge frame). */
export const CHILD_ORDER = 9;
/** Children per tree; their 16-bit entries fill one 64 B cache line (ATC'23 `Cache<32>`). */
export const TREE_CHILDREN = 32;
/** Frames per tree (64 MiB). */
export const TREE_FRAMES = CHILD_FRAMES * TREE_CHILDREN;
/** log2(TREE_FRAMES). */
export const TREE_SHIFT = 14;
/** Largest order LLFree hands out: a pair of children (4 MiB). */
export const LLFREE_MAX_ORDER = 10;
/** Fewest frames a configuration may have (as llfree-c: 2^10). */
export const MIN_FRAMES = 1024;
/** Most trees the 17-bit tree field of a reservation can name (index + 1 < 2^17). */
export const MAX_TREES = (1 << 17) - 1;
/** Most frames a configuration may have (about 8 TiB of 4 KiB frames). */
export const MAX_FRAMES = MAX_TREES * TREE_FRAMES;
/** Most cores (a bound on the buffer size; far above any machine modelled). */
export const MAX_CORES = 1 << 16;

/** Reservation kinds: small orders and huge orders reserve separate trees when trees suffice. */
export const KIND_SMALL = 0;
export const KIND_HUGE = 1;
