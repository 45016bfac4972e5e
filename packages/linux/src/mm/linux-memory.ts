// LinuxMemory: the Linux memory system as a MemorySystem. It is @unimem/kernel-api's
// UnikernelMemory configured with Linux's parts — BuddyAllocator frames, one mm (LinuxVmAllocator:
// the maple tree under mmap_lock, per-VMA locks for faults), shootdowns targeted at the cores that
// ran the process with Linux's 33-page full-flush ceiling and one flush per call, THP in madvise
// mode — wrapped to add what a unikernel does not pay: syscall entry and exit (the profile's
// `syscall` cost) on every mmap, munmap, mprotect and madvise. Faults are charged faultEntry and
// zeroing by UnikernelMemory's fault path; touches cost no syscall.

import type { AddressResult, ErrnoStatus, MemorySystem } from '@unimem/core';
import type { Machine } from '@unimem/hw';
import {
  DEFAULT_ADDRESS_LIMIT,
  type UnikernelKernelApi,
  UnikernelMemory,
  type UnikernelStats,
} from '@unimem/kernel-api';
import { BuddyAllocator } from '../buddy/buddy-allocator.js';
import { LINUX_GATHER_PAGES, type LinuxMemoryOptions, type ThpMode } from './api.js';
import { MmapLock } from './mmap-lock.js';
import { LinuxVmAllocator } from './vm-allocator.js';

export class LinuxMemory implements MemorySystem {
  readonly name: string;
  readonly cores: number;
  readonly thp: ThpMode;
  readonly perVmaLocks: boolean;
  /** mmap_lock with the per-VMA locks; `mmapLock.mmapLock` is the rw-semaphore's SimRwLock. */
  readonly mmapLock: MmapLock;
  /** The configured unikernel subsystem doing the work. */
  readonly inner: UnikernelMemory;
  private readonly machine: Machine;
  private readonly syscallCycles: number;
  private vmAllocator: LinuxVmAllocator | null = null;

  constructor(options: LinuxMemoryOptions) {
    const { machine } = options ?? {};
    if (machine === undefined || machine === null || typeof machine.charge !== 'function') {
      throw new RangeError(`machine ${machine} is not a Machine`);
    }
    const thp = options.thp ?? 'madvise';
    if (thp !== 'always' && thp !== 'madvise' && thp !== 'never') {
      throw new RangeError(`thp "${thp}" must be 'always', 'madvise' or 'never'`);
    }
    this.machine = machine;
    this.name = options.name ?? 'linux';
    this.cores = machine.cores;
    this.thp = thp;
    this.perVmaLocks = options.perVmaLocks ?? true;
    this.syscallCycles = machine.costs.syscall;
    this.mmapLock = new MmapLock(machine, {
      perVmaLocks: this.perVmaLocks,
      anonVmaFallback: options.anonVmaFallback ?? false,
    });
    const limit = options.addressLimit ?? DEFAULT_ADDRESS_LIMIT;
    this.inner = new UnikernelMemory({
      machine,
      name: this.name,
      memoryBytes: options.memoryBytes,
      frames:
        options.frames ?? (({ frames, cores }) => new BuddyAllocator({ frames, cores, machine })),
      vm: () => {
        this.vmAllocator = new LinuxVmAllocator({
          tracer: machine.lines,
          lock: this.mmapLock,
          thpMadvise: thp === 'madvise',
          limit,
        });
        return this.vmAllocator;
      },
      runCores: options.runCores,
      tlbFlush: 'invlpg',
      invlpgTargets: 'run',
      // Guest Linux under KVM uses PV TLB flush and PV send-IPI (arch/x86/kernel/kvm.c).
      ipiMode: 'paravirtual',
      tlbGatherPages: options.tlbGatherPages ?? LINUX_GATHER_PAGES,
      hugePages: thp !== 'never',
      // folio_zero_user clears a THP as 512 pages in process_huge_page's order (mm/memory.c,
      // until Linux commit 9890ecab6ad9 in 2026): the Linux the thesis measured.
      hugeZeroing: 'by-pages',
      addressLimit: limit,
      tlb: options.tlb,
    });
  }

  boot(): void {
    this.inner.boot();
  }

  /** The mm's VM allocator (after boot). */
  get vm(): LinuxVmAllocator {
    if (this.vmAllocator === null) throw new Error(`${this.name}: not booted`);
    return this.vmAllocator;
  }

  /** The kernel-internal API of the subsystem (for tests and tools). */
  get kernel(): UnikernelKernelApi {
    return this.inner.kernel;
  }

  mmap(core: number, length: number, prot: number, flags: number, addr?: number): AddressResult {
    this.syscall(core);
    return this.inner.mmap(core, length, prot, flags, addr);
  }

  munmap(core: number, addr: number, length: number): ErrnoStatus {
    this.syscall(core);
    return this.inner.munmap(core, addr, length);
  }

  mprotect(core: number, addr: number, length: number, prot: number): ErrnoStatus {
    this.syscall(core);
    return this.inner.mprotect(core, addr, length, prot);
  }

  madvise(core: number, addr: number, length: number, advice: number): ErrnoStatus {
    this.syscall(core);
    return this.inner.madvise(core, addr, length, advice);
  }

  touch(core: number, addr: number, write: boolean): ErrnoStatus {
    return this.inner.touch(core, addr, write);
  }

  stats(): UnikernelStats {
    return this.inner.stats();
  }

  /** Syscall entry and exit, charged to a valid core (a bad core is refused by the call). */
  private syscall(core: number): void {
    if (Number.isInteger(core) && core >= 0 && core < this.cores) {
      this.machine.charge(this.syscallCycles, core);
    }
  }
}
