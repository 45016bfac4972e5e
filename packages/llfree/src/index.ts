export * from './api.js';
export { checkConsistency } from './check.js';
export { Child, Local, Pair, Tree } from './entries.js';
export { Layout } from './layout.js';
export { LLFree } from './llfree.js';
export * from './published.js';
export * from './simulated.js';
