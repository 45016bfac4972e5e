// OSv's lockfree::mutex (core/lfmutex.cc), the mutex of OSv's kernel and of its pthread_mutex.
// lock(): count.fetch_add(1); if the count was 0 the lock is ours. Otherwise the thread pushes
// itself on the lock-free wait queue and sleeps at once (no spinning). unlock(): if
// count.fetch_add(-1) was 1 nobody waits; else it pops the first waiter and wakes it with the
// lock handed over (wake_with): the lock stays reserved for the woken thread until it runs, so
// every contended handoff pays a wake-up (the profile's ipiLatency: OSv wakes a thread on another
// CPU with an IPI) — under heavy contention a lock convoy. Nobody can steal the lock. The
// releaser pays that IPI's send (ipiSend, locks/wakes.ts: wake_with -> wake_impl ->
// cpu::send_wakeup_ipi, core/sched.cc). But send_wakeup_ipi sends nothing while the target CPU
// still polls for wake-ups in its idle loop (cpu::do_idle, 10,000 rounds before it halts): a
// sleeper woken within that poll costs its waker only wake_impl's line transfers and runs after
// a few transfers instead of ipiLatency (pollCycles, locks/idle-poll.ts).
//
// Invariant: as every ExclusiveLock, holds never overlap in simulated time.

import { type MutexOptions, SimMutex } from '../locks.js';
import type { Machine } from '../machine.js';
import { osvPollCycles } from './idle-poll.js';

export class OsvMutex extends SimMutex {
  constructor(machine: Machine, name: string, options: MutexOptions = {}) {
    super(machine, name, { spinCycles: 0, pollCycles: osvPollCycles(machine), ...options });
  }
}
