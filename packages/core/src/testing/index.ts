export * from './frame-allocator-suite.js';
export * from './ownership.js';
export { mulberry32 } from '../random.js';
