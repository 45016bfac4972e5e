// Benchmarks of the hardware model (`pnpm --filter @unimem/hw bench`).
// (a) How fast the simulator runs, in host time: simulated memory accesses per host second
//     (TracedWords over CacheLines, a realistic mix) and simulated lock operations per host
//     second, each beside a plain baseline doing the same loop natively.
// (b) What the model predicts, in simulated time: the contention table (shared counter, private
//     counters, one Linux mutex, one OSv mutex) for 1..64 cores of the default profile.
// (c) The validation table: each mechanism of the model beside a published measurement of that
//     mechanism (bench/validation/), with the ratio.

import { CONTENTION_CASES, contentionExperiment } from '../src/contention.js';
import {
  defaultProfile,
  Machine,
  NativeWords,
  SimMutex,
  SimRwLock,
  TracedWords,
} from '../src/index.js';
import {
  accessStream,
  BURST,
  CORES,
  runStream,
  STREAM,
  streamProgram,
  WORDS,
} from './access-mix.js';
import { printValidation, validationRows } from './validation/index.js';

// ---------------------------------------------------------------------------------------------
// (a) Simulator speed

/** Host CPU seconds this process has used (user + system). */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * Operations per host CPU second of `body` (which does `perCall` operations): 5 rounds of about
 * 100 ms each after a warm-up, median round. CPU time rather than wall time, so that other
 * processes on a shared host do not count against the simulator.
 */
function rate(body: () => void, perCall: number): number {
  for (let i = 0; i < 3; i++) body();
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    let calls = 0;
    const start = cpuSeconds();
    let elapsed = 0;
    do {
      body();
      calls++;
      elapsed = cpuSeconds() - start;
    } while (elapsed < 0.1);
    rates.push((calls * perCall) / elapsed);
  }
  return rates.sort((a, b) => a - b)[2];
}

