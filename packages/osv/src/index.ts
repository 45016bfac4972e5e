export * from './api.js';
export { Bitmap } from './bitmap.js';
export { BlockTable } from './block-table.js';
export * from './bulk.js';
export { checkPageRanges } from './check.js';
export * from './costs.js';
export { FrameLine, FrameLines, frameLines } from './frame-lines.js';
export { FreeLists, LIST_CLASSES, NIL } from './free-lists.js';
export { GarbageSinks, type SameCpuFree, SIGNAL_THRESHOLD } from './garbage-sinks.js';
export { GlobalPool } from './global-pool.js';
export { HUGE_PAGES, HugeSet } from './huge-set.js';
export { L1Pools } from './l1-pool.js';
export { L2Stack } from './l2-pool.js';
export { LARGE_OFFSET, LargeBlocks, type PageRunSource } from './malloc-large.js';
export {
  MAX_POOL_CLASS,
  MallocPools,
  MIN_POOL_CLASS,
  POOL_CLASSES,
  type PoolPageSource,
} from './malloc-pools.js';
export { type CountingLock, globalMutex, NativeMutex } from './native-mutex.js';
export { NativeRwLock, type OsvRwLockKind, osvRwLock } from './native-rwlock.js';
export { OsvMalloc, type OsvMallocStats, pageRangesUnder } from './osv-malloc.js';
export { LINES_PER_PAGE, PageLines, pageLines } from './page-lines.js';
export { PagePools } from './page-pools.js';
export { MAX_RANGE_FRAMES, PageRangeAllocator } from './page-range-allocator.js';
export { ilog2, ilog2Roundup, PageRanges } from './page-ranges.js';
export { PagedInt32 } from './paged-array.js';
export { PlacedLine } from './placed-line.js';
export { emptyPoolStats } from './pool-ledger.js';
export { ObjectState, PAGE_HEADER_BYTES, PageList, PoolPage } from './pool-page.js';
export {
  buildOsvPreset,
  OSV_PRESETS,
  type OsvPreset,
  type OsvPresetName,
  type OsvPresetOptions,
  osvJemallocPreset,
  osvLLFreePreset,
  osvPreset,
  osvSuperblockJemallocPreset,
  osvSuperblockPreset,
} from './presets.js';
export { RangeLines } from './range-lines.js';
export { RangeTree } from './range-tree.js';
export { OSV_ADDRESS_LIMIT, OSV_MMAP_END, OSV_MMAP_HINT, OsvVmAllocator } from './vma-list.js';
export { EXACT_VISITS, VmaRangeSet, type WalkCharges } from './vma-range-set.js';
