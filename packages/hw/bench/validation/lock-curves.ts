// Validation of the simulated locks by thread count: lock throughput curves (1 to 4 threads) of
// published lock microbenchmarks beside the same loop on the model. Never allocator results.
//
// Source: Travis Downs, "A Concurrency Cost Hierarchy" (2020-07-06, travisdowns.github.io), code
// and data in github.com/travisdowns/concurrency-hierarchy-bench, file results/icl/combined.csv
// (commit 9b8e0e0, 2020-07-02) [M]. The experiment (bench.cpp, fairlocks.cpp): each of N threads,
// pinned to its own CPU, loops `std::lock_guard<T> g(lock); counter++;` with nothing outside the
// lock; the lock is alignas(64), the counter a separate static, so the counter's line moves with
// the lock. The figure is "Nanos/Op": the sum of the threads' run times over the sum of their
// operations, i.e. N x the wall time per acquisition; 15 trials, the mean is used (spread
// within +-4 %). The "icl" machine is an Intel Ice Lake with 4 CPUs (data.sh runs 1..nproc
// threads; the oversubscribed 5- and 6-thread runs are not used); its model and clock are not
// stated in the repository. Closest profile: xeon-gold-5320 (Ice Lake SP cores, bare metal),
// with two known differences that act on the level, not the shape: a mesh (lineSameCcd 110
// cycles = 50 ns) where a client part has a ring, and a 2.2 GHz clock where a client part
// boosts higher. Lock kinds, and the model kind set beside each:
// - "mutex add": std::mutex, i.e. glibc's normal pthread mutex (futex, no spin, no handoff):
//   MallocMutex with spinCycles 0, as the parking_lot rows in locks.ts.
// - "mutex3": Drepper's futex mutex 3 ("Futexes Are Tricky"), glibc's lll_lock algorithm
//   without the pthread layer: the same model kind (the two published curves, one algorithm on
//   one machine, bound how closely any model of it can agree).
// - "pause spin": test-and-test-and-set (load loop with PAUSE, xchg, store release): SimSpinlock.
// - "ticket spin": a FIFO ticket spinlock, the nearest published kin of Linux's qspinlock (FIFO,
//   waiters spin, no sleeping): QueuedSpinlock.
// - "queued fifo": a lock that queues each waiter on its own condition variable and hands the
//   lock to the first one at unlock (wake-up with handoff, the lock reserved through the wake:
//   OSv lockfree::mutex's policy, here on Linux futexes): SimMutex sleeping at once with handoff,
//   with the Linux futex wake-up (threadWakeup) and futex_wake's cost to the waker (syscall +
//   ipiSend), as MallocMutex charges them.
// The critical section `counter++` is a read and a write of a counter line.
//
// Second source, up to 64 cores on the thesis host's CPU family: ordo-one/synchronization-benchmarks
// (2026), results/ContentionScaling.md and results/ParkingLot.md, machine "x86 64c": AMD EPYC
// 9454P, Zen 4, 8 CCDs of 8 cores (environment not stated; its clock is not the profile's) [M].
// Workload: 50,000 lock acquires split over N Swift tasks, each acquire one lookup + update of a
// 64-entry [Int: UInt64] dictionary, nothing outside the lock; the figure is the p50 time of the
// batch (250 samples), here per acquire (p50 / 50,000). Threads are not pinned: where the
// scheduler put them is not known; the model packs them on cores 0..N-1 (as every unimem
// benchmark does; spread one per CCD the small counts move by up to 5x, docs/locks.md). Kinds:
// - "NIOLock": pthread_mutex_t, glibc's normal mutex (parks at once): MallocMutex, spin 0.
// - "RustStdMutex": Rust std's futex mutex, a 100-iteration load-only spin, then
//   xchg-to-2 and FUTEX_WAIT, no handoff: the nearest published kin of jemalloc's malloc_mutex
//   (spin, then block): MallocMutex with a spin of 100 x spinPause.
// Profile: epyc-9654p-guest (same CCDs), whose wake-ups are a KVM guest's (threadWakeup 3 us,
// ipiSend 1.5 us): an upper bound where waiters sleep. The critical section reads a dictionary
// header line, reads and writes an entry line, and does its own work, set from the 1-task figure
// (a single-thread calibration of the workload, not of the model: that row's ratio is 1 by
// construction).

