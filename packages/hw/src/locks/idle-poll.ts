// OSv's idle polling before a CPU halts, and what it spares a wake (OSv core/sched.cc). A thread
// that sleeps for a lock leaves its CPU to the idle thread, whose cpu::do_idle() first polls:
// 10,000 rounds, each handle_incoming_wakeups() (fetch_clear's load of incoming_wakeups_mask,
// returning when it is 0) and a check of runqueue.empty(); no PAUSE. Only then does it halt
// (arch::wait_for_interrupt). While it polls the CPU's idle_poll flag is set (idle_poll_start /
// idle_poll_end), and a waker's thread::wake_impl -> cpu::send_wakeup_ipi() sends no IPI to it
// (`if (!idle_poll.load() && runqueue.size() <= 1) wakeup_ipi.send(this)`): the woken thread runs
// as soon as the poll finds the mask set. A wake after the poll ended costs the IPI as before.
//
// In cycles of the profile (no figure of its own; the counts are read from the source):
// - the poll lasts OSV_IDLE_POLL_ROUNDS × l1Hit: each round's two loads hit L1 while nothing
//   changes and are independent, so a round is taken as one L1 hit [E];
// - the releaser's wake while the target polls (wake_impl without the IPI) writes three lines the
//   sleeper's CPU last touched: the thread's state (CAS waiting -> waking; prepare_wait stored
//   `waiting`), the tail node of the target's incoming_wakeups queue (push_back; the target's
//   pop_front read it) and incoming_wakeups_mask (fetch_or; read by every poll round), beside
//   which send_wakeup_ipi reads idle_poll in struct cpu: WAKER_TRANSFERS line transfers;
// - the sleeper runs after those and after its own poll pulls them back: the mask (the poll's
//   load misses), the queue node (pop_front) and the thread's state (stored `queued`):
//   POLLER_TRANSFERS more. The switch from the idle thread to the woken one has no figure and
//   is left out (a lower bound, as the halted path's ipiLatency leaves the scheduler out).
// A transfer is the profile's lineCrossCcd whatever the two cores' distance (the placement does
// not know the waker; beyond one CCD most wakers are on another; within one it is an upper bound).
//
// Invariant: the poll path never costs more than the halted one on either side (its figures are
// capped at the policy's wakeupCycles and wakerCycles), and a policy without polling (pollCycles
// 0, every Linux and glibc lock) places and charges exactly as before.

import type { Machine } from '../machine.js';

/** cpu::do_idle(): `for (unsigned ctr = 0; ctr < 10000; ++ctr)` before it halts. */
export const OSV_IDLE_POLL_ROUNDS = 10_000;
/** Lines wake_impl takes from the polling CPU: thread state, wake-up queue node, cpu's mask. */
export const WAKER_TRANSFERS = 3;
/** Lines the polling CPU takes back before the woken thread runs: mask, queue node, state. */
export const POLLER_TRANSFERS = 3;

/** The polling fields of a WaitPolicy (placement.ts). */
export interface IdlePoll {
  /** How long a sleeper's CPU polls after it goes to sleep; 0: it halts at once. */
  readonly pollCycles: number;
  /** From the release until a sleeper woken while its CPU polls runs. */
  readonly pollWakeupCycles: number;
  /** What waking a sleeper whose CPU polls costs the releaser. */
  readonly pollWakerCycles: number;
}

/** OSv's idle poll on `machine`: OSV_IDLE_POLL_ROUNDS rounds of one L1 hit. */
export function osvPollCycles(machine: Machine): number {
  return OSV_IDLE_POLL_ROUNDS * machine.costs.l1Hit;
}

/**
 * The polling fields of a policy whose sleeper's CPU polls `pollCycles` (0: none) and wakes
 * through OSv's wake_impl; capped at the halted path's `wakeupCycles` and `wakerCycles`.
 */
export function idlePoll(
  machine: Machine,
  pollCycles: number,
  wakeupCycles: number,
  wakerCycles: number,
): IdlePoll {
  const transfer = machine.costs.lineCrossCcd;
  return {
    pollCycles,
    pollWakeupCycles: Math.min((WAKER_TRANSFERS + POLLER_TRANSFERS) * transfer, wakeupCycles),
    pollWakerCycles: Math.min(WAKER_TRANSFERS * transfer, wakerCycles),
  };
}
