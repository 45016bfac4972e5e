// Argument checks shared by every allocator: a core index and an order are small non-negative
// integers below a bound. Allocators return AllocError.Argument (or Errno.EINVAL) when these fail.

/** True when `core` is an integer in 0..cores-1. */
export function isCoreIndex(core: number, cores: number): boolean {
  return Number.isInteger(core) && core >= 0 && core < cores;
}

/** True when `order` is an integer in 0..maxOrder. */
export function isOrderIn(order: number, maxOrder: number): boolean {
  return Number.isInteger(order) && order >= 0 && order <= maxOrder;
}
