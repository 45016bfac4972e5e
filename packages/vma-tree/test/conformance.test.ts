import { SortedVmaIndex, vmaIndexSuite } from '@unimem/core/testing';
import { AvlVmaTree, VmaTree } from '../src/index.js';

vmaIndexSuite('VmaTree (B+ tree, 16 slots)', () => new VmaTree());
vmaIndexSuite('VmaTree (B+ tree, 4 slots: deep trees)', () => new VmaTree({ nodeSlots: 4 }));
vmaIndexSuite('AvlVmaTree', () => new AvlVmaTree());
// The bench baseline: checked so that the numbers it is compared with are of a correct index.
vmaIndexSuite(
  'SortedVmaIndex (core/testing: bench baseline, test double)',
  () => new SortedVmaIndex(),
  {
    rejectsBadInput: false,
    numRuns: 50,
  },
);
