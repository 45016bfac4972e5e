export * from './api.js';
export * from './charged-frame-allocator.js';
export * from './contention.js';
export * from './counters.js';
export * from './dram.js';
export * from './ipi.js';
export * from './l3.js';
export * from './lines.js';
export {
  type LockStats,
  type MutexOptions,
  SimMutex,
  SimSpinlock,
  type SleepOptions,
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
