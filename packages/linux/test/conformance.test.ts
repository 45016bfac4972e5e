// The shared FrameAllocator contract, natively and in the simulator (charging a Machine).
import { frameAllocatorSuite } from '@unimem/core/testing';
import { Machine } from '@unimem/hw';
import { BuddyAllocator } from '../src/index.js';

frameAllocatorSuite('buddy', ({ frames, cores }) => new BuddyAllocator({ frames, cores }));
frameAllocatorSuite(
  'buddy (frames not a multiple of 2^10, one core)',
  ({ frames, cores }) => new BuddyAllocator({ frames, cores }),
  { frames: 4096 + 512 + 64 + 3 * 8, cores: 1, maxOrder: 3 },
);
frameAllocatorSuite(
  'buddy (small pcp: high 0, batch 1)',
  ({ frames, cores }) => new BuddyAllocator({ frames, cores, pcpBatch: 1, pcpHigh: 0 }),
  { frames: 8192 },
);
frameAllocatorSuite('buddy (simulated)', ({ frames, cores }) => {
  const machine = new Machine({ cores });
  return new BuddyAllocator({ frames, cores, machine });
});
