// `unimem demo`: a small demonstration of the hardware model. For each core count it runs the
// same loop on every core four ways — atomic adds to one shared line, atomic adds to one private
// line per core, and the same add inside one shared mutex, Linux's and OSv's — and prints
// simulated throughput with the counters that explain it. The shared line and the mutexes stay
// flat or fall while the private lines scale: contention emerges from line ownership and lock
// hand-offs.

import { contentionExperiment, type Profile } from '@unimem/hw';

export function runDemo(profile: Profile, coreCounts: number[], out: (line: string) => void): void {
  out(`unimem demo: ${profile.name} (${profile.description})`);
  out('Every core performs 2000 atomic increments; throughput is in simulated time.');
  out('shared: one line for all cores; private: one line per core; linux-mutex / osv-mutex: a');
  out("private-line add inside one Linux mutex (optimistic spinning) or OSv's lockfree::mutex");
  out('(a contended waiter sleeps and the lock is handed to it: a convoy).\n');
  const rows = contentionExperiment(profile, coreCounts, 2000);
  out(
    ['cores', 'case', 'Mops/s', 'cycles/op', 'transfers/op', 'wait cycles/op']
      .map((h, i) => (i < 2 ? h.padEnd(i === 0 ? 6 : 12) : h.padStart(14)))
      .join(' '),
  );
  for (const row of rows) {
    out(
      [
        String(row.cores).padEnd(6),
        row.case.padEnd(12),
        row.mopsPerSecond.toFixed(1).padStart(14),
        row.cyclesPerOp.toFixed(0).padStart(14),
        row.transfersPerOp.toFixed(2).padStart(14),
        row.waitCyclesPerOp.toFixed(0).padStart(14),
      ].join(' '),
    );
  }
}
