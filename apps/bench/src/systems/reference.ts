// System `reference`: the ReferenceFrameAllocator of @unimem/core. It touches no simulated cache
// line, so it is charged nothing and every benchmark reports 0 cycles/op: a check of the harness
// (what the measurement itself adds), not a model of anything. Not in the default suite.

import { ReferenceFrameAllocator } from '@unimem/core';
import type { SystemDefinition } from '../api.js';
import { framesOf } from '../units.js';

export const systems: SystemDefinition[] = [
  {
    name: 'reference',
    description: 'ReferenceFrameAllocator (@unimem/core), charged nothing: a harness check',
    provides: ['frames'],
    defaultSuite: false,
    build({ cores, memoryBytes }) {
      return { frames: new ReferenceFrameAllocator({ frames: framesOf(memoryBytes), cores }) };
    },
  },
];
