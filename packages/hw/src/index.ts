export * from './api.js';
export * from './charged-frame-allocator.js';
export * from './contention.js';
export { CoreHandle } from './core-handle.js';
export * from './counters.js';
export * from './dram.js';
export * from './ipi.js';
export * from './l3.js';
export * from './line-regions.js';
export { LINE_CHUNK } from './line-timelines.js';
export * from './lines.js';
export { LinuxMutex, type LinuxMutexOptions } from './locks/linux-mutex.js';
export {
  GLIBC_ADAPTIVE_SPIN,
  MALLOC_MUTEX_MAX_SPIN,
  MallocMutex,
  type MallocMutexOptions,
} from './locks/malloc-mutex.js';
export { freeLock, NativeMutex, NativeRwLock } from './locks/native.js';
export { OsvMutex } from './locks/osv-mutex.js';
export { OsvRwLock, type OsvRwLockKind } from './locks/osv-rwlock.js';
export { QueuedSpinlock } from './locks/qspinlock.js';
export {
  RWSEM_READER_SPIN_NS,
  RWSEM_WAIT_TIMEOUT_NS,
  RwSemaphore,
  type RwSemaphoreOptions,
} from './locks/rwsem.js';
export {
  ExclusiveLock,
  emptyLockStats,
  type HoldRecord,
  type LockObserverOptions,
  type LockStats,
  type MutexOptions,
  SimMutex,
  SimSpinlock,
  type SleepOptions,
  type WaitPolicy,
} from './locks.js';
export * from './machine.js';
export * from './memory.js';
export * from './native-words.js';
export * from './null-tracer.js';
export * from './page-table.js';
export * from './profile-loader.js';
export * from './profiles.js';
export * from './pte.js';
export { type RwLockOptions, SimRwLock } from './rwlock.js';
export { SimBarrier } from './scheduler.js';
export { BusyTimeline } from './timeline.js';
export * from './tlb.js';
export * from './topology.js';
export { TracedWords } from './traced-words.js';
