// The subsystem inside the discrete-event scheduler: every core runs its own program of mmap,
// touch and munmap (and faults on a shared mapping), one operation per step. No lock may be held
// across a yield (the simulated locks throw if one is), every result must be right, and at the
// end the state is consistent and memory is back.

import { MapFlags, MiB, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from './invariants.js';
import { oneBucketOsv, optimizedOsv } from './parts.js';

const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;
const RW = Prot.READ | Prot.WRITE;

describe('in the scheduler', () => {
  for (const [name, make] of [
    ['superblocks', optimizedOsv],
    [
      'one bucket with readerMutex',
      (m: Machine, o: object) => oneBucketOsv(m, { ...o, readerMutex: true }),
    ],
  ] as const) {
    it(`${name}: 8 cores map, touch, share and unmap`, () => {
      const machine = new Machine({ cores: 8 });
      const system = make(machine, { memoryBytes: 256 * MiB });
      system.boot();
      const start = system.stats();
      const shared = system.mmap(0, 4 * MiB, RW, ANON);
      const result = machine.run((core) =>
        (function* () {
          for (let i = 0; i < 30; i++) {
            const pages = 1 + ((core * 7 + i) % 12);
            const addr = system.mmap(
              core,
              pages * PAGE_SIZE,
              RW,
              ANON | (i % 5 === 0 ? MapFlags.POPULATE : 0),
            );
            expect(addr).toBeGreaterThan(0);
            yield;
            for (let page = 0; page < pages; page++) {
              expect(system.touch(core, addr + page * PAGE_SIZE, true)).toBe(Ok);
              yield;
            }
            expect(
              system.touch(core, shared + ((core * 31 + i) % 1024) * PAGE_SIZE, i % 2 === 0),
            ).toBe(Ok);
            yield;
            expect(system.munmap(core, addr, pages * PAGE_SIZE)).toBe(Ok);
            yield;
          }
        })(),
      );
      expect(result.cycles).toBeGreaterThan(0);
      checkInvariants(system);
      expect(machine.counters.totalOf('faults')).toBeGreaterThan(8 * 30);
      expect(system.munmap(0, shared, 4 * MiB)).toBe(Ok);
      expect(system.stats().freePhysBytes).toBe(start.freePhysBytes);
      expect(system.stats().pageTableBytes).toBe(start.pageTableBytes);
    });
  }
});
