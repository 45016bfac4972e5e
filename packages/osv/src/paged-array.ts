// A per-frame Int32 array whose storage is allocated in chunks on first write. OSv keeps its
// page_range headers and back-pointers inside the free pages themselves, so the model needs a
// word per frame for each of them — but a 500 GiB machine has 131 M frames, and flat arrays
// would cost 0.5 GiB each while a run touches only a few chunks of them. Untouched entries read
// as the default value. Invariant: an entry equals the default until it is written.

/** log2 of the entries per chunk (64 Ki entries = 256 KiB). */
const CHUNK_SHIFT = 16;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

export class PagedInt32 {
  private readonly chunks: Array<Int32Array | undefined>;

  constructor(
    readonly length: number,
    readonly defaultValue = 0,
  ) {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`paged array length ${length} must be a non-negative integer`);
    }
    this.chunks = new Array(Math.ceil(length / (CHUNK_MASK + 1))).fill(undefined);
  }

  get(index: number): number {
    const chunk = this.chunks[index >>> CHUNK_SHIFT];
    return chunk === undefined ? this.defaultValue : chunk[index & CHUNK_MASK];
  }

  set(index: number, value: number): void {
    let chunk = this.chunks[index >>> CHUNK_SHIFT];
    if (chunk === undefined) {
      if (value === this.defaultValue) return;
      chunk = new Int32Array(CHUNK_MASK + 1);
      if (this.defaultValue !== 0) chunk.fill(this.defaultValue);
      this.chunks[index >>> CHUNK_SHIFT] = chunk;
    }
    chunk[index & CHUNK_MASK] = value;
  }

  /** Bytes of chunks allocated so far. */
  allocatedBytes(): number {
    let bytes = 0;
    for (const chunk of this.chunks) if (chunk !== undefined) bytes += chunk.byteLength;
    return bytes;
  }
}
