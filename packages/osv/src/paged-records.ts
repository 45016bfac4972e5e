// Several per-frame Int32 fields kept side by side in one record per frame, in chunks allocated
// on first write (as PagedInt32, paged-array.ts, keeps one field). page_range_allocator reaches
// a freed frame's range size, back-pointer and list links together, and the frame is a random
// one: with one paged array per field each was a host cache miss of its own (the page-ranges
// frame benchmark at 16 cores spent a quarter of its host time on the first load of these
// arrays). One 16-byte record per frame brings all four with the first load. A field is read and
// written through its column (`column(field)`), which has PagedInt32's get/set. Invariant: every
// field of an entry equals its default until it is written.

/** log2 of the records per chunk (16 Ki records of 4 fields = 256 KiB). */
const CHUNK_SHIFT = 14;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;
/** Fields per record: a power of two, so a record never straddles a host cache line. */
const FIELDS_SHIFT = 2;
const MAX_FIELDS = 1 << FIELDS_SHIFT;

export class PagedRecords {
  private readonly chunks: Array<Int32Array | undefined>;
  /** One record of defaults, copied into each new chunk. */
  private readonly pattern: Int32Array;

  constructor(
    readonly length: number,
    readonly defaults: readonly number[],
  ) {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`paged records length ${length} must be a non-negative integer`);
    }
    if (defaults.length < 1 || defaults.length > MAX_FIELDS) {
      throw new RangeError(`paged records fields ${defaults.length} must be 1..${MAX_FIELDS}`);
    }
    this.pattern = new Int32Array(MAX_FIELDS);
    this.pattern.set(defaults);
    this.chunks = new Array(Math.ceil(length / (CHUNK_MASK + 1))).fill(undefined);
  }

  /** Field `field` of every record, as a PagedInt32-like column. */
  column(field: number): PagedColumn {
    if (!Number.isInteger(field) || field < 0 || field >= this.defaults.length) {
      throw new RangeError(`paged records field ${field} must be 0..${this.defaults.length - 1}`);
    }
    return new PagedColumn(this, field, this.defaults[field]);
  }

  /** The chunk holding record `index`, undefined if none was written. */
  chunkOf(index: number): Int32Array | undefined {
    return this.chunks[index >>> CHUNK_SHIFT];
  }

  /** The chunk holding record `index`, allocated with every field at its default. */
  allocate(index: number): Int32Array {
    const chunk = new Int32Array((CHUNK_MASK + 1) << FIELDS_SHIFT);
    if (this.pattern.some((v) => v !== 0)) {
      for (let at = 0; at < chunk.length; at += MAX_FIELDS) chunk.set(this.pattern, at);
    }
    this.chunks[index >>> CHUNK_SHIFT] = chunk;
    return chunk;
  }

  /** Bytes of chunks allocated so far. */
  allocatedBytes(): number {
    let bytes = 0;
    for (const chunk of this.chunks) if (chunk !== undefined) bytes += chunk.byteLength;
    return bytes;
  }
}

/** One field of a PagedRecords: get/set by frame, as PagedInt32. */
export class PagedColumn {
  readonly length: number;

  constructor(
    private readonly records: PagedRecords,
    private readonly field: number,
    readonly defaultValue: number,
  ) {
    this.length = records.length;
  }

  get(index: number): number {
    const chunk = this.records.chunkOf(index);
    return chunk === undefined
      ? this.defaultValue
      : chunk[((index & CHUNK_MASK) << FIELDS_SHIFT) + this.field];
  }

  set(index: number, value: number): void {
    let chunk = this.records.chunkOf(index);
    if (chunk === undefined) {
      if (value === this.defaultValue) return;
      chunk = this.records.allocate(index);
    }
    chunk[((index & CHUNK_MASK) << FIELDS_SHIFT) + this.field] = value;
  }
}
