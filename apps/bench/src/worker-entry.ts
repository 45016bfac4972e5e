// What worker.mjs loads in one tsImport (one module graph per worker).
export { runCase } from './point.js';
export { loadRegistry } from './registry.js';
