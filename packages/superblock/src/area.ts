// The address-space geometry of the superblock allocator: the superblock area [base, end) cut
// into 1 GiB superblocks, and the outside space [0, base) ∪ [end, limit) that belongs to the
// outside bucket (OSv's bucket `max_cpus`). Checks the options once so that every address
// computation afterwards stays a safe integer (< 2^53).

import { isPageRange, PAGE_SIZE } from '@unimem/core';
import {
  DEFAULT_ADDRESS_LIMIT,
  DEFAULT_AREA_BASE,
  DEFAULT_AREA_END,
  SUPERBLOCK_BYTES,
} from './api.js';

export class Area {
  /** First byte of the superblock area. */
  readonly base: number;
  /** First byte after the superblock area. */
  readonly end: number;
  /** First byte after the managed address space. */
  readonly limit: number;
  /** Number of superblocks in the area. */
  readonly superblocks: number;
  /** base / SUPERBLOCK_BYTES: global index of the first superblock (for alignments > 1 GiB). */
  readonly baseIndex: number;

  constructor(base = DEFAULT_AREA_BASE, end = DEFAULT_AREA_END, limit = DEFAULT_ADDRESS_LIMIT) {
    if (!Number.isSafeInteger(base) || base < 0 || base % SUPERBLOCK_BYTES !== 0) {
      throw new RangeError(`areaBase ${base} is not a non-negative multiple of 1 GiB`);
    }
    if (!Number.isSafeInteger(end) || end <= base || end % SUPERBLOCK_BYTES !== 0) {
      throw new RangeError(`areaEnd ${end} is not a multiple of 1 GiB above areaBase ${base}`);
    }
    if (!Number.isSafeInteger(limit) || limit < end || limit % PAGE_SIZE !== 0) {
      throw new RangeError(
        `addressLimit ${limit} is not a multiple of 4 KiB in [areaEnd ${end}, 2^53)`,
      );
    }
    this.base = base;
    this.end = end;
    this.limit = limit;
    this.superblocks = (end - base) / SUPERBLOCK_BYTES;
    this.baseIndex = base / SUPERBLOCK_BYTES;
  }

  /** Index of the superblock holding `addr` (base <= addr < end). */
  index(addr: number): number {
    return Math.floor((addr - this.base) / SUPERBLOCK_BYTES);
  }

  /** First byte of superblock `index`. */
  address(index: number): number {
    return this.base + index * SUPERBLOCK_BYTES;
  }

  inside(addr: number): boolean {
    return addr >= this.base && addr < this.end;
  }

  /** True when [addr, end) lies entirely outside the area. */
  outside(addr: number, end: number): boolean {
    return end <= this.base || addr >= this.end;
  }

  /** True when [addr, end) lies entirely inside the area. */
  within(addr: number, end: number): boolean {
    return addr >= this.base && end <= this.end;
  }

  /** A valid range argument: page-aligned, non-empty, inside [0, limit). */
  validRange(addr: number, size: number): boolean {
    return isPageRange(addr, size, 0, this.limit);
  }
}
