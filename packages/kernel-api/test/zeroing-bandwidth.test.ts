// Page zeroing on the fault path draws on the socket's shared DRAM bandwidth (hw
// machine.memory): 64 cores faulting in fresh 2 MiB pages cannot zero faster than the profile's
// dramBandwidthMBps (a per-core fixed cost gave 64 × 30 GB/s ≈ 1.9 TB/s), while one core keeps
// its calibrated zeroHugePage and never waits. A system that clears a 2 MiB page as 512 pages
// (Linux's process_huge_page order, `hugeZeroing: 'by-pages'`) pays zeroHugePageByPages instead.

import { GiB, HUGE_SIZE, MapFlags, Ok, PAGE_SIZE, Prot } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import type { HugeZeroing } from '../src/index.js';
import { referenceSystem } from './parts.js';

const ANON = MapFlags.PRIVATE | MapFlags.ANONYMOUS;
const RW = Prot.READ | Prot.WRITE;
const HUGE_PER_CORE = 6;

/** Every core of the run maps 12 MiB and faults in its 2 MiB pages, one fault per step. */
function faultIn(cores: number, hugeZeroing?: HugeZeroing) {
  const machine = new Machine({ cores });
  const system = referenceSystem(machine, { memoryBytes: 2 * GiB, hugeZeroing });
  system.boot();
  const result = machine.run((core) =>
    (function* () {
      const addr = system.mmap(core, (HUGE_PER_CORE + 1) * HUGE_SIZE, RW, ANON);
      const base = addr + ((HUGE_SIZE - (addr % HUGE_SIZE)) % HUGE_SIZE);
      yield;
      for (let i = 0; i < HUGE_PER_CORE; i++) {
        expect(system.touch(core, base + i * HUGE_SIZE, true)).toBe(Ok);
        yield;
      }
    })(),
  );
  const totals = machine.counters.totals();
  const zeroed = totals.hugePagesZeroed * HUGE_SIZE + totals.pagesZeroed * PAGE_SIZE;
  return {
    machine,
    totals,
    zeroed,
    cycles: result.cycles,
    bytesPerSecond: zeroed / machine.seconds(result.cycles),
  };
}

describe('zeroing on the fault path', () => {
  it('64 cores cannot zero pages faster than the DRAM bandwidth of the socket', () => {
    const { machine, totals, zeroed, bytesPerSecond } = faultIn(64);
    expect(totals.hugePagesZeroed).toBe(64 * HUGE_PER_CORE);
    expect(totals.dramBytes).toBeGreaterThanOrEqual(zeroed);
    const bandwidth = machine.profile.dramBandwidthMBps.value * 1e6;
    expect(bytesPerSecond).toBeLessThanOrEqual(bandwidth);
    expect(totals.dramWaitCycles).toBeGreaterThan(0);
  });

  it('one core keeps the calibrated zeroHugePage and never waits', () => {
    const { machine, totals, bytesPerSecond } = faultIn(1);
    expect(totals.dramWaitCycles).toBe(0);
    const ownRate = (HUGE_SIZE / machine.costs.zeroHugePage) * machine.profile.frequencyGhz.value;
    // Faults cost a little more than the zeroing alone.
    expect(bytesPerSecond / 1e9).toBeLessThan(ownRate);
    expect(bytesPerSecond / 1e9).toBeGreaterThan(0.9 * ownRate);
  });

  it("clears a 2 MiB page in Linux's order at zeroHugePageByPages, in address order at zeroHugePage", () => {
    const extent = faultIn(1);
    const byPages = faultIn(1, 'by-pages');
    const { zeroHugePage, zeroHugePageByPages } = extent.machine.costs;
    // On the default profile (Genoa) the measured orders differ by 2x (11.79 vs 23.58 GB/s).
    expect(zeroHugePageByPages).toBeGreaterThan(1.5 * zeroHugePage);
    const extra = byPages.cycles - extent.cycles;
    expect(byPages.totals.hugePagesZeroed).toBe(HUGE_PER_CORE);
    expect(extra).toBe(HUGE_PER_CORE * (zeroHugePageByPages - zeroHugePage));
  });

  it('rejects an unknown clearing order', () => {
    const machine = new Machine({ cores: 1 });
    expect(() =>
      referenceSystem(machine, { memoryBytes: GiB, hugeZeroing: 'random' as HugeZeroing }),
    ).toThrow(/hugeZeroing "random" must be 'extent' or 'by-pages'/);
  });
});
