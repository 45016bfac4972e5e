// TLB invalidation: OSv's batched global flush (gathers of 20 pages, IPIs to every other core
// of the run under the tlb_flush mutex) and the targeted INVLPG policy (to the run, or only to
// the cores holding a translation; a full flush above 33 pages). A core that cached a
// translation must never reach a page after munmap or beyond its new protection.

import { Errno, MapFlags, MiB, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import type { UnikernelMemoryOptions } from '../src/index.js';
import { optimizedOsv } from './parts.js';

const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;
const RW = Prot.READ | Prot.WRITE;

function booted(extra: Partial<UnikernelMemoryOptions> = {}) {
  const machine = new Machine({ cores: 8 });
  const system = optimizedOsv(machine, { memoryBytes: 64 * MiB, hugePages: false, ...extra });
  system.boot();
  const counter = (name: string) => machine.counters.totalOf(name);
  return { machine, system, counter };
}

/** Maps `pages` pages on core 0 and touches them from `cores`. */
function mapTouched(system: ReturnType<typeof booted>['system'], pages: number, cores: number[]) {
  const addr = system.mmap(0, pages * PAGE_SIZE, RW, ANON);
  for (const core of cores) {
    for (let page = 0; page < pages; page++) {
      expect(system.touch(core, addr + page * PAGE_SIZE, false)).toBe(Ok);
    }
  }
  return addr;
}

describe('TLB flushing', () => {
  for (const policy of [
    { tlbFlush: 'global' },
    { tlbFlush: 'invlpg', invlpgTargets: 'run' },
    { tlbFlush: 'invlpg', invlpgTargets: 'holders' },
  ] as const) {
    it(`${JSON.stringify(policy)}: no stale translation survives munmap or mprotect`, () => {
      const { system } = booted(policy);
      const addr = mapTouched(system, 3, [3, 5]);
      expect(system.touch(5, addr, true)).toBe(Ok);
      expect(system.mprotect(0, addr, PAGE_SIZE, Prot.READ)).toBe(Ok);
      expect(system.touch(5, addr, true)).toBe(Errno.EACCES);
      expect(system.touch(3, addr, true)).toBe(Errno.EACCES);
      expect(system.munmap(0, addr, 3 * PAGE_SIZE)).toBe(Ok);
      for (const core of [0, 3, 5])
        expect(system.touch(core, addr + PAGE_SIZE, false)).toBe(Errno.EFAULT);
    });
  }

  it('global: one flush_tlb_all per 20 pages, IPIs to every other core of the run', () => {
    const { system, counter } = booted();
    const addr = mapTouched(system, 45, [0]);
    expect(system.munmap(0, addr, 45 * PAGE_SIZE)).toBe(Ok);
    expect(counter('tlbFlushBatches')).toBe(3);
    expect(counter('shootdowns')).toBe(3);
    expect(counter('ipisSent')).toBe(3 * 7);
    expect(counter('tlbFlushes')).toBe(3 * 8);
  });

  it('global: IPIs reach only the cores of the run', () => {
    const { system, counter } = booted({ runCores: [0, 2, 4] });
    const addr = mapTouched(system, 1, [0]);
    expect(system.munmap(0, addr, PAGE_SIZE)).toBe(Ok);
    expect(counter('ipisSent')).toBe(2);
  });

  it('nothing populated, nothing flushed', () => {
    const { system, counter } = booted();
    const addr = system.mmap(0, 64 * PAGE_SIZE, RW, ANON);
    expect(system.munmap(0, addr, 64 * PAGE_SIZE)).toBe(Ok);
    expect(counter('ipisSent')).toBe(0);
    expect(counter('tlbFlushes')).toBe(0);
  });

  it('invlpg to the run: one INVLPG per page on every core of the run', () => {
    const { system, counter } = booted({ tlbFlush: 'invlpg' });
    const addr = mapTouched(system, 4, [0]);
    expect(system.munmap(0, addr, 4 * PAGE_SIZE)).toBe(Ok);
    expect(counter('ipisSent')).toBe(7);
    expect(counter('tlbInvlpgs')).toBe(4 * 8);
    expect(counter('tlbFlushes')).toBe(0);
  });

  it('invlpg to the holders: only cores whose TLB holds a page are interrupted', () => {
    const { system, counter } = booted({ tlbFlush: 'invlpg', invlpgTargets: 'holders' });
    const addr = mapTouched(system, 2, [0, 2, 6]);
    expect(system.munmap(0, addr, 2 * PAGE_SIZE)).toBe(Ok);
    expect(counter('ipisSent')).toBe(2);
    expect(counter('tlbInvlpgs')).toBe(2 * 3);
    const lone = mapTouched(system, 1, [0]);
    expect(system.munmap(0, lone, PAGE_SIZE)).toBe(Ok);
    expect(counter('ipisSent')).toBe(2);
  });

  it('invlpg above the 33-page ceiling flushes fully', () => {
    const { system, counter } = booted({ tlbFlush: 'invlpg', tlbGatherPages: 40 });
    const addr = mapTouched(system, 40, [0]);
    expect(system.munmap(0, addr, 40 * PAGE_SIZE)).toBe(Ok);
    expect(counter('tlbInvlpgs')).toBe(0);
    expect(counter('tlbFlushes')).toBe(8);
    expect(counter('tlbFlushBatches')).toBe(1);
  });

  it('the global flush serialises on the tlb_flush mutex', () => {
    const { machine, system } = booted({ tlbFlush: 'global' });
    const addrs = [0, 1, 2, 3].map((core) => system.mmap(core, PAGE_SIZE, RW, ANON));
    machine.run(
      (core) =>
        (function* () {
          expect(system.touch(core, addrs[core], true)).toBe(Ok);
          yield;
          expect(system.munmap(core, addrs[core], PAGE_SIZE)).toBe(Ok);
        })(),
      { cores: 4 },
    );
    expect(machine.counters.totalOf('shootdowns')).toBe(4);
    expect(machine.counters.totalOf('lockContended')).toBeGreaterThan(0);
  });
});
