export * from './api.js';
export { AvlVmaTree } from './avl.js';
export { VmaTree } from './btree.js';
export { FreeRanges } from './free-ranges.js';
export { carve, cloneVma, isolate, mergeAdjacent, sameProtAndFlags, splitAt } from './split.js';
