import { PAGE_SIZE } from './units.js';

// Argument checks shared by every allocator: a core index and an order are small non-negative
// integers below a bound, a frame block is aligned to its order and inside the frames, a range is
// whole pages inside bounds, an alignment is a power of two of at least a page. Allocators return
// AllocError.Argument / AllocError.Address (or Errno.EINVAL) when these fail. One definition of
// each, so every allocator rejects the same input.

/** True when `core` is an integer in 0..cores-1. */
export function isCoreIndex(core: number, cores: number): boolean {
  return Number.isInteger(core) && core >= 0 && core < cores;
}

/** True when `order` is an integer in 0..maxOrder. */
export function isOrderIn(order: number, maxOrder: number): boolean {
  return Number.isInteger(order) && order >= 0 && order <= maxOrder;
}

/** True when `frame` starts a block of 2^order frames aligned to its size inside 0..frames-1. */
export function isFrameBlock(frame: number, order: number, frames: number): boolean {
  const size = 2 ** order;
  return Number.isInteger(frame) && frame >= 0 && frame % size === 0 && frame + size <= frames;
}

/** True when `size` is a positive whole number of 4 KiB pages. */
export function isPageSize(size: number): boolean {
  return Number.isSafeInteger(size) && size > 0 && size % PAGE_SIZE === 0;
}

const MAX_INT_ALIGN = 2 ** 30;

/** True when `align` is a power of two of at least 4 KiB that is a safe integer. */
export function isPageAlign(align: number): boolean {
  if (!Number.isSafeInteger(align) || align < PAGE_SIZE) return false;
  // Bit test while the value fits an int32; above that, halve down to it (rare: > 1 GiB).
  let value = align;
  while (value > MAX_INT_ALIGN) {
    if (value % 2 !== 0) return false;
    value /= 2;
  }
  return (value & (value - 1)) === 0;
}

/** True when [addr, addr + size) is a non-empty page-aligned range inside [low, high). */
export function isPageRange(addr: number, size: number, low: number, high: number): boolean {
  return (
    isPageSize(size) &&
    Number.isSafeInteger(addr) &&
    addr >= low &&
    addr % PAGE_SIZE === 0 &&
    addr + size <= high
  );
}
