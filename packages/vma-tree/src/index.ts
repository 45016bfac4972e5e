export * from './api.js';
export { AvlVmaTree } from './avl.js';
export { VmaTree } from './btree.js';
export { carve, cloneVma, isolate, mergeAdjacent, sameProtAndFlags, splitAt } from './split.js';
