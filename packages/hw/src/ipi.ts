// Inter-processor interrupts and TLB shootdowns. The initiator writes the ICR once per target
// (in a guest without AVIC each write is a VM exit: ipiSend), so the k-th IPI leaves at
// start + k × ipiSend and arrives ipiLatency later. Each target loses ipiHandle plus whatever the
// action charges (e.g. a TLB flush) on its own clock, and acknowledges at arrival + that handler
// time; the initiator, after its last send, waits until the slowest acknowledgement.
// Invariant: nothing here depends on the number of cores except through these per-target
// sends and acknowledgements, so shootdown cost grows with the targets by mechanism.
//
// A target's clock may be behind or ahead of the arrival time. Either way its handler time is
// added to its clock (the time it loses) and its acknowledgement is arrival + handler time: a
// target that is ahead was, in reality, interrupted at the arrival. Interrupt-disabled regions
// that would delay the handler are not modelled. Modelled on OSv arch/x64/mmu.cc flush_tlb_all
// and Linux native_flush_tlb_multi (costs.md §1 "Shootdown", notes 2 and 3).

import type { Lock } from '@unimem/core';
import type { Machine } from './machine.js';
import type { Tlb } from './tlb.js';

/** Explicit target cores, or every configured core except the initiator. */
export type IpiTargets = readonly number[] | 'all-but-self';

/** Work a target does in its handler; it runs as the machine's current core. */
export type IpiAction = (target: number) => void;

export interface IpiOptions {
  /**
   * The cores 'all-but-self' addresses: a count n (cores 0..n-1) or a list. OSv IPIs only CPUs
   * running application threads, so pass the cores of the run. Default: every machine core.
   */
  cores?: number | readonly number[];
}

/** The caller's serialisation of global flushes (OSv's tlb_flush_mutex). */
export type FlushLock = Pick<Lock, 'lock' | 'unlock'>;

const noAction: IpiAction = () => {};

export class Ipis {
  /** Cores 'all-but-self' addresses. */
  readonly cores: readonly number[];
  private readonly clocks: Float64Array;
  private readonly mark: Uint8Array;
  private readonly cSent: number;
  private readonly cReceived: number;
  private readonly cHandlerCycles: number;
  private readonly cShootdowns: number;
  private readonly cWaitCycles: number;
  private flushTlb: Tlb | null = null;
  private readonly flushAction: IpiAction = (target) => this.flushTlb!.flushAll(target);

  constructor(
    private readonly machine: Machine,
    options: IpiOptions = {},
  ) {
    const { cores } = options;
    this.mark = new Uint8Array(machine.cores);
    if (cores === undefined) {
      this.cores = Array.from({ length: machine.cores }, (_, i) => i);
    } else if (typeof cores === 'number') {
      if (!Number.isInteger(cores) || cores < 1 || cores > machine.cores) {
        throw new RangeError(`IPI cores ${cores} must be an integer in 1..${machine.cores}`);
      }
      this.cores = Array.from({ length: cores }, (_, i) => i);
    } else {
      this.checkTargets(cores, -1, 'IPI core');
      this.cores = [...cores];
    }
    this.clocks = machine.clocks;
    const { counters } = machine;
    this.cSent = counters.define('ipisSent');
    this.cReceived = counters.define('ipisReceived');
    this.cHandlerCycles = counters.define('ipiHandlerCycles');
    this.cShootdowns = counters.define('shootdowns');
    this.cWaitCycles = counters.define('shootdownWaitCycles');
  }

  /**
   * Sends an IPI from `initiator` to each target, runs `action` in each target's handler and
   * waits for every acknowledgement. `broadcast` models one ICR write with a destination
   * shorthand (one ipiSend for all; the host's per-vCPU injection is not modelled). Returns the
   * cycles the initiator spent (sends plus wait); 0 when there is no target.
   */
  shootdown(
    initiator: number,
    targets: IpiTargets,
    action: IpiAction = noAction,
    broadcast = false,
  ): number {
    const machine = this.machine;
    if (!(Number.isInteger(initiator) && initiator >= 0 && initiator < machine.cores)) {
      throw new RangeError(
        `shootdown initiator ${initiator} is out of range 0..${machine.cores - 1}`,
      );
    }
    const list = targets === 'all-but-self' ? this.cores : targets;
    if (targets !== 'all-but-self') this.checkTargets(targets, initiator, 'shootdown target');
    const clocks = this.clocks;
    const { ipiSend, ipiLatency, ipiHandle } = machine.costs;
    const counters = machine.counters;
    const saved = machine.current;
    const start = clocks[initiator];
    let sent = 0;
    let lastAck = start;
    for (const target of list) {
      if (target === initiator) continue;
      if (!broadcast || sent === 0) clocks[initiator] += ipiSend;
      sent++;
      const arrival = clocks[initiator] + ipiLatency;
      const before = clocks[target];
      clocks[target] += ipiHandle;
      machine.current = target;
      action(target);
      machine.current = saved;
      const handler = clocks[target] - before;
      if (arrival + handler > lastAck) lastAck = arrival + handler;
      counters.add(target, this.cReceived);
      counters.add(target, this.cHandlerCycles, handler);
    }
    if (sent === 0) return 0;
    const wait = Math.max(0, lastAck - clocks[initiator]);
    clocks[initiator] += wait;
    counters.add(initiator, this.cSent, sent);
    counters.add(initiator, this.cShootdowns);
    counters.add(initiator, this.cWaitCycles, wait);
    return clocks[initiator] - start;
  }

  /**
   * OSv's flush_tlb_all: flush the local TLB, take the caller's lock (tlb_flush_mutex), IPI
   * every other configured core to flush its TLB, wait for all, release. Returns the cycles the
   * initiator spent, lock wait included.
   */
  flushTlbAll(initiator: number, tlb: Tlb, lock?: FlushLock, broadcast = false): number {
    const start = this.clocks[initiator];
    tlb.flushAll(initiator);
    lock?.lock(initiator);
    this.flushTlb = tlb;
    this.shootdown(initiator, 'all-but-self', this.flushAction, broadcast);
    this.flushTlb = null;
    lock?.unlock(initiator);
    return this.clocks[initiator] - start;
  }

  /** Throws a RangeError for a core out of range, repeated, or equal to `initiator`. */
  private checkTargets(targets: readonly number[], initiator: number, what: string): void {
    const mark = this.mark;
    let bad: number | undefined;
    for (const core of targets) {
      if (!(Number.isInteger(core) && core >= 0 && core < mark.length) || mark[core] === 1) {
        bad = core;
        break;
      }
      if (core === initiator) {
        bad = core;
        break;
      }
      mark[core] = 1;
    }
    for (const core of targets) if (core >= 0 && core < mark.length) mark[core] = 0;
    if (bad !== undefined) {
      throw new RangeError(
        `${what} ${bad} is out of range 0..${mark.length - 1}, repeated, or the initiator`,
      );
    }
  }
}