function speed(): void {
  const stream = accessStream();
  const machine = new Machine({ cores: CORES });
  const traced = new TracedWords(machine, new SharedArrayBuffer(4 * WORDS));
  const native = new NativeWords(new SharedArrayBuffer(4 * WORDS));
  const tracedRate = rate(() => runStream(traced, machine, stream), STREAM);
  const nativeRate = rate(() => runStream(native, undefined, stream), STREAM);
  const totals = machine.counters.totals();

  // The same stream through the scheduler: one generator step per burst.
  const scheduled = new Machine({ cores: CORES });
  const scheduledWords = new TracedWords(scheduled, new SharedArrayBuffer(4 * WORDS));
  const scheduledRate = rate(() => scheduled.run(streamProgram(scheduledWords, stream)), STREAM);

  // Lock operations (lock + unlock = 2) through the scheduler, so that cores reach the lock in
  // simulated-time order as in any run: each step takes and releases the lock PAIRS times.
  const PAIRS = 4;
  const STEPS_PER_CORE = 64;
  const LOCK_BATCH = CORES * STEPS_PER_CORE * PAIRS;
  const lockRun = (setup: (machine: Machine) => (core: number, i: number) => void) => {
    const machine = new Machine({ cores: CORES });
    const pair = setup(machine);
    return () =>
      machine.run((core) =>
        (function* () {
          for (let step = 0; step < STEPS_PER_CORE; step++) {
            for (let k = 0; k < PAIRS; k++) pair(core, step * PAIRS + k);
            yield;
          }
        })(),
      );
  };
  const mutexRate = rate(
    lockRun((machine) => {
      const mutex = new SimMutex(machine, 'bench');
      return (core) => {
        mutex.lock(core);
        mutex.unlock(core);
      };
    }),
    2 * LOCK_BATCH,
  );
  const rwRate = rate(
    lockRun((machine) => {
      const rw = new SimRwLock(machine, 'bench', { readerMutex: true });
      return (core, i) => {
        if ((i & 7) === 7) {
          rw.writeLock(core);
          rw.writeUnlock(core);
        } else {
          rw.readLock(core);
          rw.readUnlock(core);
        }
      };
    }),
    2 * LOCK_BATCH,
  );
  const flag = new Int32Array(new SharedArrayBuffer(64));
  const nativeLockRate = rate(() => {
    for (let i = 0; i < LOCK_BATCH; i++) {
      while (Atomics.compareExchange(flag, 0, 0, 1) !== 0) {}
      Atomics.sub(flag, 0, 1);
    }
  }, 2 * LOCK_BATCH);

  const m = (x: number) => `${(x / 1e6).toFixed(1)} M/s`.padStart(12);
  console.log('(a) simulator speed: operations per host CPU second (median of 5 rounds)');
  console.log(`  ${'case'.padEnd(58)} ${'simulated'.padStart(12)} ${'baseline'.padStart(12)}`);
  console.log(
    `  ${'memory accesses: TracedWords + CacheLines, mix (direct)'.padEnd(58)} ${m(tracedRate)} ${m(nativeRate)}  (NativeWords)`,
  );
  console.log(
    `  ${'memory accesses: same, through machine.run (scheduler)'.padEnd(58)} ${m(scheduledRate)} ${m(nativeRate)}  (NativeWords)`,
  );
  console.log(
    `  ${'lock ops: SimMutex lock/unlock, 16 cores, machine.run'.padEnd(58)} ${m(mutexRate)} ${m(nativeLockRate)}  (Atomics CAS lock)`,
  );
  console.log(
    `  ${'lock ops: SimRwLock (readerMutex), 7 reads : 1 write, run'.padEnd(58)} ${m(rwRate)} ${m(nativeLockRate)}  (Atomics CAS lock)`,
  );
  const missRate = (totals.lineMisses ?? 0) / (totals.lineAccesses ?? 1);
  const transferRate = (totals.lineTransfers ?? 0) / (totals.lineAccesses ?? 1);
  console.log(
    `  mix: ${CORES} cores, ${WORDS / 16} lines, 90% private / 10% shared, bursts of ${BURST}; ` +
      `misses ${(100 * missRate).toFixed(1)}%, transfers ${(100 * transferRate).toFixed(1)}% of accesses`,
  );
  console.log(
    `  target >= 10 M simulated accesses per host second: ${tracedRate >= 1e7 ? 'met' : 'NOT met'}\n`,
  );
}

// ---------------------------------------------------------------------------------------------
// (b) Contention table

function contention(): void {
  const coreCounts = [1, 2, 4, 8, 16, 32, 64];
  const rows = contentionExperiment(defaultProfile, coreCounts, 2000);
  console.log(`(b) contention, simulated time, ${defaultProfile.name}, 2000 increments per core`);
  const head = ['case', 'cores', 'Mops/s', 'cycles/op', 'transfers/op', 'wait cyc/op'];
  console.log(`  ${head.map((h, i) => (i === 0 ? h.padEnd(12) : h.padStart(13))).join('')}`);
  for (const which of CONTENTION_CASES) {
    for (const row of rows.filter((r) => r.case === which)) {
      console.log(
        `  ${[
          row.case.padEnd(12),
          String(row.cores).padStart(13),
          row.mopsPerSecond.toFixed(1).padStart(13),
          row.cyclesPerOp.toFixed(0).padStart(13),
          row.transfersPerOp.toFixed(2).padStart(13),
          row.waitCyclesPerOp.toFixed(0).padStart(13),
        ].join('')}`,
      );
    }
  }
  console.log(
    '  shared: one line, atomic add; private: one line per core; linux-mutex / osv-mutex: a\n' +
      "  private-line add inside one Linux mutex or OSv's lockfree::mutex. cycles/op is per core\n" +
      '  (makespan / increments per core); wait = line wait + lock wait.',
  );
}

function validation(): void {
  console.log('\n(c) validation: mechanism, published figure and source, simulated figure, ratio');
  printValidation(validationRows());
}

speed();
contention();
validation();
