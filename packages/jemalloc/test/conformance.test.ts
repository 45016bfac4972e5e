// The Malloc conformance suite over the test double (with its small-address-space exhaustion
// test), in several configurations, and over kernel-api's UnikernelMemory on a simulated machine.

import { mallocSuite, TestMemory } from '@unimem/core/testing';
import { Jemalloc } from '../src/index.js';
import { unikernel } from './unikernel.js';

mallocSuite(
  'jemalloc (thesis configuration) over the test memory',
  ({ cores, observe, addressSpaceBytes }) =>
    new Jemalloc({ memory: observe(new TestMemory({ cores, addressSpaceBytes })) }),
  { limitedAddressSpace: true },
);

mallocSuite(
  'jemalloc with tcache, 2 arenas, decay 0, no cache-oblivious placement',
  ({ cores, observe, addressSpaceBytes }) =>
    new Jemalloc({
      memory: observe(new TestMemory({ cores, addressSpaceBytes })),
      tcache: true,
      percpuArena: false,
      narenas: 2,
      dirtyDecayMs: 0,
      cacheOblivious: false,
    }),
  {
    limitedAddressSpace: true,
    alignment: (size) => (size > 14 * 1024 ? 4096 : size <= 8 ? 8 : 16),
  },
);

mallocSuite(
  'jemalloc (DuckDB settings, decay every tick) over unaligned mmaps',
  ({ cores, observe, addressSpaceBytes }) =>
    new Jemalloc({
      memory: observe(new TestMemory({ cores, addressSpaceBytes, hugeAlign: false })),
      percpuArena: false,
      narenas: 2,
      dirtyDecayMs: 1,
      muzzyDecayMs: 1,
      decayTicks: 1,
      oversizeThreshold: 256 * 1024 * 1024,
      clock: (() => {
        let now = 0;
        return () => (now += 0.0001);
      })(),
    }),
  { limitedAddressSpace: true },
);

mallocSuite(
  'jemalloc over kernel-api UnikernelMemory (simulated machine)',
  ({ cores, observe }) => {
    const { machine, memory } = unikernel(cores);
    return new Jemalloc({ memory: observe(memory), machine });
  },
  { runs: 8 },
);
