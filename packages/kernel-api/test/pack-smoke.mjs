// Run by scripts/pack-check.mjs in an empty project where the packed packages are installed
// (list packages/core, packages/hw, packages/vma-tree, packages/superblock and
// packages/kernel-api). Boots a small optimized OSv and maps, touches and unmaps a page.
import { MapFlags, Ok, Prot, ReferenceFrameAllocator } from '@unimem/core';
import { Machine, SimRwLock } from '@unimem/hw';
import { UnikernelMemory } from '@unimem/kernel-api';
import { SuperblockAllocator } from '@unimem/superblock';
import { VmaTree } from '@unimem/vma-tree';

const machine = new Machine({ cores: 4 });
const system = new UnikernelMemory({
  machine,
  memoryBytes: 64 * 2 ** 20,
  frames: ({ frames, cores }) => new ReferenceFrameAllocator({ frames, cores }),
  vm: ({ cores }) =>
    new SuperblockAllocator({
      cores,
      lock: (name) => new SimRwLock(machine, name),
      index: () => new VmaTree(),
    }),
});
system.boot();
const addr = system.mmap(1, 4096, Prot.READ | Prot.WRITE, MapFlags.PRIVATE | MapFlags.ANONYMOUS);
if (addr < 0 || system.touch(1, addr, true) !== Ok || system.munmap(1, addr, 4096) !== Ok) {
  throw new Error(`mmap/touch/munmap failed (${addr})`);
}
console.log(`@unimem/kernel-api smoke: ok (boot ${system.bootReport.cycles} cycles)`);
