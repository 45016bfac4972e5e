// The public API of @unimem/linux: the buddy frame allocator (its options, costs, tuning and the
// published figures it is calibrated on) and the Linux memory system (LinuxMemory, its mmap_lock
// and VM allocator). The preset that adds jemalloc (`linux+jemalloc`) is in @unimem/systems.
export * from './api.js';
export {
  BuddyAllocator,
  MAX_BUDDY_FRAMES,
  PER_CPU_PAGES_BYTES,
  STRUCT_PAGE_BYTES,
} from './buddy/buddy-allocator.js';
export {
  buddyCostFigures,
  type CostFigure,
  defaultBuddyCosts,
  resolveBuddyCosts,
} from './buddy/costs.js';
export { PCP_ORDERS } from './buddy/pcp.js';
export * from './buddy/tuning.js';
export * from './glibc/index.js';
export * from './mm/api.js';
export { LinuxMemory } from './mm/linux-memory.js';
export { MmapLock, type MmapLockOptions } from './mm/mmap-lock.js';
export { LinuxVmAllocator, type LinuxVmOptions, MapleTree } from './mm/vm-allocator.js';
export * from './published.js';
