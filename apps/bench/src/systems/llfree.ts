// System `llfree`: the LLFree frame allocator (@unimem/llfree) inside the hardware model. Every
// shared word goes through TracedWords, so each access charges the simulated core through the
// cache-line model (same code as natively; see packages/llfree/test/conformance.test.ts).
// On top, each call pays a fixed instruction cost calibrated on the published single-core bulk
// figures (LLFREE_LINUX_OP_COSTS in @unimem/llfree); repeat and rand stay predictions
// (`unimem calibrate` shows both).

import { simulatedLLFree } from '@unimem/llfree';
import type { SystemDefinition } from '../api.js';
import { framesOf } from '../units.js';

export const systems: SystemDefinition[] = [
  {
    name: 'llfree',
    description: 'LLFree lock-free frame allocator (ATC23 layout), traced in the hardware model',
    provides: ['frames'],
    build({ machine, cores, memoryBytes }) {
      return { frames: simulatedLLFree(machine, { frames: framesOf(memoryBytes), cores }) };
    },
  },
];
