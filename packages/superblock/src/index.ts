export * from './api.js';
export { Area } from './area.js';
export { Bucket } from './bucket.js';
export { Entry, OwnerTable } from './owner-table.js';
export { SuperblockAllocator } from './superblock-allocator.js';
