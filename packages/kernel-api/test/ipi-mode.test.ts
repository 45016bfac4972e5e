// How the subsystem sends its shootdowns: OSv ('per-target', the default) pays one ICR write —
// in a guest without AVIC one VM exit — per target, for flush_tlb_all and targeted flushes
// alike; ipiMode 'paravirtual' (guest Linux under KVM) sends one hypercall for all targets.
import { MapFlags, MiB, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { type IpiMode, Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import type { TlbFlushPolicy } from '../src/index.js';
import { referenceSystem } from './parts.js';

const RW = Prot.READ | Prot.WRITE;
const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;

function unmapSeenByAll(cores: number, tlbFlush: TlbFlushPolicy, ipiMode?: IpiMode) {
  const machine = new Machine({ cores });
  const system = referenceSystem(machine, { memoryBytes: 64 * MiB, tlbFlush, ipiMode });
  system.boot();
  const addr = system.mmap(0, 4 * PAGE_SIZE, RW, ANON);
  for (let core = 0; core < cores; core++) expect(system.touch(core, addr, true)).toBe(Ok);
  const before = machine.counters.totals();
  expect(system.munmap(0, addr, 4 * PAGE_SIZE)).toBe(Ok);
  const after = machine.counters.totals();
  const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  return { exits: delta('ipiSendExits'), hypercalls: delta('pvIpiHypercalls') };
}

describe('ipiMode', () => {
  it('OSv pays one VM exit per target, global or targeted flush', () => {
    for (const tlbFlush of ['global', 'invlpg'] as const) {
      expect(unmapSeenByAll(8, tlbFlush)).toEqual({ exits: 7, hypercalls: 0 });
    }
  });

  it("'paravirtual' sends one hypercall for all targets", () => {
    expect(unmapSeenByAll(8, 'invlpg', 'paravirtual')).toEqual({ exits: 0, hypercalls: 1 });
  });

  it('rejects an unknown mode naming it', () => {
    expect(() => unmapSeenByAll(2, 'invlpg', 'exitless' as IpiMode)).toThrow(/mode "exitless"/);
  });
});
