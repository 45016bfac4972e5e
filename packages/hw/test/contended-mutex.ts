// The glibc futex mutex experiment of the lock validation (bench/validation/locks.ts), shared by
// the lock tests: `threads` cores loop lock; 4 cycles; unlock on a MallocMutex without spinning
// (glibc's normal pthread mutex) for `rounds` rounds each.

import { epyc9654pGuest, Machine, MallocMutex, type MallocMutexOptions } from '../src/index.js';

export function contendedGlibcMutex(
  threads: number,
  options: MallocMutexOptions = {},
  rounds = 300,
) {
  const machine = new Machine({ profile: epyc9654pGuest, cores: threads });
  const mutex = new MallocMutex(machine, 'pthread_mutex_t', { spinCycles: 0, ...options });
  const result = machine.run((core) =>
    (function* () {
      for (let i = 0; i < rounds; i++) {
        mutex.lock(core);
        machine.charge(4);
        mutex.unlock(core);
        yield;
      }
    })(),
  );
  return { machine, mutex, cycles: result.cycles, totals: machine.counters.totals() };
}
