// A per-frame object slot (an object or undefined) in chunks allocated on first write: the
// malloc pools' page lookup by frame (free and malloc_usable_size on every call). It replaced a
// Map<frame, page>, whose hashed lookup and entry churn (a pool page comes and goes with its
// frame) were a visible part of the OSv malloc's host time; a chunk holds 16 Ki slots (128 KiB
// of pointers), so a run that uses pool pages in a few regions allocates a few chunks. Chunks are
// kept once allocated, even when every slot in them is cleared again. Invariant: a slot holds
// the last value set for its frame, undefined if none was set or it was cleared.

/** log2 of the slots per chunk. */
const CHUNK_SHIFT = 14;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

export class PagedSlots<T extends object> {
  private readonly chunks: Array<Array<T | undefined> | undefined>;

  constructor(readonly length: number) {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`paged slots length ${length} must be a non-negative integer`);
    }
    this.chunks = new Array(Math.ceil(length / (CHUNK_MASK + 1))).fill(undefined);
  }

  get(index: number): T | undefined {
    const chunk = this.chunks[index >>> CHUNK_SHIFT];
    return chunk === undefined ? undefined : chunk[index & CHUNK_MASK];
  }

  set(index: number, value: T): void {
    let chunk = this.chunks[index >>> CHUNK_SHIFT];
    if (chunk === undefined) {
      // Filled, not holey: V8 keeps a packed elements kind for a pre-filled array.
      chunk = new Array<T | undefined>(CHUNK_MASK + 1).fill(undefined);
      this.chunks[index >>> CHUNK_SHIFT] = chunk;
    }
    chunk[index & CHUNK_MASK] = value;
  }

  clear(index: number): void {
    const chunk = this.chunks[index >>> CHUNK_SHIFT];
    if (chunk !== undefined) chunk[index & CHUNK_MASK] = undefined;
  }

  /** Chunks allocated so far. */
  allocatedChunks(): number {
    let count = 0;
    for (const chunk of this.chunks) if (chunk !== undefined) count++;
    return count;
  }
}
