// Guest Linux under KVM sends its TLB shootdowns as paravirtual IPIs (arch/x86/kernel/kvm.c):
// a munmap seen by N other cores costs one KVM_HC_SEND_IPI hypercall, not N VM exits, and a
// preempted vCPU is skipped (its flush deferred to its next VM entry).
import { MapFlags, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import { LinuxMemory } from '../src/index.js';

const RW = Prot.READ | Prot.WRITE;
const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;

function unmapSeenByAll(cores: number, preempted?: number) {
  const machine = new Machine({ cores });
  const linux = new LinuxMemory({ machine, memoryBytes: 64 * 2 ** 20, thp: 'never' });
  linux.boot();
  const addr = linux.mmap(0, 4 * PAGE_SIZE, RW, ANON);
  for (let core = 0; core < cores; core++) expect(linux.touch(core, addr, true)).toBe(Ok);
  if (preempted !== undefined) linux.inner.preemptVcpu(preempted, 1e15);
  const before = machine.counters.totals();
  expect(linux.munmap(0, addr, 4 * PAGE_SIZE)).toBe(Ok);
  const after = machine.counters.totals();
  const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  return {
    hypercalls: delta('pvIpiHypercalls'),
    exits: delta('ipiSendExits'),
    sent: delta('ipisSent'),
    deferred: delta('tlbFlushesDeferred'),
  };
}

describe('guest Linux shootdowns', () => {
  it('one PV hypercall for all other cores, no per-target VM exit', () => {
    for (const cores of [2, 8, 32]) {
      expect(unmapSeenByAll(cores)).toEqual({
        hypercalls: 1,
        exits: 0,
        sent: cores - 1,
        deferred: 0,
      });
    }
  });

  it('skips a preempted vCPU and defers its flush', () => {
    expect(unmapSeenByAll(8, 5)).toEqual({ hypercalls: 1, exits: 0, sent: 6, deferred: 1 });
  });
});
