import { describe, expect, it } from 'vitest';
import {
  AllocError,
  alignDown,
  alignUp,
  allocErrorName,
  Errno,
  errnoName,
  formatBytes,
  framesOf,
  GiB,
  isError,
  isPowerOfTwo,
  KiB,
  MiB,
  mulberry32,
  orderBytes,
  orderFor,
  pagesFor,
  parseSize,
} from '../src/index.js';

describe('sizes', () => {
  it('parses sizes with binary units and rejects junk naming it', () => {
    expect(parseSize('4096')).toBe(4096);
    expect(parseSize('4KiB')).toBe(4 * KiB);
    expect(parseSize('2M')).toBe(2 * MiB);
    expect(parseSize('1.5 GiB')).toBe(1.5 * GiB);
    expect(parseSize('500G')).toBe(500 * GiB);
    expect(parseSize(12)).toBe(12);
    expect(() => parseSize('12 parsecs')).toThrow(/"12 parsecs"/);
    expect(() => parseSize('-4K')).toThrow(/"-4K"/);
    expect(() => parseSize('0.3')).toThrow(/whole number/);
    expect(() => parseSize(-1)).toThrow(/-1/);
  });

  it('formats bytes with the largest unit', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4 * KiB)).toBe('4 KiB');
    expect(formatBytes(1.5 * GiB)).toBe('1.5 GiB');
    expect(formatBytes(1.999 * MiB)).toBe('2 MiB');
    expect(formatBytes(1.004 * GiB)).toBe('1 GiB');
    expect(formatBytes(100.25 * MiB)).toBe('100.25 MiB');
    expect(formatBytes(4 * KiB + 1)).toBe('4 KiB');
  });

  it('converts between orders, pages and bytes', () => {
    expect(framesOf(8 * GiB)).toBe(2 * 1024 * 1024);
    expect(framesOf(4096 * 3 - 1)).toBe(2);
    expect(orderBytes(0)).toBe(4096);
    expect(orderBytes(9)).toBe(2 * MiB);
    expect(orderFor(1)).toBe(0);
    expect(orderFor(4097)).toBe(1);
    expect(orderFor(2 * MiB)).toBe(9);
    expect(pagesFor(4097)).toBe(2);
    expect(alignUp(4097, 4096)).toBe(8192);
    expect(alignDown(8191, 4096)).toBe(4096);
    expect(isPowerOfTwo(1024)).toBe(true);
    expect(isPowerOfTwo(1000)).toBe(false);
    expect(isPowerOfTwo(0)).toBe(false);
  });
});

describe('errors', () => {
  it('are negative values with names', () => {
    expect(isError(AllocError.Memory)).toBe(true);
    expect(isError(0)).toBe(false);
    expect(allocErrorName(AllocError.Address)).toBe('Address');
    expect(errnoName(Errno.EINVAL)).toBe('EINVAL');
    expect(errnoName(-999)).toBe('unknown(-999)');
  });
});

describe('mulberry32', () => {
  it('is deterministic per seed and uniform-ish', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });
});
