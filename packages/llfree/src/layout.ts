// Where every piece of LLFree's state lives inside its one SharedArrayBuffer. The buffer is a
// sequence of 32-bit words, each region starting on a 64 B cache line:
//
//   header     16 words: magic, version, frames, cores, trees, kinds and the region offsets
//   locals     32 words (two cache lines) per core: a reservation word per kind at words 0 and
//              2 (local.ts); the other words are unused (the search hints and the "last frees"
//              record, once here, now live in each view). Two lines, because the buffer's base
//              address is only known to be 16-byte aligned (malloc'd backing stores), so 64 B
//              would not keep two cores' words off one line.
//   trees      one word per tree: free counter + reserved flag (trees.ts), padded to a line
//   children   one word per pair of children: two 16-bit entries (entries.ts), so that the 16
//              words of one tree's 32 children share a cache line and an order-10 pair is one CAS
//   bitfields  16 words (512 bits, one cache line) per child; bit = frame, 1 = allocated
//
// Frame f has tree f >> 14, child f >> 9, bitfield word `bitfields + (f >> 5)`, bit f & 31.
// Every tree has exactly 32 children; children beyond the last frame are padding that is never
// free (counter 0, all bits set), so the tail needs no special case in the algorithms.
// A second worker calls `Layout.read` on the same buffer and gets identical offsets.

import type { AtomicWords } from '@unimem/hw';
import {
  LLFREE_MAX_ORDER,
  MAX_CORES,
  MAX_FRAMES,
  MIN_FRAMES,
  TREE_CHILDREN,
  TREE_FRAMES,
} from './api.js';

export const MAGIC = 0x4c4c4652; // "LLFR"
export const VERSION = 1;

/** Word index of each header field. */
export const Header = {
  magic: 0,
  version: 1,
  frames: 2,
  cores: 3,
  trees: 4,
  kinds: 5,
  locals: 6,
  treeWords: 7,
  children: 8,
  bitfields: 9,
  totalWords: 10,
} as const;

export const HEADER_WORDS = 16;
/** Words of one core's local region (128 B, see above). */
export const LOCAL_WORDS = 32;
/** Words of one child's bitfield. */
export const BITFIELD_WORDS = 16;
/** Words holding one tree's child entries. */
export const TREE_CHILD_WORDS = TREE_CHILDREN / 2;

const LINE_WORDS = 16;
const alignLine = (words: number) => Math.ceil(words / LINE_WORDS) * LINE_WORDS;

export class Layout {
  readonly frames: number;
  readonly cores: number;
  readonly trees: number;
  /** 2 when small and huge orders reserve separate trees (trees >= 3 * cores), else 1. */
  readonly kinds: number;
  /** Word offsets of the regions. */
  readonly locals: number;
  readonly treeWords: number;
  readonly children: number;
  readonly bitfields: number;
  readonly totalWords: number;

  constructor(frames: number, cores: number) {
    if (!Number.isInteger(frames) || frames < MIN_FRAMES || frames > MAX_FRAMES) {
      throw new RangeError(
        `frames ${frames} must be an integer in ${MIN_FRAMES}..${MAX_FRAMES} (at least 2^${LLFREE_MAX_ORDER})`,
      );
    }
    if (!Number.isInteger(cores) || cores < 1 || cores > MAX_CORES) {
      throw new RangeError(`cores ${cores} must be an integer in 1..${MAX_CORES}`);
    }
    this.frames = frames;
    this.cores = cores;
    this.trees = Math.ceil(frames / TREE_FRAMES);
    this.kinds = this.trees >= 3 * cores ? 2 : 1;
    this.locals = HEADER_WORDS;
    this.treeWords = this.locals + cores * LOCAL_WORDS;
    this.children = this.treeWords + alignLine(this.trees);
    this.bitfields = this.children + this.trees * TREE_CHILD_WORDS;
    this.totalWords = this.bitfields + this.trees * TREE_CHILDREN * BITFIELD_WORDS;
  }

  get bytes(): number {
    return this.totalWords * 4;
  }

  /** Writes the header of a fresh buffer. */
  write(words: AtomicWords): void {
    words.store(Header.magic, MAGIC);
    words.store(Header.version, VERSION);
    words.store(Header.frames, this.frames);
    words.store(Header.cores, this.cores);
    words.store(Header.trees, this.trees);
    words.store(Header.kinds, this.kinds);
    words.store(Header.locals, this.locals);
    words.store(Header.treeWords, this.treeWords);
    words.store(Header.children, this.children);
    words.store(Header.bitfields, this.bitfields);
    words.store(Header.totalWords, this.totalWords);
  }

  /** Reads and checks the header of an existing buffer; throws a RangeError if it is not one. */
  static read(words: AtomicWords): Layout {
    if (words.length < HEADER_WORDS || words.load(Header.magic) !== MAGIC) {
      throw new RangeError('buffer is not an LLFree buffer (magic 0x4c4c4652 missing)');
    }
    const version = words.load(Header.version);
    if (version !== VERSION) {
      throw new RangeError(`LLFree buffer version ${version} is not supported (want ${VERSION})`);
    }
    const layout = new Layout(words.load(Header.frames), words.load(Header.cores));
    const expected = [
      [Header.trees, layout.trees],
      [Header.kinds, layout.kinds],
      [Header.locals, layout.locals],
      [Header.treeWords, layout.treeWords],
      [Header.children, layout.children],
      [Header.bitfields, layout.bitfields],
      [Header.totalWords, layout.totalWords],
    ];
    for (const [index, value] of expected) {
      const found = words.load(index);
      if (found !== value) {
        throw new RangeError(`LLFree header word ${index} is ${found}, expected ${value}`);
      }
    }
    if (words.length < layout.totalWords) {
      throw new RangeError(
        `buffer of ${words.length} words is smaller than the ${layout.totalWords} LLFree needs`,
      );
    }
    return layout;
  }
}
