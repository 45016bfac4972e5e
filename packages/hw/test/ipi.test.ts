import { ReferenceFrameAllocator } from '@unimem/core';
import { describe, expect, it } from 'vitest';
import { Ipis, Machine, PageSize, PageTable, PteFlag, Tlb } from '../src/index.js';

function setup(cores = 8, ipiCores?: number) {
  const machine = new Machine({ cores });
  const ipis = new Ipis(machine, ipiCores === undefined ? {} : { cores: ipiCores });
  const { ipiSend, ipiLatency, ipiHandle } = machine.costs;
  const counter = (name: string, core: number) =>
    machine.counters.get(core, machine.counters.define(name));
  return { machine, ipis, send: ipiSend, latency: ipiLatency, handle: ipiHandle, counter };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('Ipis.shootdown', () => {
  it('costs the initiator n sends, the latency and one handler; grows with the targets', () => {
    const spent: number[] = [];
    for (let n = 1; n <= 7; n++) {
      const { ipis, send, latency, handle } = setup();
      const cycles = ipis.shootdown(0, range(1, n + 1));
      expect(cycles).toBe(n * send + latency + handle);
      spent.push(cycles);
    }
    for (let i = 1; i < spent.length; i++) expect(spent[i]).toBeGreaterThan(spent[i - 1]);
  });

  it('each target loses the handler time and its action on its own clock', () => {
    const { machine, ipis, handle, counter } = setup();
    machine.clocks[5] = 1_000_000;
    const seen: number[] = [];
    ipis.shootdown(0, [2, 5], (target) => {
      seen.push(machine.current);
      machine.charge(100 * target);
    });
    expect(seen).toEqual([2, 5]);
    expect(machine.now(2)).toBe(handle + 200);
    expect(machine.now(5)).toBe(1_000_000 + handle + 500);
    expect(machine.now(1)).toBe(0);
    expect(counter('ipisReceived', 2)).toBe(1);
    expect(counter('ipiHandlerCycles', 5)).toBe(handle + 500);
    expect(machine.current).toBe(0);
  });

  it('the initiator waits for the slowest acknowledgement, whatever the targets clocks', () => {
    const { machine, ipis, send, latency, handle, counter } = setup();
    machine.clocks[0] = 5000;
    machine.clocks[4] = 10_000_000; // far ahead: it was interrupted at the arrival all the same
    const extra = [0, 0, 0, 20_000, 0, 0, 0, 0];
    const cycles = ipis.shootdown(0, [3, 4, 6], (target) => machine.charge(extra[target]));
    // Target 3 got the first IPI but runs the longest handler.
    const acks = [send + 20_000, 2 * send, 3 * send].map((t) => t + latency + handle);
    expect(cycles).toBe(Math.max(...acks));
    expect(machine.now(0)).toBe(5000 + Math.max(...acks));
    expect(counter('shootdownWaitCycles', 0)).toBe(Math.max(...acks) - 3 * send);
    expect(counter('ipisSent', 0)).toBe(3);
    expect(counter('shootdowns', 0)).toBe(1);
  });

  it('a broadcast pays one send for all targets', () => {
    const { ipis, send, latency, handle, counter } = setup();
    expect(ipis.shootdown(2, 'all-but-self', undefined, true)).toBe(send + latency + handle);
    expect(counter('ipisSent', 2)).toBe(7);
  });

  it("'all-but-self' addresses the configured cores except the initiator", () => {
    const { machine, ipis, counter } = setup(8, 4);
    const targets: number[] = [];
    ipis.shootdown(1, 'all-but-self', (t) => targets.push(t));
    expect(targets).toEqual([0, 2, 3]);
    expect(counter('ipisReceived', 5)).toBe(0);
    expect(machine.now(5)).toBe(0);
  });

  it('does nothing without targets', () => {
    const { machine, ipis, counter } = setup(1);
    expect(ipis.shootdown(0, 'all-but-self')).toBe(0);
    expect(ipis.shootdown(0, [])).toBe(0);
    expect(machine.now(0)).toBe(0);
    expect(counter('shootdowns', 0)).toBe(0);
  });

  it('rejects bad targets naming the core', () => {
    const { ipis } = setup(4);
    expect(() => ipis.shootdown(0, [1, 0])).toThrow(/target 0/);
    expect(() => ipis.shootdown(0, [1, 2, 1])).toThrow(/target 1/);
    expect(() => ipis.shootdown(0, [4])).toThrow(/target 4/);
    expect(() => ipis.shootdown(9, [1])).toThrow(/initiator 9/);
    expect(() => new Ipis(new Machine({ cores: 2 }), { cores: 3 })).toThrow(/cores 3/);
    expect(ipis.shootdown(0, [1, 2])).toBeGreaterThan(0); // marks were cleared
  });
});

describe('Ipis.flushTlbAll', () => {
  it('flushes every configured TLB under the caller lock and waits for all', () => {
    const machine = new Machine({ cores: 8 });
    const table = new PageTable(machine, new ReferenceFrameAllocator({ frames: 64, cores: 8 }));
    const tlb = new Tlb(machine);
    const ipis = new Ipis(machine, { cores: 4 });
    table.map(0, 0x1000, 1, PageSize.Size4K, PteFlag.Writable);
    for (let core = 0; core < 8; core++) tlb.translate(core, 0x1000, table);
    const calls: string[] = [];
    const lock = {
      lock: (core: number) => calls.push(`lock ${core}`),
      unlock: (core: number) => calls.push(`unlock ${core}`),
    };
    const before = machine.now(2);
    const spent = ipis.flushTlbAll(2, tlb, lock);
    expect(calls).toEqual(['lock 2', 'unlock 2']);
    for (let core = 0; core < 4; core++) expect(tlb.holds(core, 0x1000)).toBe(0);
    for (let core = 4; core < 8; core++) expect(tlb.holds(core, 0x1000)).toBe(1);
    const { ipiSend, ipiLatency, ipiHandle, tlbFlushFull } = machine.costs;
    expect(spent).toBe(tlbFlushFull + 3 * ipiSend + ipiLatency + ipiHandle + tlbFlushFull);
    expect(machine.now(2) - before).toBe(spent);
    const flushes = machine.counters.define('tlbFlushes');
    expect(range(0, 8).map((core) => machine.counters.get(core, flushes))).toEqual([
      1, 1, 1, 1, 0, 0, 0, 0,
    ]);
  });

  it('gives identical clocks and counters on identical runs inside the scheduler', () => {
    const once = () => {
      const machine = new Machine({ cores: 16 });
      const ipis = new Ipis(machine, { cores: 16 });
      const table = new PageTable(machine, new ReferenceFrameAllocator({ frames: 256, cores: 16 }));
      const tlb = new Tlb(machine);
      for (let page = 0; page < 32; page++) {
        table.map(0, page * 4096, page, PageSize.Size4K, PteFlag.Writable);
      }
      machine.run((core) =>
        (function* () {
          for (let i = 0; i < 10; i++) {
            tlb.translate(core, ((core + i) % 32) * 4096, table);
            yield;
            if ((core + i) % 4 === 0) ipis.flushTlbAll(core, tlb);
            yield;
          }
        })(),
      );
      return { clocks: [...machine.clocks], counters: machine.counters.totals() };
    };
    const first = once();
    expect(first.counters.shootdowns).toBeGreaterThan(0);
    expect(once()).toEqual(first);
  });
});
