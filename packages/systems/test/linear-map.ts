// The Malloc suite checks that every block lies in memory the allocator mapped through the memory
// system it was given. OSv's malloc hands out pool objects, whole pages and malloc_large blocks
// at linear-map addresses: memory mapped at boot, never through mmap. This wrapper lets a test
// show the suite's observer that mapping: a MAP_FIXED mmap of exactly the linear map's range
// returns its address without doing anything (the range is mapped already); everything else is
// passed through unchanged.

import {
  type AddressResult,
  type ErrnoStatus,
  MapFlags,
  type MemoryStats,
  type MemorySystem,
  Prot,
} from '@unimem/core';
import { LINEAR_BASE, type UnikernelMemory } from '@unimem/kernel-api';

const ANNOUNCE = MapFlags.FIXED | MapFlags.PRIVATE | MapFlags.ANONYMOUS;

class LinearMapShown implements MemorySystem {
  readonly name: string;
  readonly cores: number;

  constructor(private readonly inner: UnikernelMemory) {
    this.name = inner.name;
    this.cores = inner.cores;
  }

  boot(): void {}

  mmap(core: number, length: number, prot: number, flags: number, addr?: number): AddressResult {
    if (flags === ANNOUNCE && addr === LINEAR_BASE && length === this.inner.memoryBytes) {
      return LINEAR_BASE;
    }
    return this.inner.mmap(core, length, prot, flags, addr);
  }

  munmap(core: number, addr: number, length: number): ErrnoStatus {
    return this.inner.munmap(core, addr, length);
  }

  mprotect(core: number, addr: number, length: number, prot: number): ErrnoStatus {
    return this.inner.mprotect(core, addr, length, prot);
  }

  madvise(core: number, addr: number, length: number, advice: number): ErrnoStatus {
    return this.inner.madvise(core, addr, length, advice);
  }

  touch(core: number, addr: number, write: boolean): ErrnoStatus {
    return this.inner.touch(core, addr, write);
  }

  stats(): MemoryStats {
    return this.inner.stats();
  }
}

/**
 * `observe` (the suite's) wrapped around booted `memory`, with the linear map shown to it.
 * Returns the observed memory system to hand to the allocator.
 */
export function observedWithLinearMap(
  memory: UnikernelMemory,
  observe: (memory: MemorySystem) => MemorySystem,
): MemorySystem {
  const observed = observe(new LinearMapShown(memory));
  const shown = observed.mmap(0, memory.memoryBytes, Prot.READ | Prot.WRITE, ANNOUNCE, LINEAR_BASE);
  if (shown !== LINEAR_BASE) throw new Error(`the linear map was not shown (${shown})`);
  return observed;
}
