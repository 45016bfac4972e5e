// The public API of @unimem/osv: upstream OSv's memory parts (page_range_allocator, the L1/L2
// page pools, the vma_list allocator, the mempool malloc), their options, stats and cost table,
// and the bulk experiment of the frame layer. The mechanisms inside them (free lists, bitmap,
// range tree, pool pages, garbage sinks, ...) are not part of it; presets that assemble these
// parts into whole systems live in @unimem/systems.
export * from './api.js';
export * from './bulk.js';
export { defaultOsvCostTable, type OsvCostTable, resolveOsvCosts } from './costs.js';
export { SIGNAL_THRESHOLD } from './garbage-sinks.js';
export { LARGE_OFFSET, type PageRunSource } from './malloc-large.js';
export type { CountingLock } from './native-mutex.js';
export { type OsvRwLockKind, osvRwLock } from './native-rwlock.js';
export { OsvMalloc, type OsvMallocStats } from './osv-malloc.js';
export { PagePools } from './page-pools.js';
export { MAX_RANGE_FRAMES, PageRangeAllocator } from './page-range-allocator.js';
export { OSV_ADDRESS_LIMIT, OSV_MMAP_END, OSV_MMAP_HINT, OsvVmAllocator } from './vma-list.js';
