export { mulberry32 } from '../random.js';
export * from './frame-allocator-suite.js';
export * from './malloc-suite.js';
export * from './mapped-regions.js';
export * from './memory-system-suite.js';
export * from './ownership.js';
export * from './test-memory.js';
export * from './vm-allocator-suite.js';
export * from './vma-index-suite.js';
