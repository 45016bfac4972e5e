// System `buddy`: Linux's buddy allocator with per-CPU page lists and the zone lock
// (@unimem/linux), charging the machine for struct pages, list heads and the lock.

import { BuddyAllocator, profileTuning } from '@unimem/linux';
import type { SystemDefinition } from '../api.js';
import { framesOf } from '../units.js';

export const systems: SystemDefinition[] = [
  {
    name: 'buddy',
    description: 'Linux 6.0 buddy allocator: per-CPU lists (batch 63), zone lock, struct pages',
    provides: ['frames'],
    build({ machine, cores, memoryBytes }) {
      // pcp->high and the vmstat threshold as Linux tunes them for the profile's whole machine
      // (as the calibration in @unimem/linux does), not for the frames this run manages.
      const tuning = profileTuning(machine.profile);
      return {
        frames: new BuddyAllocator({ frames: framesOf(memoryBytes), cores, machine, tuning }),
      };
    },
  },
];
