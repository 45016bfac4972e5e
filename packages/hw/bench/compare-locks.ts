// Paired host-speed comparison of this checkout's simulated locks with another checkout's
// (`npx tsx bench/compare-locks.ts /path/to/other/checkout [rounds]`, from packages/hw), in the
// manner of compare-speed.ts: both models are loaded into one process and each measurement
// alternates between them round by round, so that the load of a shared host falls on both; the
// table gives medians of host CPU time and the ratio this / other in lock operations per host CPU
// second (> 1: this is faster). Cases: the lock kinds the systems use, at 64 cores, through
// machine.run (cores reach the locks in simulated-time order as in a sweep), each step one
// critical section with a private-line RMW and uneven work inside, and work outside.

import * as here from '../src/index.js';
import { type Hw, otherFromArgv, type PairedCase, printPaired } from './paired.js';

type Machine = InstanceType<Hw['Machine']>;
/** A critical section of one core at one step, with its private line. */
type Section = (core: number, step: number, privateLine: number) => void;

const { other, rounds } = await otherFromArgv('compare-locks.ts');

const CORES = 64;
const STEPS_PER_CORE = 256;
/** lock + unlock per critical section. */
const OPS = CORES * STEPS_PER_CORE * 2;

/** A run of STEPS_PER_CORE critical sections per core; `section` takes, works and releases. */
function lockRun(hw: Hw, setup: (machine: Machine) => Section): () => void {
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

/** A section on one of `locks` (a power of two of them), chosen by core and step. */
function exclusive(
  machine: Machine,
  locks: ReadonlyArray<{ lock(core: number): void; unlock(core: number): void }>,
): Section {
  const mask = locks.length - 1;
  return (core, step, line) => {
    const lock = locks[(core + step) & mask];
    lock.lock(core);
    inside(machine, core, step, line);
    lock.unlock(core);
  };
}

/** Seven read sections to one write section on `lock`. */
function readMostly(
  machine: Machine,
  lock: {
    readLock(core: number): void;
    readUnlock(core: number): void;
    writeLock(core: number): void;
    writeUnlock(core: number): void;
  },
): Section {
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
}

function cases(hw: Hw): PairedCase[] {
  const many = <T>(n: number, make: (i: number) => T) =>
    Array.from({ length: n }, (_, i) => make(i));
  const kinds: Array<[string, (machine: Machine) => Section]> = [
    [
      'malloc_mutex (futex), 8 locks',
      (m) =>
        exclusive(
          m,
          many(8, (i) => new hw.MallocMutex(m, `m${i}`)),
        ),
    ],
    ['Linux mutex, 1 lock', (m) => exclusive(m, [new hw.LinuxMutex(m, 'm')])],
    [
      'OSv lockfree::mutex, 4 locks',
      (m) =>
        exclusive(
          m,
          many(4, (i) => new hw.OsvMutex(m, `m${i}`)),
        ),
    ],
    ['qspinlock, 1 lock', (m) => exclusive(m, [new hw.QueuedSpinlock(m, 's')])],
    ['rw_semaphore, 7 reads : 1 write', (m) => readMostly(m, new hw.RwSemaphore(m, 'mmap_lock'))],
    [
      'OSv rwlock (mutex), 7 : 1',
      (m) => readMostly(m, new hw.OsvRwLock(m, 'vma_list_mutex', 'mutex')),
    ],
  ];
  return kinds.map(([name, setup]) => ({ name, body: lockRun(hw, setup), perCall: OPS }));
}

printPaired(`paired lock speed at ${CORES} cores`, cases(here), cases(other), rounds);
