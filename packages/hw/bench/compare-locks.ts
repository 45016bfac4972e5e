// Paired host-speed comparison of this checkout's simulated locks with another checkout's
// (`npx tsx bench/compare-locks.ts /path/to/other/checkout [rounds]`, from packages/hw), in the
// manner of compare-speed.ts: both models are loaded into one process and each measurement
// alternates between them round by round, so that the load of a shared host falls on both; the
// table gives medians of host CPU time and the ratio this / other in lock operations per host CPU
// second (> 1: this is faster). Cases: the lock kinds the systems use, at 64 cores, through
// machine.run (cores reach the locks in simulated-time order as in a sweep), each step one
// critical section with a private-line RMW and uneven work inside, and work outside.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as here from '../src/index.js';

type Hw = typeof here;
type Machine = InstanceType<Hw['Machine']>;

const [otherRoot, roundsText = '7'] = process.argv.slice(2);
if (otherRoot === undefined) {
  throw new RangeError('usage: tsx bench/compare-locks.ts OTHER_CHECKOUT [rounds]');
}
const rounds = Number(roundsText);
if (!Number.isInteger(rounds) || rounds < 1) {
  throw new RangeError(`rounds ${roundsText} must be a positive integer`);
}
const other: Hw = await import(pathToFileURL(resolve(otherRoot, 'packages/hw/src/index.ts')).href);

const CORES = 64;
const STEPS_PER_CORE = 256;
/** lock + unlock per critical section. */
const OPS = CORES * STEPS_PER_CORE * 2;

/** A run of STEPS_PER_CORE critical sections per core; `section` takes, works and releases. */
function lockRun(
  hw: Hw,
  setup: (machine: Machine) => (core: number, step: number, privateLine: number) => void,
): () => void {
  const machine = new hw.Machine({ cores: CORES });
  const privateLines = machine.lines.allocLines(CORES, 'private');
  const section = setup(machine);
  return () => {
    machine.run((core) =>
      (function* () {
        for (let step = 0; step < STEPS_PER_CORE; step++) {
          section(core, step, privateLines + core);
          machine.charge(300 + ((core * 37 + step * 11) & 511), core); // work outside
          yield;
        }
      })(),
    );
  };
}

/** Work inside a critical section: one private-line RMW and 20..83 cycles. */
function inside(machine: Machine, core: number, step: number, line: number): void {
  machine.core(core).rmw(line);
  machine.charge(20 + ((core + step) & 63), core);
}

function cases(hw: Hw): Array<{ name: string; body: () => void }> {
  return [
    {
      name: 'malloc_mutex (futex), 8 locks',
      body: lockRun(hw, (machine) => {
        const locks = Array.from({ length: 8 }, (_, i) => new hw.MallocMutex(machine, `m${i}`));
        return (core, step, line) => {
          const lock = locks[(core + step) & 7];
          lock.lock(core);
          inside(machine, core, step, line);
          lock.unlock(core);
        };
      }),
    },
    {
      name: 'Linux mutex, 1 lock',
      body: lockRun(hw, (machine) => {
        const lock = new hw.LinuxMutex(machine, 'm');
        return (core, step, line) => {
          lock.lock(core);
          inside(machine, core, step, line);
          lock.unlock(core);
        };
      }),
    },
    {
      name: 'OSv lockfree::mutex, 4 locks',
      body: lockRun(hw, (machine) => {
        const locks = Array.from({ length: 4 }, (_, i) => new hw.OsvMutex(machine, `m${i}`));
        return (core, step, line) => {
          const lock = locks[(core + step) & 3];
          lock.lock(core);
          inside(machine, core, step, line);
          lock.unlock(core);
        };
      }),
    },
    {
      name: 'qspinlock, 1 lock',
      body: lockRun(hw, (machine) => {
        const lock = new hw.QueuedSpinlock(machine, 's');
        return (core, step, line) => {
          lock.lock(core);
          inside(machine, core, step, line);
          lock.unlock(core);
        };
      }),
    },
    {
      name: 'rw_semaphore, 7 reads : 1 write',
      body: lockRun(hw, (machine) => {
        const lock = new hw.RwSemaphore(machine, 'mmap_lock');
        return (core, step, line) => {
          if (((core + step) & 7) === 0) {
            lock.writeLock(core);
            inside(machine, core, step, line);
            lock.writeUnlock(core);
          } else {
            lock.readLock(core);
            inside(machine, core, step, line);
            lock.readUnlock(core);
          }
        };
      }),
    },
    {
      name: 'OSv rwlock (mutex), 7 : 1',
      body: lockRun(hw, (machine) => {
        const lock = new hw.OsvRwLock(machine, 'vma_list_mutex', 'mutex');
        return (core, step, line) => {
          if (((core + step) & 7) === 0) {
            lock.writeLock(core);
            inside(machine, core, step, line);
            lock.writeUnlock(core);
          } else {
            lock.readLock(core);
            inside(machine, core, step, line);
            lock.readUnlock(core);
          }
        };
      }),
    },
  ];
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Lock operations per host CPU second of one round (~0.2 s). */
function rate(body: () => void): number {
  const start = cpuSeconds();
  let calls = 0;
  do {
    body();
    calls++;
  } while (cpuSeconds() - start < 0.2);
  return (calls * OPS) / (cpuSeconds() - start);
}

const sides = [cases(here), cases(other)];
for (const side of sides) for (const c of side) c.body(); // warm-up
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(
  `paired lock speed at ${CORES} cores, medians of ${rounds} alternating rounds (M lock operations per host CPU s)`,
);
console.log(
  `  ${'case'.padEnd(36)} ${'this'.padStart(8)} ${'other'.padStart(8)} ${'this/other'.padStart(11)}`,
);
for (let k = 0; k < sides[0].length; k++) {
  const rates: number[][] = [[], []];
  for (let round = 0; round < rounds; round++) {
    for (const j of round % 2 === 0 ? [0, 1] : [1, 0]) rates[j].push(rate(sides[j][k].body));
  }
  const [mine, theirs] = rates.map(median);
  console.log(
    `  ${sides[0][k].name.padEnd(36)} ${(mine / 1e6).toFixed(2).padStart(8)} ${(theirs / 1e6).toFixed(2).padStart(8)} ${(mine / theirs).toFixed(2).padStart(11)}`,
  );
}
