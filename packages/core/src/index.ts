export * from './api.js';
export * from './checks.js';
export * from './errors.js';
export * from './random.js';
export * from './reference-frame-allocator.js';
export * from './units.js';
