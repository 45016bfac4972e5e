// The memory systems the suites run on: OSv presets (UnikernelMemory: the Kernel API is there)
// and Linux (no Kernel API), each booted on a fresh machine, with access to their page table and
// TLBs for the invariant checks.
import type { MemorySystem } from '@unimem/core';
import { Machine } from '@unimem/hw';
import type { UnikernelKernelApi } from '@unimem/kernel-api';
import { LinuxMemory } from '@unimem/linux';
import { buildOsvPreset } from '@unimem/systems';

export type SystemName = 'osv-superblock' | 'osv' | 'linux';

export interface TestSystem {
  machine: Machine;
  memory: MemorySystem;
  kernel: UnikernelKernelApi;
}

export const MEMORY_BYTES = 256 * 2 ** 20;

export function bootSystem(name: SystemName, cores: number, seed = 1): TestSystem {
  const machine = new Machine({ cores, seed });
  if (name === 'linux') {
    const memory = new LinuxMemory({ machine, memoryBytes: MEMORY_BYTES });
    memory.boot();
    return { machine, memory, kernel: memory.kernel };
  }
  const preset = buildOsvPreset(name, machine, { memoryBytes: MEMORY_BYTES });
  preset.memory.boot();
  return { machine, memory: preset.memory, kernel: preset.memory.kernel };
}

/** Whether the page table maps `address`. */
export function translated(system: TestSystem): (address: number) => boolean {
  return (address) => system.kernel.pageTable.translate(address) !== undefined;
}
