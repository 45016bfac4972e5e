// Inter-processor interrupts and TLB shootdowns. Two delivery modes, as the guest kernel chooses:
//
// - 'per-target' (OSv; any kernel without paravirtual IPIs): the initiator writes the ICR once
//   per target (in a guest without AVIC each write is a VM exit: ipiSend), so the k-th IPI
//   leaves at start + k × ipiSend and arrives ipiLatency later.
// - 'paravirtual' (guest Linux under KVM, arch/x86/kernel/kvm.c): a TLB flush first skips every
//   target whose vCPU the host has preempted — kvm_flush_tlb_multi sets KVM_VCPU_FLUSH_TLB in
//   the target's steal-time record and the host flushes at its next VM entry
//   (record_steal_time) — then kvm_send_ipi_mask sends the rest with one KVM_HC_SEND_IPI
//   hypercall per window of 128 APIC IDs (pvIpiHypercall) in which the host delivers to each
//   target (pvIpiTarget). On a bare-metal profile (vmExit 0: kvm_para_available() is false)
//   it sends as 'per-target'.
//
// Both skip idle cores for TLB flushes (Linux lazy-TLB CPUs, should_flush_tlb; OSv's lazy flag
// for CPUs not running application threads): their flush runs when they next switch to the
// address space. Each target loses ipiHandle plus whatever the action charges (e.g. a TLB
// flush) on its own clock and acknowledges at arrival + that handler time (no earlier than its
// vCPU runs again if preempted); the initiator, after its last send, waits for the slowest
// acknowledgement. Invariant: nothing here depends on the number of cores except through these
// per-target sends, hypercall windows and acknowledgements.
//
// A target's clock may be behind or ahead of the arrival time. Either way its handler time is
// added to its clock (the time it loses) and its acknowledgement is arrival + handler time: a
// target that is ahead was, in reality, interrupted at the arrival. Interrupt-disabled regions
// that would delay the handler are not modelled. Modelled on OSv arch/x64/mmu.cc flush_tlb_all
// and Linux native_flush_tlb_multi / kvm_flush_tlb_multi (packages/hw/README.md, "IPIs").

import type { Lock } from '@unimem/core';
import type { Machine } from './machine.js';
import type { Tlb } from './tlb.js';

/** Explicit target cores, or every configured core except the initiator. */
export type IpiTargets = readonly number[] | 'all-but-self';

/** Work a target does in its handler; the target is the bound core meanwhile (core-handle.ts). */
export type IpiAction = (target: number) => void;

/** How the guest sends IPIs: one ICR write per target, or KVM's paravirtual interface. */
export type IpiMode = 'per-target' | 'paravirtual';

/** APIC IDs one KVM_HC_SEND_IPI covers (KVM_IPI_CLUSTER_SIZE = 2 × BITS_PER_LONG). */
export const PV_IPI_WINDOW = 128;

export interface IpiOptions {
  /**
   * The cores 'all-but-self' addresses: a count n (cores 0..n-1) or a list. OSv IPIs only CPUs
   * running application threads, so pass the cores of the run. Default: every machine core.
   */
  cores?: number | readonly number[];
  /** 'per-target' (default: OSv) or 'paravirtual' (guest Linux under KVM). */
  mode?: IpiMode;
}

/** The caller's serialisation of global flushes (OSv's tlb_flush_mutex). */
export type FlushLock = Pick<Lock, 'lock' | 'unlock'>;

const noAction: IpiAction = () => {};

export class Ipis {
  /** Cores 'all-but-self' addresses. */
  readonly cores: readonly number[];
  readonly mode: IpiMode;
  /** True when PV IPIs are in use: mode 'paravirtual' on a guest profile (vmExit > 0). */
  readonly paravirtual: boolean;
  private readonly clocks: Float64Array;
  private readonly mark: Uint8Array;
  /** Per core: 1 while it runs no thread of the address space (idle, lazy TLB). */
  private readonly idle: Uint8Array;
  /** Per core: the cycle until which the host has descheduled its vCPU (0: running). */
  private readonly preemptedUntil: Float64Array;
  private readonly cSent: number;
  private readonly cReceived: number;
  private readonly cHandlerCycles: number;
  private readonly cShootdowns: number;
  private readonly cWaitCycles: number;
  private readonly cExits: number;
  private readonly cHypercalls: number;
  private readonly cDeferred: number;
  private flushTlb: Tlb | null = null;
  private readonly flushAction: IpiAction = (target) => this.flushTlb!.flushAll(target);

  constructor(
    private readonly machine: Machine,
    options: IpiOptions = {},
  ) {
    const { cores } = options;
    this.mark = new Uint8Array(machine.cores);
    this.idle = new Uint8Array(machine.cores);
    this.preemptedUntil = new Float64Array(machine.cores);
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
    const mode = options.mode ?? 'per-target';
    if (mode !== 'per-target' && mode !== 'paravirtual') {
      throw new RangeError(`IPI mode "${mode}" must be 'per-target' or 'paravirtual'`);
    }
    this.mode = mode;
    this.paravirtual = mode === 'paravirtual' && machine.costs.vmExit > 0;
    this.clocks = machine.clocks;
    const { counters } = machine;
    this.cSent = counters.define('ipisSent');
    this.cReceived = counters.define('ipisReceived');
    this.cHandlerCycles = counters.define('ipiHandlerCycles');
    this.cShootdowns = counters.define('shootdowns');
    this.cWaitCycles = counters.define('shootdownWaitCycles');
    this.cExits = counters.define('ipiSendExits');
    this.cHypercalls = counters.define('pvIpiHypercalls');
    this.cDeferred = counters.define('tlbFlushesDeferred');
  }

