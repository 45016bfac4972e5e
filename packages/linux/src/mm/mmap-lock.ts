// mmap_lock and the 6.4+ per-VMA locks, as the one RwLock UnikernelMemory sees for every address
// of the mm (the VM allocator's vmaLock). UnikernelMemory takes that lock for write in mmap,
// munmap, mprotect and madvise, and for read in faults; this class routes the two modes:
//
// - write: mmap_lock (an RwSemaphore, @unimem/hw's Linux rw_semaphore: writers spin on a running
//   writer owner, briefly on readers, then sleep; readers sleep behind a writer and are granted
//   the lock by its release). While it is held, every VMA the operation finds (findIntersecting)
//   or inserts is write-locked too — vma_start_write() — until mmap_write_unlock() releases them
//   all, so a fault on a VMA under change waits for the writer, as Linux's does (there it falls
//   back to mmap_lock, which the writer holds: the same wait).
// - read with per-VMA locks (lock_vma_under_rcu): the VMA is looked up in the maple tree (no
//   lock: RCU), and its own RwSemaphore (vma->vm_lock, an rw_semaphore in 6.4-6.10) is taken
//   for read. No VMA — or, with `anonVmaFallback`, the VMA's first fault — falls back to
//   mmap_lock for read.
// - read without per-VMA locks (before 6.4): mmap_lock for read.
//
// The fault handler then looks the VMA up again (UnikernelMemory's fault does its own find): the
// second walk touches the lines the first one brought in. Invariant: a core holds at most one
// mode of this lock at a time, and every VMA lock taken is released by the matching unlock.

import type { RwLock } from '@unimem/core';
import { type Machine, RwSemaphore, type SimRwLock } from '@unimem/hw';
import type { KernelVma } from '@unimem/kernel-api';
import type { VmaTree } from '@unimem/vma-tree';

export interface MmapLockOptions {
  perVmaLocks: boolean;
  anonVmaFallback: boolean;
}

export class MmapLock implements RwLock {
  readonly name = 'mmap_lock';
  /** The rw-semaphore `mm->mmap_lock`. */
  readonly mmapLock: SimRwLock;
  /** Faults that took a per-VMA lock, and faults that fell back to mmap_lock. */
  readonly counts = { vmaLockReads: 0, mmapLockReads: 0 };
  private readonly vmaLocks = new WeakMap<KernelVma, SimRwLock>();
  private readonly faulted = new WeakSet<KernelVma>();
  /** The address the next readLock is for (set by the VM allocator's vmaLock(addr)). */
  private addr = 0;
  /** Per core: the lock a read hold took (mmap_lock or a VMA's). */
  private readonly readHeld: (SimRwLock | null)[];
  /** VMA locks write-locked under the current mmap_lock write hold. */
  private readonly writeHeld = new Set<SimRwLock>();
  private writer = -1;
  private index: VmaTree<KernelVma> | null = null;

  constructor(
    private readonly machine: Machine,
    private readonly options: MmapLockOptions,
  ) {
    this.mmapLock = new RwSemaphore(machine, 'mmap_lock');
    this.readHeld = new Array<SimRwLock | null>(machine.cores).fill(null);
  }

  /** The mm's VMA tree (set once by the VM allocator). */
  attach(index: VmaTree<KernelVma>): void {
    this.index = index;
  }

  /** The address of the access the next readLock serves. */
  target(addr: number): this {
    this.addr = addr;
    return this;
  }

  /** The per-VMA lock of `vma` (made on first use; split pieces get their own). */
  vmaLock(vma: KernelVma): SimRwLock {
    let lock = this.vmaLocks.get(vma);
    if (lock === undefined) {
      lock = new RwSemaphore(this.machine, 'vm_lock');
      this.vmaLocks.set(vma, lock);
    }
    return lock;
  }

  readLock(core: number): void {
    let lock = this.mmapLock;
    if (this.options.perVmaLocks && this.index !== null) {
      const vma = this.index.find(this.addr);
      if (vma !== undefined) {
        const first = !this.faulted.has(vma);
        this.faulted.add(vma);
        if (!(first && this.options.anonVmaFallback)) lock = this.vmaLock(vma);
      }
    }
    if (lock === this.mmapLock) this.counts.mmapLockReads++;
    else this.counts.vmaLockReads++;
    lock.readLock(core);
    this.readHeld[core] = lock;
  }

  readUnlock(core: number): void {
    const lock = this.readHeld[core];
    if (lock === null || lock === undefined) {
      throw new Error(`mmap_lock: core ${core} releases a read hold it does not have`);
    }
    this.readHeld[core] = null;
    lock.readUnlock(core);
  }

  writeLock(core: number): void {
    this.mmapLock.writeLock(core);
    this.writer = core;
  }

  writeUnlock(core: number): void {
    for (const lock of this.writeHeld) lock.writeUnlock(core);
    this.writeHeld.clear();
    this.writer = -1;
    this.mmapLock.writeUnlock(core);
  }

  /** vma_start_write(): called by the tree for every VMA a writer finds or inserts. */
  writeVma(vma: KernelVma): void {
    if (this.writer < 0 || !this.options.perVmaLocks) return;
    const lock = this.vmaLock(vma);
    if (this.writeHeld.has(lock)) return;
    lock.writeLock(this.writer);
    this.writeHeld.add(lock);
  }
}
