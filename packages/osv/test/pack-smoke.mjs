// Run by scripts/pack-check.mjs in an empty project where the packed @unimem/osv is installed
// (with its dependencies: core, hw, vma-tree, kernel-api): the page-range allocator and the pools
// over it, natively and on a simulated machine, the vma_list allocator natively, and OSv's malloc
// on a UnikernelMemory made of these parts alone, from dist.
import { AllocError, Errno, MiB, Ok } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { UnikernelMemory } from '@unimem/kernel-api';
import { OsvMalloc, OsvVmAllocator, PagePools, PageRangeAllocator } from '@unimem/osv';

const ranges = new PageRangeAllocator({ frames: 1 << 14, cores: 2 });
const huge = ranges.get(1, 9);
if (huge % 512 !== 0 || ranges.freeFrames() !== (1 << 14) - 512) throw new Error(`huge ${huge}`);
if (ranges.put(1, huge, 9) !== Ok || ranges.put(1, huge, 9) !== AllocError.Address) {
  throw new Error('put / double put');
}
const machine = new Machine({ cores: 2 });
const under = new PageRangeAllocator({ frames: 1 << 14, cores: 2, machine });
const pools = new PagePools({ allocator: under, machine });
const page = pools.get(0, 0);
if (page < 0 || pools.freeFrames() !== (1 << 14) - 1 || pools.pooledFrames() === 0) {
  throw new Error(`pools: page ${page}, pooled ${pools.pooledFrames()}`);
}
if (machine.now(0) === 0) throw new Error('the simulated core was not charged');
if (pools.put(1, page, 0) !== Ok) throw new Error('pools put');
pools.drainAll();
if (under.freeFrames() !== 1 << 14 || under.rangeCount() !== 1) throw new Error('drainAll');
const vm = new OsvVmAllocator({ cores: 2 });
const range = vm.reserveRange(1, 8192, 4096);
if (range !== 0x2000_0000_0000 || vm.freeRange(range, 8192) !== Ok) throw new Error('vma_list');
if (vm.freeRange(range, 8192) !== Errno.EINVAL) throw new Error('vma_list double free');
const osvMachine = new Machine({ cores: 2 });
let osvRanges;
const memory = new UnikernelMemory({
  machine: osvMachine,
  memoryBytes: 64 * MiB,
  frames: ({ frames, cores }) => {
    osvRanges = new PageRangeAllocator({ frames, cores, machine: osvMachine });
    return new PagePools({ allocator: osvRanges, machine: osvMachine });
  },
  vm: ({ cores }) => new OsvVmAllocator({ cores, machine: osvMachine }),
});
memory.boot();
const malloc = new OsvMalloc({
  kernel: memory.kernel,
  mapper: memory,
  pageRanges: osvRanges,
  maxOrder: osvRanges.maxOrder,
});
const object = malloc.malloc(1, 100);
if (object < 0 || malloc.usableSize(object) !== 128 || malloc.free(0, object) !== Ok) {
  throw new Error(`osv malloc: ${object}`);
}
console.log('@unimem/osv smoke: ok (page ranges and pools, vma_list, OSv malloc on them)');
