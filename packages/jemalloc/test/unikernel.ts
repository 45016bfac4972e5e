// jemalloc over the unikernel memory subsystem of @unimem/kernel-api (the thesis' optimized OSv
// parts that are public: superblock VM allocator, VMA trees; untraced reference frames to keep
// the tests fast), on a small simulated machine.

import { ReferenceFrameAllocator } from '@unimem/core';
import { Machine, SimRwLock } from '@unimem/hw';
import { type KernelVma, UnikernelMemory } from '@unimem/kernel-api';
import { SuperblockAllocator } from '@unimem/superblock';
import { VmaTree } from '@unimem/vma-tree';

export function unikernel(cores: number, memoryBytes = 512 * 1024 * 1024) {
  const machine = new Machine({ cores });
  const memory = new UnikernelMemory({
    machine,
    memoryBytes,
    frames: ({ frames, cores }) => new ReferenceFrameAllocator({ frames, cores }),
    vm: ({ cores }) =>
      new SuperblockAllocator<KernelVma>({
        cores,
        lock: (name) => new SimRwLock(machine, name),
        index: () => new VmaTree<KernelVma>({ tracer: machine.lines }),
        tracer: machine.lines,
      }),
  });
  memory.boot();
  return { machine, memory };
}
