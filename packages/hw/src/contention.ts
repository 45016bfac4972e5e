// The contention experiment behind `unimem demo` and the hw bench: every core runs the same loop
// of atomic increments on (a) one shared line, (b) a private line per core, (c) a private line
// inside one shared mutex, as Linux's mutex (optimistic spinning, stealing) and as OSv's
// lockfree::mutex (a contended waiter sleeps and the lock is handed to it: a convoy). It is the
// smallest demonstration that scalability comes out of the model's mechanisms: nothing in it
// depends on the core count except the number of programs.

import type { Lock } from '@unimem/core';
import type { Profile } from './api.js';
import { LinuxMutex } from './locks/linux-mutex.js';
import { OsvMutex } from './locks/osv-mutex.js';
import { Machine } from './machine.js';

export type ContentionCase = 'shared' | 'private' | 'linux-mutex' | 'osv-mutex';

export interface ContentionRow {
  cores: number;
  case: ContentionCase;
  /** Increments per simulated second, in millions (all cores together). */
  mopsPerSecond: number;
  /** Simulated cycles per increment, per core (makespan / ops per core). */
  cyclesPerOp: number;
  transfersPerOp: number;
  /** Cycles spent waiting for a busy line or a held lock, per increment. */
  waitCyclesPerOp: number;
  /** Host time the run took, in milliseconds (to measure the simulator, not the model). */
  hostMs: number;
  /** Simulated line accesses and lock operations executed. */
  accesses: number;
  lockOps: number;
}

export const CONTENTION_CASES: readonly ContentionCase[] = [
  'shared',
  'private',
  'linux-mutex',
  'osv-mutex',
];

/** Runs every case at every core count on a fresh machine; `opsPerCore` increments per core. */
export function contentionExperiment(
  profile: Profile,
  coreCounts: readonly number[],
  opsPerCore: number,
  cases: readonly ContentionCase[] = CONTENTION_CASES,
): ContentionRow[] {
  const rows: ContentionRow[] = [];
  for (const cores of coreCounts) {
    for (const which of cases) rows.push(runCase(profile, cores, opsPerCore, which));
  }
  return rows;
}

function runCase(
  profile: Profile,
  cores: number,
  ops: number,
  which: ContentionCase,
): ContentionRow {
  const machine = new Machine({ profile, cores });
  const { lines } = machine;
  const shared = lines.allocLines(1, 'shared counter');
  const privateLines = lines.allocLines(cores, 'private counters');
  const mutex: Lock =
    which === 'osv-mutex'
      ? new OsvMutex(machine, 'demo mutex')
      : new LinuxMutex(machine, 'demo mutex');
  const locked = which === 'linux-mutex' || which === 'osv-mutex';
  const started = performance.now();
  const result = machine.run((core) =>
    (function* () {
      for (let i = 0; i < ops; i++) {
        if (which === 'shared') {
          lines.rmw(shared);
        } else if (which === 'private') {
          lines.rmw(privateLines + core);
        } else {
          mutex.lock(core);
          lines.rmw(privateLines + core);
          mutex.unlock(core);
        }
        yield;
      }
    })(),
  );
  const hostMs = performance.now() - started;
  const totalOps = ops * cores;
  const totals = machine.counters.totals();
  const wait = (totals.lineWaitCycles ?? 0) + (totals.lockWaitCycles ?? 0);
  return {
    cores,
    case: which,
    mopsPerSecond: totalOps / machine.seconds(result.cycles) / 1e6,
    cyclesPerOp: result.cycles / ops,
    transfersPerOp: (totals.lineTransfers ?? 0) / totalOps,
    waitCyclesPerOp: wait / totalOps,
    hostMs,
    accesses: totals.lineAccesses ?? 0,
    lockOps: locked ? 2 * totalOps : 0,
  };
}
