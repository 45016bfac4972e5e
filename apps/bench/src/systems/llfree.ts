// System `llfree`: the LLFree frame allocator (@unimem/llfree) inside the hardware model. Every
// shared word goes through TracedWords, so each access charges the simulated core through the
// cache-line model (same code as natively; see packages/llfree/test/conformance.test.ts).

import { TracedWords } from '@unimem/hw';
import { LLFree } from '@unimem/llfree';
import type { SystemDefinition } from '../api.js';
import { framesOf } from '../units.js';

export const systems: SystemDefinition[] = [
  {
    name: 'llfree',
    description: 'LLFree lock-free frame allocator (ATC23 layout), traced in the hardware model',
    provides: ['frames'],
    build({ machine, cores, memoryBytes }) {
      const frames = LLFree.create({
        frames: framesOf(memoryBytes),
        cores,
        words: (buffer) => new TracedWords(machine, buffer, 0, undefined, 'llfree'),
      });
      return { frames };
    },
  },
];
