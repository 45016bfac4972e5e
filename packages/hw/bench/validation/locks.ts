// Validation rows of the simulated locks: the same experiment as a published measurement of a
// lock mechanism, run on the profile closest to the measured machine. Never allocator results.
//
// Published figures used (see docs/locks.md for the lock sources):
// - Core-to-core latency of Zen 4 (Ryzen 9 7950X, two 8-core CCDs, the nearest published kin
//   of the EPYC 9654P's CCDs): AnandTech, "AMD Zen 4 Ryzen 9 7950X and Ryzen 5 7600X Review:
//   Retaking The High-End" (2022), page "Core-to-Core Latency": two threads bounce a contended
//   compare-and-set, i.e. a CAS lock handed back and forth; 15-19 ns between cores of one L3,
//   up to 79.5 ns across CCDs [M]. The profile's lineSameCcd comes from the same measurement,
//   so the same-CCD rows check how a lock kind composes its handoff out of line transfers (a
//   CAS lock: one transfer; a qspinlock: the head's read, then its store), not the transfer
//   figure itself; the cross-CCD figure of the profile is an estimate for Genoa's IOD [E].
// - glibc pthread_mutex_t (a futex mutex: cmpxchg, futex_wait, unlock then futex_wake, no
//   handoff) throughput by thread count: Amanieu d'Antras, "parking_lot benchmark results on
//   x86_64 Linux", gist 6a4b4151b89b78224992106f9bc4374f (2016-05-27), 1 iteration inside the
//   lock, 0 outside [M]. The gist does not name the machine; the closest profile in kind (Intel,
//   bare metal) is xeon-gold-5320. Simulated with MallocMutex without spinning (spinCycles 0),
//   which is glibc's normal mutex. The releaser pays futex_wake (syscall + reschedule IPI) for
//   every sleeper it wakes (src/locks/wakes.ts); a waiter's futex_wait returns EAGAIN when the
//   word changed during it, and each of its xchgs makes the holder's unlock pay the syscall
//   (src/locks/placement.ts); the gap that remains is discussed in docs/locks.md (Validation).

import {
  type ExclusiveLock,
  epyc9654pGuest,
  Machine,
  MallocMutex,
  type Profile,
  QueuedSpinlock,
  SimMutex,
  xeonGold5320,
} from '../../src/index.js';
import type { ValidationRow } from './row.js';

const ANANDTECH_ZEN4 =
  'AnandTech, Zen 4 Ryzen 9 7950X review (2022), Core-to-Core Latency: contended CAS between two cores [M]';

/**
 * Simulated seconds until every core of `cores` (default: all of the machine's) has taken `lock`
 * `rounds` times, running `section(core)` inside each hold and yielding after each release: the
 * loop of every lock experiment here and in lock-curves.ts.
 */
export function lockLoopSeconds(
  machine: Machine,
  lock: ExclusiveLock,
  rounds: number,
  section: (core: number) => void,
  cores?: readonly number[],
): number {
  const result = machine.run(
    (core) =>
      (function* () {
        for (let i = 0; i < rounds; i++) {
          lock.lock(core);
          section(core);
          lock.unlock(core);
          yield;
        }
      })(),
    cores === undefined ? {} : { cores },
  );
  return machine.seconds(result.cycles);
}

/**
 * Nanoseconds per lock handoff when `cores` cores take the lock in turn with an empty critical
 * section (each acquisition after the first is a handoff from another core).
 */
export function handoffNs(
  profile: Profile,
  cores: readonly number[],
  make: (machine: Machine) => ExclusiveLock,
  rounds = 200,
): number {
  const machine = new Machine({ profile, cores: Math.max(...cores) + 1 });
  const seconds = lockLoopSeconds(machine, make(machine), rounds, () => {}, cores);
  return (seconds * 1e9) / (rounds * cores.length);
}

/** Lock operations per second (thousands) of `threads` cores looping lock; 4 cycles; unlock. */
export function lockThroughputKHz(
  profile: Profile,
  threads: number,
  make: (machine: Machine) => ExclusiveLock,
  rounds = 1000,
): number {
  const machine = new Machine({ profile, cores: threads });
  const seconds = lockLoopSeconds(machine, make(machine), rounds, () =>
    machine.charge(machine.costs.l1Hit),
  );
  return (rounds * threads) / seconds / 1e3;
}

const PARKING_LOT =
  "parking_lot benchmark results on x86_64 Linux (Amanieu d'Antras, gist 6a4b4151, 2016): pthread_mutex_t [M]";
/** glibc's normal pthread mutex: no spinning, futex sleep, no handoff. */
const glibcMutex = (machine: Machine) =>
  new MallocMutex(machine, 'pthread_mutex_t', { spinCycles: 0 });
/** Published pthread_mutex_t throughput (kHz) by threads, from the gist above. */
const PTHREAD_KHZ: ReadonlyArray<[number, number]> = [
  [1, 42379.765],
  [2, 11683.6],
  [4, 10109.491],
];

/** A CAS lock: lock and unlock are one locked RMW each; waiters spin (never sleep). */
const casLock = (machine: Machine) =>
  new SimMutex(machine, 'cas lock', { spinCycles: Number.POSITIVE_INFINITY });
const qspinlock = (machine: Machine) => new QueuedSpinlock(machine, 'qspinlock');

export function lockValidationRows(): ValidationRow[] {
  const profile = epyc9654pGuest;
  const perCcd = profile.coresPerCcd.value;
  const sameCcd = [0, 1];
  const crossCcd = [0, perCcd];
  return [
    {
      mechanism: 'CAS lock handoff, 2 cores of one CCD (Zen 4)',
      published: 17,
      source: `${ANANDTECH_ZEN4}: 15-19 ns within one L3`,
      simulated: handoffNs(profile, sameCcd, casLock),
      unit: 'ns',
    },
    {
      mechanism: 'qspinlock handoff (read + set locked), 2 cores of one CCD',
      published: 17,
      source: `${ANANDTECH_ZEN4}: 15-19 ns within one L3 (one CAS transfer)`,
      simulated: handoffNs(profile, sameCcd, qspinlock),
      unit: 'ns',
    },
    {
      mechanism: 'CAS lock handoff, 2 cores on two CCDs (Zen 4 vs Genoa IOD)',
      published: 79.5,
      source: `${ANANDTECH_ZEN4}: up to 79.5 ns across CCDs (7950X, one IOD hop)`,
      simulated: handoffNs(profile, crossCcd, casLock),
      unit: 'ns',
    },
    ...PTHREAD_KHZ.map(
      ([threads, published]): ValidationRow => ({
        mechanism: `glibc futex mutex throughput, ${threads} thread${threads > 1 ? 's' : ''} (xeon-gold-5320)`,
        published,
        source: `${PARKING_LOT}, ${threads} thread${threads > 1 ? 's' : ''}; machine not stated`,
        simulated: lockThroughputKHz(xeonGold5320, threads, glibcMutex),
        unit: 'kHz',
      }),
    ),
  ];
}
