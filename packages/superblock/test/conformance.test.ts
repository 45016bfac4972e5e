import { SortedVmaIndex, vmAllocatorSuite } from '@unimem/core/testing';
import { SuperblockAllocator } from '../src/index.js';
import { lockFactory } from './helpers.js';

const make = (cores: number, returnFreeSuperblocks: boolean) =>
  new SuperblockAllocator({
    cores,
    lock: lockFactory().lock,
    index: () => new SortedVmaIndex(),
    returnFreeSuperblocks,
  });

vmAllocatorSuite('superblock', ({ cores }) => make(cores, false));
vmAllocatorSuite('superblock, returnFreeSuperblocks', ({ cores }) => make(cores, true));
vmAllocatorSuite('superblock, one core', ({ cores }) => make(cores, false), { cores: 1 });
