// The MemorySystem conformance suite over several assemblies of UnikernelMemory: the optimized
// OSv (LLFree + superblocks), the original-OSv shape (one bucket, readers taking the rwlock's
// internal mutex, mmap holding the vma lock across the reservation), the targeted INVLPG
// policy, and untraced reference parts.

import { memorySystemSuite } from '@unimem/core/testing';
import { Machine } from '@unimem/hw';
import { oneBucketOsv, optimizedOsv, referenceSystem } from './parts.js';

memorySystemSuite('osv-superblock (LLFree + superblocks)', ({ cores, memoryBytes }) =>
  optimizedOsv(new Machine({ cores }), { memoryBytes }),
);

memorySystemSuite('one bucket, readerMutex, reserve under the vma lock', ({ cores, memoryBytes }) =>
  oneBucketOsv(new Machine({ cores }), {
    memoryBytes,
    readerMutex: true,
    reserveUnderVmaLock: true,
  }),
);

memorySystemSuite('osv-superblock, invlpg to holders, no huge pages', ({ cores, memoryBytes }) =>
  optimizedOsv(new Machine({ cores }), {
    memoryBytes,
    tlbFlush: 'invlpg',
    invlpgTargets: 'holders',
    hugePages: false,
  }),
);

memorySystemSuite(
  'reference frames, one bucket, 1 GiB linear pages',
  ({ cores, memoryBytes }) =>
    referenceSystem(new Machine({ cores }), { memoryBytes, linearPageBytes: 2 ** 30 }),
  { numRuns: 20 },
);
