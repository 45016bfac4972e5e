// Run by scripts/pack-check.mjs in an empty project where the packed packages are installed
// (list packages/core, packages/hw, packages/vma-tree, packages/superblock, packages/kernel-api
// and packages/vmcache). Boots a small unikernel and runs a buffer pool on its Kernel API.
import { ReferenceFrameAllocator } from '@unimem/core';
import { Machine, SimRwLock } from '@unimem/hw';
import { UnikernelMemory } from '@unimem/kernel-api';
import { SuperblockAllocator } from '@unimem/superblock';
import { VmaTree } from '@unimem/vma-tree';
import { BufferManager } from '@unimem/vmcache';

const machine = new Machine({ cores: 2 });
const memory = new UnikernelMemory({
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
memory.boot();
const pool = BufferManager.create({
  machine,
  memory,
  backend: 'kernel-api',
  dataPages: 256,
  poolPages: 32,
});
machine.run((core) =>
  (function* () {
    for (let pid = core; pid < 256; pid += 2) {
      const address = yield* pool.fixX(core, pid);
      memory.touch(core, address, true);
      pool.unfixX(core, pid, true);
    }
  })(),
);
const { evictions } = pool.stats();
pool.close(0);
if (evictions < 200) throw new Error(`expected evictions, got ${evictions}`);
console.log(`@unimem/vmcache smoke: ok (${evictions} evictions)`);
