// The locks for components built without a machine: NativeMutex and NativeRwLock count and reject
// misuse (a second acquire, readers included, and a release by another core); freeLock accepts
// anything, as it stands for state another lock guards.

import { describe, expect, it } from 'vitest';
import { freeLock, NativeMutex, NativeRwLock } from '../src/index.js';

describe('NativeMutex', () => {
  it('counts acquisitions and records the holder', () => {
    const mutex = new NativeMutex('free_page_ranges_lock');
    for (const core of [0, 3, 0]) {
      mutex.lock(core);
      expect(mutex.heldBy).toBe(core);
      mutex.unlock(core);
    }
    expect(mutex.heldBy).toBe(-1);
    expect(mutex.stats.acquisitions).toBe(3);
  });

  it('rejects recursive and foreign use, naming the lock and the cores', () => {
    const mutex = new NativeMutex('m');
    mutex.lock(1);
    expect(() => mutex.lock(1)).toThrow('mutex "m": core 1 locks it while core 1 holds it');
    expect(() => mutex.lock(2)).toThrow('mutex "m": core 2 locks it while core 1 holds it');
    expect(() => mutex.unlock(2)).toThrow('mutex "m": core 2 unlocks it but 1 holds it');
    mutex.unlock(1);
    expect(() => mutex.unlock(1)).toThrow('mutex "m": core 1 unlocks it but -1 holds it');
    expect(mutex.stats.acquisitions).toBe(1);
  });
});

describe('NativeRwLock', () => {
  it('counts reads and writes and lets a reader hold it alone', () => {
    const rw = new NativeRwLock('vma_list');
    rw.readLock(0);
    expect(() => rw.readLock(1)).toThrow(
      'rwlock "vma_list": core 1 locks it while core 0 holds it',
    );
    expect(() => rw.writeUnlock(1)).toThrow('rwlock "vma_list": core 1 unlocks it but 0 holds it');
    rw.readUnlock(0);
    rw.writeLock(1);
    rw.writeUnlock(1);
    expect(rw.stats).toEqual({ reads: 1, writes: 1 });
  });
});

describe('freeLock', () => {
  it('accepts nested and interleaved use by any core', () => {
    const lock = freeLock('mm (under mmap_lock)');
    lock.lock(0);
    lock.lock(1);
    lock.readLock(2);
    lock.writeLock(3);
    lock.unlock(5);
    lock.writeUnlock(0);
    expect(lock.name).toBe('mm (under mmap_lock)');
  });
});
