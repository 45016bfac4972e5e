// Placement of a trace's threads on the simulated cores, the way the system would place them.
// Two rules, chosen per trace:
//
// - `recorded`: the capture saw each thread's CPUs (perf --sample-cpu, `metadata.threads[].cpus`,
//   in order of first appearance) on a machine with at least as many CPUs as the replay has
//   cores, so the placement the real scheduler chose fits: thread → its first CPU in the window,
//   modulo the replay cores (a CPU beyond them wraps).
// - `busiest-first` (otherwise, e.g. the committed traces, captured on a 2-core machine where any
//   recorded CPU is 0 or 1): threads ranked by their number of events (ties: lower index), the
//   r-th busiest on core r mod n. With DuckDB's thread count = cores, as in the thesis' runs, a
//   load-balancing scheduler (Linux CFS's idle-CPU wake-up selection, OSv's per-CPU run queues
//   with its load balancer) ends with one busy thread per CPU; the rule gives the n busiest
//   threads (the TaskScheduler's workers and the pool thread executing the query) a core each
//   and lets the nearly idle ones (Node's main thread, V8's platform threads) share.
//
// Invariant: every thread gets a core in 0..n-1; under `busiest-first` the n busiest threads get
// distinct cores, so a free by one of them of another's allocation is a cross-core free.

export type PlacementRule = 'recorded' | 'busiest-first';

export interface Placement {
  rule: PlacementRule;
  /** Thread index → simulated core. */
  coreOf: Int32Array;
}

/** What the trace recorded about where its threads ran (metadata.threads, machine.cores). */
export interface RecordedCpus {
  /** Per thread index: the CPUs it was seen on, first first; undefined when unknown. */
  cpus: readonly (readonly number[] | undefined)[];
  /** CPUs of the capture machine. */
  machineCores: number;
}

/** Places `threads` traced threads (events' `thread` fields) on `cores` simulated cores. */
export function placeThreads(
  events: readonly { thread: number }[],
  threads: number,
  cores: number,
  recorded?: RecordedCpus,
): Placement {
  if (!Number.isInteger(cores) || cores < 1) {
    throw new RangeError(`placement cores ${cores} must be a positive integer`);
  }
  const eventsOf = new Float64Array(threads);
  for (const e of events) eventsOf[e.thread]++;
  if (recorded && recordedFits(recorded, eventsOf, cores)) {
    const coreOf = new Int32Array(threads);
    for (let t = 0; t < threads; t++) coreOf[t] = (recorded.cpus[t]?.[0] ?? t) % cores;
    return { rule: 'recorded', coreOf };
  }
  const ranked = Array.from({ length: threads }, (_, t) => t).sort(
    (a, b) => eventsOf[b] - eventsOf[a] || a - b,
  );
  const coreOf = new Int32Array(threads);
  ranked.forEach((thread, rank) => {
    coreOf[thread] = rank % cores;
  });
  return { rule: 'busiest-first', coreOf };
}

/** The recorded CPUs are usable: the machine was as wide as the replay, every active thread seen. */
function recordedFits(recorded: RecordedCpus, eventsOf: Float64Array, cores: number): boolean {
  if (recorded.machineCores < cores) return false;
  for (let t = 0; t < eventsOf.length; t++) {
    if (eventsOf[t] > 0 && !(recorded.cpus[t]?.length ?? 0)) return false;
  }
  return true;
}
