export * from './api.js';
export type { CounterIds, MemoryContext, Settings, SubsystemParts } from './context.js';
export { UnikernelKernelApi } from './kernel-api.js';
export { PTE_NO_ACCESS, pteFlagsOf } from './populate.js';
export { UnikernelMemory } from './unikernel-memory.js';