import {
  type ExclusiveLock,
  epyc9654pGuest,
  Machine,
  MallocMutex,
  type Profile,
  QueuedSpinlock,
  SimMutex,
  SimSpinlock,
  xeonGold5320,
} from '../../src/index.js';
import { lockLoopSeconds } from './locks.js';
import type { ValidationRow } from './row.js';

const SOURCE =
  'travisdowns/concurrency-hierarchy-bench results/icl/combined.csv (Ice Lake, 4 CPUs; "A Concurrency Cost Hierarchy", 2020) [M]';

/**
 * Nanoseconds of thread time per operation (the published "Nanos/Op": threads x wall time per
 * acquisition) when `threads` cores loop lock; counter++; unlock with nothing outside the lock.
 */
export function counterLoopNs(
  profile: Profile,
  threads: number,
  make: (machine: Machine) => ExclusiveLock,
  rounds = 2000,
): number {
  const machine = new Machine({ profile, cores: threads });
  const lock = make(machine);
  const counter = machine.lines.allocLines(1, 'counter');
  const seconds = lockLoopSeconds(machine, lock, rounds, (core) => {
    const handle = machine.core(core);
    handle.read(counter);
    handle.write(counter);
  });
  // threads x (makespan / (rounds x threads)): the thread time of one operation.
  return (seconds * 1e9) / rounds;
}

interface Curve {
  /** The published benchmark's name for the lock. */
  published: string;
  /** What the model runs for it. */
  model: string;
  make: (machine: Machine) => ExclusiveLock;
  /** Mean Nanos/Op over the 15 trials, for 1, 2, 3 and 4 threads. */
  nanosPerOp: readonly [number, number, number, number];
}

const glibcMutex = (machine: Machine) =>
  new MallocMutex(machine, 'pthread_mutex_t', { spinCycles: 0 });

const CURVES: readonly Curve[] = [
  {
    published: 'std::mutex (glibc)',
    model: 'MallocMutex spin 0',
    make: glibcMutex,
    nanosPerOp: [17.05, 219.8, 135.52, 446.22],
  },
  {
    published: 'mutex3 (Drepper)',
    model: 'MallocMutex spin 0',
    make: glibcMutex,
    nanosPerOp: [12.5, 131.69, 116.74, 233.05],
  },
  {
    published: 'TTAS + PAUSE',
    model: 'SimSpinlock',
    make: (machine) => new SimSpinlock(machine, 'ttas'),
    nanosPerOp: [7.3, 72.65, 178.98, 291.54],
  },
  {
    published: 'ticket spinlock',
    model: 'QueuedSpinlock',
    make: (machine) => new QueuedSpinlock(machine, 'qspinlock'),
    nanosPerOp: [6.1, 202.09, 360.72, 518.57],
  },
  {
    published: 'FIFO handoff lock',
    model: 'SimMutex: sleeps, handoff, futex wake',
    make: (machine) =>
      new SimMutex(machine, 'fifo handoff', {
        spinCycles: 0,
        wakeupCycles: machine.costs.threadWakeup,
        wakerCycles: machine.costs.syscall + machine.costs.ipiSend,
      }),
    nanosPerOp: [34.02, 4086.35, 7827.83, 10396.4],
  },
];

