// Argument checks shared by the trees and helpers. A VMA with bad bounds, or one overlapping an
// indexed VMA, is the caller's bug rather than an allocation-path result, so it throws a
// RangeError naming the values (addresses in hex, as OSv and Linux print them).

import type { Vma } from '@unimem/core';

/** `0x…` for a byte address; anything that is not a safe integer is printed as is. */
export function hex(addr: number): string {
  return Number.isSafeInteger(addr) && addr >= 0 ? `0x${addr.toString(16)}` : String(addr);
}

/** `[0x1000, 0x3000)` */
export function describeRange(start: number, end: number): string {
  return `[${hex(start)}, ${hex(end)})`;
}

/** Throws unless 0 <= start < end are safe integers. */
export function checkVmaBounds(vma: Vma): void {
  const { start, end } = vma;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start >= end) {
    throw new RangeError(
      `vma ${describeRange(start, end)}: start and end must be integers with 0 <= start < end`,
    );
  }
}

/** The error insert throws for a VMA overlapping an indexed one. */
export function overlapError(vma: Vma, indexed: Vma): RangeError {
  return new RangeError(
    `vma ${describeRange(vma.start, vma.end)} overlaps indexed vma ${describeRange(indexed.start, indexed.end)}`,
  );
}

/** Throws unless addr >= 0 and size >= 0 are safe integers (queries and helper ranges). */
export function checkRange(addr: number, size: number): void {
  if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(size) || addr < 0 || size < 0) {
    throw new RangeError(
      `range at ${hex(addr)} of size ${size}: addr and size must be integers >= 0`,
    );
  }
}
