export * from './api.js';
export { BufferManager, exposesKernelApi } from './buffer-manager.js';
export { CoreSets } from './core-sets.js';
export { ClockEviction, type EvictionParts } from './eviction.js';
export { type PoolSnapshot, poolProblems } from './invariants.js';
export { KernelApiBackend } from './kernel-api-backend.js';
export {
  EVICTED,
  LOCKED,
  MARKED,
  MAX_SHARED,
  PageStates,
  pack,
  stateOf,
  UNLOCKED,
  versionOf,
} from './page-state.js';
export { PosixBackend } from './posix-backend.js';
export { ResidentSet, residentSlots } from './resident-set.js';
export { NVME_DEFAULT, StorageDevice } from './storage.js';
export { type Workload, WorkloadGenerator, type WorkloadOptions } from './workload.js';
