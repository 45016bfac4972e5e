// Run by scripts/pack-check.mjs in an empty project where the packed @unimem/osv is installed
// (with its dependencies: core, hw, llfree, vma-tree, superblock, kernel-api, jemalloc): the
// page-range allocator and the pools over it, natively and on a simulated machine, the
// vma_list allocator natively, and the osv preset booted with its malloc, from dist.
import { AllocError, Errno, MiB, Ok } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { buildOsvPreset, OsvVmAllocator, PagePools, PageRangeAllocator } from '@unimem/osv';

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
const osv = buildOsvPreset('osv', new Machine({ cores: 2 }), { memoryBytes: 64 * MiB });
osv.memory.boot();
const malloc = osv.malloc();
const object = malloc.malloc(1, 100);
if (object < 0 || malloc.usableSize(object) !== 128 || malloc.free(0, object) !== Ok) {
  throw new Error(`osv preset malloc: ${object}`);
}
console.log('@unimem/osv smoke: ok (page ranges and pools, vma_list, osv preset with malloc)');