export function lockCurveRows(): ValidationRow[] {
  const profile = xeonGold5320;
  const rows: ValidationRow[] = [];
  for (const curve of CURVES) {
    curve.nanosPerOp.forEach((published, i) => {
      const threads = i + 1;
      rows.push({
        mechanism: `${curve.published} (${curve.model}), ${threads} thread${threads > 1 ? 's' : ''}, xeon-gold-5320`,
        published,
        source: `${SOURCE}: lock; counter++; unlock, Nanos/Op = threads x ns per acquisition`,
        simulated: counterLoopNs(profile, threads, curve.make),
        unit: 'ns/op',
      });
    });
  }
  return rows;
}

const GENOA_SOURCE =
  'ordo-one/synchronization-benchmarks results (AMD EPYC 9454P, 8 CCDs x 8; 50,000 acquires, dictionary update inside) [M]';
/** Task counts of the published Genoa curves. */
const GENOA_TASKS = [1, 2, 4, 8, 16, 64] as const;
const GENOA_ACQUIRES = 50_000;

/**
 * Nanoseconds per acquisition when `threads` cores (0..threads-1) share GENOA_ACQUIRES
 * acquisitions of a lock guarding a dictionary update: a header line read, an entry line read
 * and written, and `ownWork` cycles.
 */
export function dictionaryLoopNs(
  profile: Profile,
  threads: number,
  make: (machine: Machine) => ExclusiveLock,
  ownWork: number,
): number {
  const machine = new Machine({ profile, cores: threads });
  const lock = make(machine);
  const header = machine.lines.allocLines(1, 'dictionary header');
  const entry = machine.lines.allocLines(1, 'dictionary entry');
  const rounds = Math.round(GENOA_ACQUIRES / threads);
  const seconds = lockLoopSeconds(machine, lock, rounds, (core) => {
    const handle = machine.core(core);
    handle.read(header);
    handle.read(entry);
    handle.write(entry);
    handle.charge(ownWork);
  });
  return (seconds * 1e9) / (rounds * threads);
}

interface GenoaCurve {
  published: string;
  model: string;
  make: (machine: Machine) => ExclusiveLock;
  /** p50 µs of the 50,000-acquire batch, for GENOA_TASKS. */
  p50Us: readonly number[];
  file: string;
}

const GENOA_CURVES: readonly GenoaCurve[] = [
  {
    published: 'pthread_mutex_t (NIOLock)',
    model: 'MallocMutex spin 0',
    make: glibcMutex,
    p50Us: [1117, 2394, 6849, 20349, 23020, 25264],
    file: 'ContentionScaling.md',
  },
  {
    published: 'Rust std futex mutex, spin 100',
    model: 'MallocMutex spin 100 x spinPause',
    make: (machine) =>
      new MallocMutex(machine, 'spin then futex', { spinCycles: 100 * machine.costs.spinPause }),
    p50Us: [1261, 4510, 5128, 10772, 15983, 20333],
    file: 'ParkingLot.md',
  },
];

export function genoaLockCurveRows(): ValidationRow[] {
  const profile = epyc9654pGuest;
  const rows: ValidationRow[] = [];
  for (const curve of GENOA_CURVES) {
    const perAcquire = curve.p50Us.map((us) => (us * 1e3) / GENOA_ACQUIRES);
    // The critical section's own work: what the 1-task figure leaves after the model's lock,
    // unlock and line accesses (cycles at the profile's clock; never negative).
    const bare = dictionaryLoopNs(profile, 1, curve.make, 0);
    const ownWork = Math.max(0, Math.round((perAcquire[0] - bare) * profile.frequencyGhz.value));
    GENOA_TASKS.forEach((tasks, i) => {
      rows.push({
        mechanism: `${curve.published} (${curve.model}), ${tasks} task${tasks > 1 ? 's' : ''}, epyc profile${i === 0 ? ' (calibrates the section)' : ''}`,
        published: perAcquire[i],
        source: `${GENOA_SOURCE}, ${curve.file} x86 64c p50 / 50,000`,
        simulated: dictionaryLoopNs(profile, tasks, curve.make, ownWork),
        unit: 'ns/acquire',
      });
    });
  }
  return rows;
}
