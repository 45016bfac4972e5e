// Chunk-size arithmetic of glibc malloc (malloc/malloc.c): request2size, the tcache bin of a
// chunk (csize2tidx), usable sizes. Invariant: every chunk size is a multiple of
// MALLOC_ALIGNMENT and at least MIN_CHUNK, and a chunk's user pointer is 16-byte aligned.

import { MALLOC_ALIGNMENT, MIN_CHUNK, SIZE_SZ, TCACHE_BINS } from './api.js';

/** request2size: header + request rounded up to 16, at least MINSIZE. */
export function chunkSize(request: number): number {
  const padded = request + SIZE_SZ + MALLOC_ALIGNMENT - 1;
  return padded < MIN_CHUNK ? MIN_CHUNK : padded - (padded % MALLOC_ALIGNMENT);
}

/** csize2tidx: tcache bin of a chunk size, or -1 beyond the tcache's 64 bins. */
export function tcacheIndex(chunk: number): number {
  const index = (chunk - MIN_CHUNK + MALLOC_ALIGNMENT - 1) / MALLOC_ALIGNMENT;
  return index < TCACHE_BINS ? Math.floor(index) : -1;
}

/** malloc_usable_size of an arena chunk: its size minus the header (the next prev_size is usable). */
export function arenaUsable(chunk: number): number {
  return chunk - SIZE_SZ;
}

/** An mmapped chunk: the mapping minus prev_size and size (2 * SIZE_SZ). */
export function mmappedUsable(mappedBytes: number): number {
  return mappedBytes - 2 * SIZE_SZ;
}
