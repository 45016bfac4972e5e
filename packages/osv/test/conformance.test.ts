// The shared FrameAllocator contract for the page-range allocator and for the page pools over
// it (and over an allocator without the batch interface), natively and charging a Machine.
import { ReferenceFrameAllocator } from '@unimem/core';
import { frameAllocatorSuite } from '@unimem/core/testing';
import { Machine } from '@unimem/hw';
import { PagePools, PageRangeAllocator } from '../src/index.js';

frameAllocatorSuite(
  'page-ranges',
  ({ frames, cores }) => new PageRangeAllocator({ frames, cores }),
);
frameAllocatorSuite(
  'page-ranges (simulated)',
  ({ frames, cores }) => new PageRangeAllocator({ frames, cores, machine: new Machine({ cores }) }),
);
frameAllocatorSuite(
  'page-ranges (huge ranges: 2^17 frames)',
  ({ frames, cores }) => new PageRangeAllocator({ frames, cores }),
  { frames: 1 << 17, cores: 2 },
);
frameAllocatorSuite(
  'pools over page-ranges',
  ({ frames, cores }) => new PagePools({ allocator: new PageRangeAllocator({ frames, cores }) }),
);
frameAllocatorSuite('pools over page-ranges (simulated)', ({ frames, cores }) => {
  const machine = new Machine({ cores });
  return new PagePools({
    allocator: new PageRangeAllocator({ frames, cores, machine }),
    machine,
  });
});
frameAllocatorSuite(
  'pools over page-ranges (no workers)',
  ({ frames, cores }) =>
    new PagePools({ allocator: new PageRangeAllocator({ frames, cores }), workers: 'none' }),
);
frameAllocatorSuite(
  'pools over the reference allocator (no batch interface)',
  ({ frames, cores }) =>
    new PagePools({ allocator: new ReferenceFrameAllocator({ frames, cores }) }),
  { frames: 1 << 13 },
);