  /**
   * Marks `core` idle (it runs no thread of the address space: Linux lazy TLB, OSv's lazy flag)
   * or busy again. TLB flushes skip idle cores and run their flush as deferred work.
   */
  setIdle(core: number, idle: boolean): void {
    this.checkCore(core, 'idle core');
    this.idle[core] = idle ? 1 : 0;
  }

  /**
   * The host deschedules the vCPU of `core` until cycle `until` (0: it runs). A paravirtual TLB
   * flush skips it; any other IPI is handled only once it runs again.
   */
  preempt(core: number, until: number): void {
    this.checkCore(core, 'preempted core');
    if (!(Number.isFinite(until) && until >= 0)) {
      throw new RangeError(`preempted until ${until} must be a finite cycle >= 0`);
    }
    this.preemptedUntil[core] = until;
  }

  /**
   * Sends an IPI from `initiator` to each target, runs `action` in each target's handler and
   * waits for every acknowledgement. `broadcast` models one ICR write with a destination
   * shorthand in 'per-target' mode (one ipiSend for all; the host's per-vCPU injection is not
   * modelled). Returns the cycles the initiator spent (sends plus wait); 0 when there is no
   * target.
   */
  shootdown(
    initiator: number,
    targets: IpiTargets,
    action: IpiAction = noAction,
    broadcast = false,
  ): number {
    return this.send(initiator, targets, action, null, broadcast);
  }

  /**
   * A TLB shootdown (Linux flush_tlb_multi): like `shootdown`, but idle targets — and, in
   * paravirtual mode, targets whose vCPU is preempted — get no IPI: `deferred` runs for them
   * instead (their flush at the next switch-in or VM entry, charged to their own clock).
   */
  flushTlbMulti(
    initiator: number,
    targets: IpiTargets,
    action: IpiAction,
    deferred: IpiAction,
    broadcast = false,
  ): number {
    return this.send(initiator, targets, action, deferred, broadcast);
  }

  /**
   * OSv's flush_tlb_all: flush the local TLB, take the caller's lock (tlb_flush_mutex), IPI
   * every other configured, non-idle core to flush its TLB, wait for all, release. Returns the
   * cycles the initiator spent, lock wait included.
   */
  flushTlbAll(initiator: number, tlb: Tlb, lock?: FlushLock, broadcast = false): number {
    const start = this.clocks[initiator];
    tlb.flushAll(initiator);
    lock?.lock(initiator);
    this.flushTlb = tlb;
    this.send(initiator, 'all-but-self', this.flushAction, this.flushAction, broadcast);
    this.flushTlb = null;
    lock?.unlock(initiator);
    return this.clocks[initiator] - start;
  }

  private send(
    initiator: number,
    targets: IpiTargets,
    action: IpiAction,
    deferred: IpiAction | null,
    broadcast: boolean,
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
    const { ipiSend, ipiLatency, ipiHandle, pvIpiHypercall, pvIpiTarget, vmExit } = machine.costs;
    const paravirtual = this.paravirtual;
    const counters = machine.counters;
    const start = clocks[initiator];
    let sent = 0;
    let hypercalls = 0;
    let windowMin = -1;
    let lastAck = start;
    for (const target of list) {
      if (target === initiator) continue;
      const preempted = this.preemptedUntil[target] > clocks[initiator];
      if (deferred !== null && (this.idle[target] === 1 || (paravirtual && preempted))) {
        this.runOn(target, deferred);
        counters.add(target, this.cDeferred);
        continue;
      }
      if (paravirtual) {
        // kvm_send_ipi_mask: a new hypercall when the target's APIC ID leaves the window.
        if (windowMin < 0 || target < windowMin || target >= windowMin + PV_IPI_WINDOW) {
          clocks[initiator] += pvIpiHypercall;
          hypercalls++;
          windowMin = target;
        }
        clocks[initiator] += pvIpiTarget;
      } else if (!broadcast || sent === 0) {
        clocks[initiator] += ipiSend;
        if (vmExit > 0) counters.add(initiator, this.cExits);
      }
      sent++;
      let arrival = clocks[initiator] + ipiLatency;
      if (preempted && this.preemptedUntil[target] > arrival) arrival = this.preemptedUntil[target];
      const before = clocks[target];
      clocks[target] += ipiHandle;
      this.runOn(target, action);
      const handler = clocks[target] - before;
      if (arrival + handler > lastAck) lastAck = arrival + handler;
      counters.add(target, this.cReceived);
      counters.add(target, this.cHandlerCycles, handler);
    }
    if (hypercalls > 0) counters.add(initiator, this.cHypercalls, hypercalls);
    if (sent === 0) return clocks[initiator] - start;
    const wait = Math.max(0, lastAck - clocks[initiator]);
    clocks[initiator] += wait;
    counters.add(initiator, this.cSent, sent);
    counters.add(initiator, this.cShootdowns);
    counters.add(initiator, this.cWaitCycles, wait);
    return clocks[initiator] - start;
  }

  /** Runs `action` on `target`, binding it for the call (its CPU executes the handler). */
  private runOn(target: number, action: IpiAction): void {
    const handle = this.machine.core(target);
    const outer = handle.bind();
    try {
      action(target);
    } finally {
      handle.unbind(outer);
    }
  }

  private checkCore(core: number, what: string): void {
    if (!(Number.isInteger(core) && core >= 0 && core < this.machine.cores)) {
      throw new RangeError(`${what} ${core} is out of range 0..${this.machine.cores - 1}`);
    }
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
