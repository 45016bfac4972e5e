export { mulberry32 } from '../random.js';
export * from './frame-allocator-suite.js';
export * from './ownership.js';
