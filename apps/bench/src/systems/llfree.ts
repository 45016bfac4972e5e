// System `llfree`: the LLFree frame allocator (@unimem/llfree) inside the hardware model. Every
// shared word goes through TracedWords, so each access charges the simulated core through the
// cache-line model (same code as natively; see packages/llfree/test/conformance.test.ts).
// On top, each call pays a fixed instruction cost calibrated on the published single-core bulk
// figures (LLFREE_OP_COSTS); repeat and rand stay predictions (`unimem calibrate` shows both).

import { ChargedFrameAllocator, type FrameOpCosts, TracedWords } from '@unimem/hw';
import { LLFree } from '@unimem/llfree';
import type { SystemDefinition } from '../api.js';
import { framesOf } from '../units.js';

/**
 * Cycles per call beyond the traced accesses. Derived on xeon-gold-5320 (2.2 GHz), 1 core:
 * published in-kernel bulk ns × 2.2 − simulated line cycles of the same benchmark without these
 * costs (o0 get 82.8 ns → 182 − 70; o0 put 92.0 ns → 202 − 70; o9 get 271.8 ns → 598 − 64;
 * o9 put 402.8 ns → 886 − 56; llfree.md §5). Orders 1-8 use the order-0 figures. The o9 figures
 * include Linux's per-page work around the allocator in the published kernel, which a
 * unikernel may not pay.
 */
export const LLFREE_OP_COSTS: FrameOpCosts = {
  getSmall: 112,
  putSmall: 132,
  getHuge: 534,
  putHuge: 830,
  source: 'llfree.md §5 bulk figures minus simulated line costs (xeon-gold-5320, 1 core)',
};

export const systems: SystemDefinition[] = [
  {
    name: 'llfree',
    description: 'LLFree lock-free frame allocator (ATC23 layout), traced in the hardware model',
    provides: ['frames'],
    build({ machine, cores, memoryBytes }) {
      const llfree = LLFree.create({
        frames: framesOf(memoryBytes),
        cores,
        words: (buffer) => new TracedWords(machine, buffer, 0, undefined, 'llfree'),
      });
      return { frames: new ChargedFrameAllocator(llfree, machine, LLFREE_OP_COSTS) };
    },
  },
];
