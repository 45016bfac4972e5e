// Linux's queued spinlock (kernel/locking/qspinlock.c, include/asm-generic/qspinlock.h), the
// spinlock_t of x86-64 kernels, e.g. zone->lock. Fast path: one cmpxchg of the lock word 0 -> 1.
// Contended: the waiter joins an MCS queue (per-CPU qnodes, kernel/locking/mcs_spinlock.h) and
// spins on its own node, so a release disturbs no other waiter; the queue head spins on the lock
// word. Handoff: the releaser's store of the locked byte (smp_store_release), the head's read of
// the lock word (one line transfer) and its store setting the locked byte (taking the line
// exclusive); the head then passes MCS-queue headship to the next node by writing that node's
// line. Waiters never sleep, and they are served in arrival order (FIFO).
//
// Invariant: as every ExclusiveLock, holds never overlap in simulated time. The MCS nodes are one
// line per core shared by every qspinlock of a machine, as Linux's per-CPU qnodes are.

import type { Machine } from '../machine.js';
import { ExclusiveLock, type LockObserverOptions } from './exclusive.js';
import type { WaitPolicy } from './placement.js';

const SPIN: WaitPolicy = {
  spinCycles: Number.POSITIVE_INFINITY,
  wakeupCycles: 0,
  handoffAfterCycles: Number.POSITIVE_INFINITY,
  respinCycles: Number.POSITIVE_INFINITY,
};

/** First of the per-core MCS node lines of each machine (allocated on first use). */
const qnodes = new WeakMap<Machine, number>();

export class QueuedSpinlock extends ExclusiveLock {
  /** The first per-core MCS node line (core c's node is nodeLines + c). */
  readonly nodeLines: number;

  constructor(machine: Machine, name: string, options: LockObserverOptions = {}) {
    super(machine, name, 'qspinlock', SPIN, options);
    let nodes = qnodes.get(machine);
    if (nodes === undefined) {
      nodes = machine.lines.allocLines(machine.cores, 'qspinlock MCS nodes');
      qnodes.set(machine, nodes);
    }
    this.nodeLines = nodes;
  }

  protected acquireAccess(core: number, contended: boolean): void {
    const lines = this.lines;
    if (!contended) {
      lines.rmwPlacedBy(core, this.line);
      return;
    }
    // Queued: our node was initialised and linked (xchg of the tail in the lock word) before the
    // wait; at the handoff we re-read the lock word and set the locked byte.
    lines.writePlacedBy(core, this.nodeLines + core);
    lines.readBy(core, this.line);
    lines.writePlacedBy(core, this.line);
  }

  protected releaseAccess(core: number): void {
    this.lines.writePlacedBy(core, this.line);
  }
}
