// One bucket of the superblock manager (OSv `superblock_bucket`, padded to a cache line): the
// VMA index with its reader-writer lock and the free ranges (FreeRanges of @unimem/vma-tree) with
// theirs. Core c's bucket holds the VMAs and free space of every superblock c owns; the outside
// bucket holds everything outside the superblock area. The header line stands for the padded
// struct that the set roots live in.
//
// Invariant: `ranges` lie inside superblocks this bucket's core owns (inside the outside space
// for the outside bucket), and `superblocks` counts the superblocks owned.

import type { RwLock, Vma, VmaIndex } from '@unimem/core';
import type { LineTracer } from '@unimem/hw';
import { FreeRanges } from '@unimem/vma-tree';

export class Bucket<V extends Vma> {
  readonly vmaLock: RwLock;
  readonly freeRangesLock: RwLock;
  readonly vmas: VmaIndex<V>;
  readonly ranges: FreeRanges;
  /** Superblocks this bucket's core owns (always 0 for the outside bucket). */
  superblocks = 0;

  constructor(
    /** `0`, `1`, ... for cores, `outside` for the outside bucket. */
    readonly name: string,
    lock: (name: string) => RwLock,
    index: () => VmaIndex<V>,
    tracer: LineTracer,
    /** The bucket header's cache line. */
    readonly headerLine: number,
  ) {
    this.vmaLock = lock(`vma:${name}`);
    this.freeRangesLock = lock(`free-ranges:${name}`);
    this.vmas = index();
    this.ranges = new FreeRanges(tracer, headerLine);
  }
}
