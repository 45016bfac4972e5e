export * from './api.js';
export { UnikernelKernelApi } from './kernel-api.js';
export { PTE_NO_ACCESS, pteFlagsOf } from './populate.js';
export { UnikernelMemory } from './unikernel-memory.js';
