// A flat bitmap with one bit per frame over 32-bit words: OSv's coalescing bitmap
// (boost::dynamic_bitset, one bit per 4 KiB page) and the model's own bookkeeping bits. At 500 GiB
// it is 16 MiB, as in OSv. Range operations work a word at a time.

export class Bitmap {
  readonly words: Uint32Array;

  constructor(readonly bits: number) {
    if (!Number.isSafeInteger(bits) || bits < 0) {
      throw new RangeError(`bitmap size ${bits} must be a non-negative integer`);
    }
    this.words = new Uint32Array(Math.ceil(bits / 32));
  }

  get(bit: number): boolean {
    return (this.words[bit >>> 5] & (1 << (bit & 31))) !== 0;
  }

  set(bit: number): void {
    this.words[bit >>> 5] |= 1 << (bit & 31);
  }

  clear(bit: number): void {
    this.words[bit >>> 5] &= ~(1 << (bit & 31));
  }

  /** Sets (value true) or clears every bit of [first, first + count). */
  fill(first: number, count: number, value: boolean): void {
    let bit = first;
    const end = first + count;
    while (bit < end) {
      const inWord = bit & 31;
      const take = Math.min(32 - inWord, end - bit);
      const mask = take === 32 ? 0xffffffff : ((1 << take) - 1) << inWord;
      const w = bit >>> 5;
      this.words[w] = value ? this.words[w] | mask : this.words[w] & ~mask;
      bit += take;
    }
  }

  /** True when some bit of [first, first + count) is set. */
  anySet(first: number, count: number): boolean {
    let bit = first;
    const end = first + count;
    while (bit < end) {
      const inWord = bit & 31;
      const take = Math.min(32 - inWord, end - bit);
      const mask = take === 32 ? 0xffffffff : ((1 << take) - 1) << inWord;
      if ((this.words[bit >>> 5] & mask) !== 0) return true;
      bit += take;
    }
    return false;
  }

  /** Highest set bit at or below `from`, or -1. */
  previousSet(from: number): number {
    let w = from >>> 5;
    let word = this.words[w] & (0xffffffff >>> (31 - (from & 31)));
    for (;;) {
      if (word !== 0) return w * 32 + 31 - Math.clz32(word);
      if (w === 0) return -1;
      word = this.words[--w];
    }
  }

  /** Number of set bits. */
  count(): number {
    let n = 0;
    for (const word of this.words) {
      let v = word - ((word >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return n;
  }
}
