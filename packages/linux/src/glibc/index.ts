export * from './api.js';
export { Arena, HEAP_HEADER_BYTES } from './arena.js';
export { arenaUsable, chunkSize, mmappedUsable, tcacheIndex } from './chunks.js';
export { GlibcMalloc } from './glibc-malloc.js';
