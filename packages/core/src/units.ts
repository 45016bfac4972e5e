// Units and size helpers. Sizes are plain numbers of bytes (exact up to 2^53, i.e. 8 PiB);
// frames are numbered from 0 in units of PAGE_SIZE.

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** Order of a 2 MiB huge frame. */
export const HUGE_ORDER = 9;
/** Largest order every FrameAllocator supports (4 MiB). */
export const MAX_ORDER = 10;
export const HUGE_SIZE = PAGE_SIZE << HUGE_ORDER;
/** Bytes in a cache line on every modelled machine. */
export const CACHE_LINE = 64;

/** Number of frames in a block of the given order. */
export function orderFrames(order: number): number {
  return 2 ** order;
}

/** Bytes in a block of the given order. */
export function orderBytes(order: number): number {
  return PAGE_SIZE * 2 ** order;
}

/** Smallest order whose block holds `bytes` (0 for anything up to one page). */
export function orderFor(bytes: number): number {
  let order = 0;
  while (orderBytes(order) < bytes) order++;
  return order;
}

/** Whole frames in `bytes` (rounded down: the frames a memory of that size has). */
export function framesOf(bytes: number): number {
  return Math.floor(bytes / PAGE_SIZE);
}

/** Pages needed to hold `bytes`. */
export function pagesFor(bytes: number): number {
  return Math.ceil(bytes / PAGE_SIZE);
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** `value` rounded up to a multiple of `align` (a power of two or any positive integer). */
export function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

/** `value` rounded down to a multiple of `align`. */
export function alignDown(value: number, align: number): number {
  return Math.floor(value / align) * align;
}

export function isAligned(value: number, align: number): boolean {
  return value % align === 0;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: KiB,
  kb: KiB,
  kib: KiB,
  m: MiB,
  mb: MiB,
  mib: MiB,
  g: GiB,
  gb: GiB,
  gib: GiB,
  t: TiB,
  tb: TiB,
  tib: TiB,
};

/**
 * Parses a size such as `4096`, `4KiB`, `2M`, `1.5GiB` or `500G` into bytes (binary units, as
 * the thesis configs use). Throws a RangeError naming the input when it cannot be parsed or is
 * not a whole number of bytes.
 */
export function parseSize(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isSafeInteger(text) || text < 0) {
      throw new RangeError(`size ${text} is not a non-negative whole number of bytes`);
    }
    return text;
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new RangeError(`size "${text}" is not a size (examples: 4096, 4KiB, 2M, 1.5GiB)`);
  }
  const bytes = Number(match[1]) * unit;
  if (!Number.isSafeInteger(bytes)) {
    throw new RangeError(`size "${text}" is not a whole number of bytes`);
  }
  return bytes;
}

/**
 * Formats bytes with the largest binary unit that keeps the number at least 1, with at most two
 * decimals and no trailing zeros (`4 KiB`, `1.5 GiB`, `1.33 MiB`, `512 B`).
 */
export function formatBytes(bytes: number): string {
  const units: Array<[number, string]> = [
    [TiB, 'TiB'],
    [GiB, 'GiB'],
    [MiB, 'MiB'],
    [KiB, 'KiB'],
  ];
  for (const [size, name] of units) {
    if (Math.abs(bytes) >= size) {
      const value = bytes / size;
      const digits = Number.isInteger(value)
        ? String(value)
        : value.toFixed(2).replace(/\.?0+$/, '');
      return `${digits} ${name}`;
    }
  }
  return `${bytes} B`;
}
