// Run by scripts/pack-check.mjs in an empty project where the packed @unimem/osv is installed
// (with @unimem/core and @unimem/hw): the page-range allocator and the pools over it, natively
// and on a simulated machine, from dist.
import { AllocError, Ok } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { PagePools, PageRangeAllocator } from '@unimem/osv';

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
console.log('@unimem/osv smoke: ok (page ranges and pools, native and simulated)');
