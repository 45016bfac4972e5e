// Paravirtual guest IPIs (ipi.ts, mode 'paravirtual'): guest Linux under KVM sends a TLB
// shootdown with one KVM_HC_SEND_IPI hypercall per 128 APIC IDs and skips preempted vCPUs
// (kvm_flush_tlb_multi), while OSv ('per-target') pays one VM exit per target. Both skip idle
// cores for TLB flushes.

import { ReferenceFrameAllocator } from '@unimem/core';
import { describe, expect, it } from 'vitest';
import {
  type IpiMode,
  Ipis,
  Machine,
  PageSize,
  PageTable,
  PteFlag,
  Tlb,
  xeonGold5320,
} from '../src/index.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function setup(mode: IpiMode, cores = 64, profile = undefined as Machine['profile'] | undefined) {
  const machine = new Machine({ cores, ...(profile ? { profile } : {}) });
  const ipis = new Ipis(machine, { mode });
  const counter = (name: string, core: number) =>
    machine.counters.get(core, machine.counters.define(name));
  return { machine, ipis, costs: machine.costs, counter };
}

/** A TLB with page 0x1000 cached on every core. */
function cachedTlb(machine: Machine) {
  const table = new PageTable(
    machine,
    new ReferenceFrameAllocator({ frames: 64, cores: machine.cores }),
  );
  table.map(0, 0x1000, 1, PageSize.Size4K, PteFlag.Writable);
  const tlb = new Tlb(machine);
  for (let core = 0; core < machine.cores; core++) tlb.translate(core, 0x1000, table);
  machine.clocks.fill(0);
  return tlb;
}

describe('guest Linux: paravirtual shootdowns', () => {
  it('N targets cost one hypercall, not N VM exits; OSv pays one exit per target', () => {
    for (const n of [1, 7, 31, 63]) {
      const pv = setup('paravirtual');
      const pvCycles = pv.ipis.shootdown(0, range(1, n + 1));
      const { pvIpiHypercall, pvIpiTarget, ipiLatency, ipiHandle, ipiSend } = pv.costs;
      expect(pvCycles).toBe(pvIpiHypercall + n * pvIpiTarget + ipiLatency + ipiHandle);
      expect(pv.counter('pvIpiHypercalls', 0)).toBe(1);
      expect(pv.counter('ipiSendExits', 0)).toBe(0);
      expect(pv.counter('ipisSent', 0)).toBe(n);

      const osv = setup('per-target');
      const osvCycles = osv.ipis.shootdown(0, range(1, n + 1));
      expect(osvCycles).toBe(n * ipiSend + ipiLatency + ipiHandle);
      expect(osv.counter('ipiSendExits', 0)).toBe(n);
      expect(osv.counter('pvIpiHypercalls', 0)).toBe(0);
      if (n > 1) expect(pvCycles).toBeLessThan(osvCycles);
    }
  });

  it('one hypercall covers 128 APIC IDs', () => {
    const { ipis, counter } = setup('paravirtual', 200);
    ipis.shootdown(0, range(1, 200));
    expect(counter('pvIpiHypercalls', 0)).toBe(2); // [1, 128], [129, 199]
    ipis.shootdown(5, [0, 127, 128]);
    expect(counter('pvIpiHypercalls', 5)).toBe(2); // [0, 127], [128]
  });

  it('skips a preempted vCPU and defers its flush to its next entry; OSv waits for it', () => {
    const until = 10_000_000;
    const pv = setup('paravirtual', 8);
    const tlb = cachedTlb(pv.machine);
    pv.ipis.preempt(3, until);
    const spent = pv.ipis.flushTlbMulti(
      0,
      range(1, 8),
      (t) => tlb.invlpg(t, 0x1000),
      (t) => tlb.flushAll(t),
    );
    expect(pv.counter('ipisReceived', 3)).toBe(0);
    expect(pv.counter('tlbFlushesDeferred', 3)).toBe(1);
    expect(tlb.holds(3, 0x1000)).toBe(0); // flushed all the same (at its next VM entry)
    expect(pv.counter('ipisSent', 0)).toBe(6);
    expect(spent).toBeLessThan(until / 100);

    const osv = setup('per-target', 8);
    const osvTlb = cachedTlb(osv.machine);
    osv.ipis.preempt(3, until);
    const osvSpent = osv.ipis.flushTlbMulti(
      0,
      range(1, 8),
      (t) => osvTlb.invlpg(t, 0x1000),
      (t) => osvTlb.flushAll(t),
    );
    expect(osv.counter('ipisReceived', 3)).toBe(1);
    expect(osvSpent).toBeGreaterThanOrEqual(until); // the ack comes after the vCPU runs again
  });

  it('a preemption that is over does not skip the target', () => {
    const { machine, ipis, counter } = setup('paravirtual', 4);
    const tlb = cachedTlb(machine);
    ipis.preempt(2, 100);
    machine.clocks[0] = 1000;
    ipis.flushTlbMulti(
      0,
      [1, 2, 3],
      (t) => tlb.invlpg(t, 0x1000),
      (t) => tlb.flushAll(t),
    );
    expect(counter('ipisReceived', 2)).toBe(1);
    expect(counter('tlbFlushesDeferred', 2)).toBe(0);
  });

  it('both systems skip idle cores for TLB flushes, but not for other IPIs', () => {
    for (const mode of ['paravirtual', 'per-target'] as const) {
      const { machine, ipis, counter } = setup(mode, 8);
      const tlb = cachedTlb(machine);
      ipis.setIdle(5, true);
      ipis.setIdle(6, true);
      ipis.flushTlbAll(0, tlb);
      expect(counter('ipisSent', 0)).toBe(5);
      expect(counter('ipisReceived', 5)).toBe(0);
      expect(counter('tlbFlushesDeferred', 5) + counter('tlbFlushesDeferred', 6)).toBe(2);
      for (let core = 0; core < 8; core++) expect(tlb.holds(core, 0x1000)).toBe(0);
      ipis.shootdown(0, [5, 6]);
      expect(counter('ipisReceived', 5)).toBe(1);
      ipis.setIdle(5, false);
      ipis.flushTlbAll(1, tlb);
      expect(counter('ipisReceived', 5)).toBe(2);
    }
  });

  it('falls back to per-target sends on a bare-metal profile', () => {
    const { ipis, costs, counter } = setup('paravirtual', 8, xeonGold5320);
    expect(ipis.paravirtual).toBe(false);
    const cycles = ipis.shootdown(0, range(1, 8));
    expect(cycles).toBe(7 * costs.ipiSend + costs.ipiLatency + costs.ipiHandle);
    expect(counter('pvIpiHypercalls', 0)).toBe(0);
    expect(counter('ipiSendExits', 0)).toBe(0); // native ICR writes are not exits
  });

  it('rejects a bad mode or vCPU state naming the value', () => {
    const machine = new Machine({ cores: 4 });
    expect(() => new Ipis(machine, { mode: 'pv' as IpiMode })).toThrow(/mode "pv"/);
    const ipis = new Ipis(machine, { mode: 'paravirtual' });
    expect(() => ipis.setIdle(4, true)).toThrow(/idle core 4/);
    expect(() => ipis.preempt(-1, 10)).toThrow(/preempted core -1/);
    expect(() => ipis.preempt(1, Number.NaN)).toThrow(/until NaN/);
  });
});
