// What the memory-subsystem boot models (packages/kernel-api/src/boot.ts and the OSv presets'
// boot paths): OSv maps all memory three times (main, page and mempool areas); the thesis' LLFree
// build starts with every frame free and walks every frame index (reserve_allocated) instead of
// freeing all memory block by block; OSv's page-pool prefill is background work after boot and
// not part of the boot time. Before, one linear map, LLFree freed in maxOrder blocks, and the
// prefill was counted as boot.

import { Machine, resolveProfile } from '@unimem/hw';
import { buildOsvPreset, type OsvPresetName } from '@unimem/systems';
import { describe, expect, it } from 'vitest';

const profile = resolveProfile('epyc-9654p-guest');
const GIB = 2 ** 30;

function boot(name: OsvPresetName, options: { prefillPools?: boolean; linearMaps?: number } = {}) {
  const machine = new Machine({ profile, cores: 2, seed: 1 });
  const preset = buildOsvPreset(name, machine, {
    memoryBytes: 2 * GIB,
    prefillPools: options.prefillPools,
    memory: options.linearMaps ? { linearMaps: options.linearMaps } : {},
  });
  preset.memory.boot();
  return { report: preset.memory.bootReport, preset, machine };
}

describe('memory-subsystem boot', () => {
  it('OSv presets map all memory three times (main, page and mempool areas)', () => {
    const three = boot('osv-superblock').report;
    const one = boot('osv-superblock', { linearMaps: 1 }).report;
    expect(three.linearMaps).toBe(3);
    expect(one.linearMaps).toBe(1);
    // Each map of 2 GiB in 2 MiB pages needs its own page-directory pages.
    expect(three.tablePages).toBeGreaterThan(one.tablePages + 1);
    expect(three.linearMapCycles).toBeGreaterThan(2.5 * one.linearMapCycles);
  });

  it("the page pools' prefill is background work, not boot time", () => {
    const filled = boot('osv', { prefillPools: true });
    const empty = boot('osv', { prefillPools: false });
    expect(filled.report.cycles).toBe(empty.report.cycles);
    expect(filled.report.backgroundCycles).toBeGreaterThan(0);
    expect(empty.report.backgroundCycles).toBe(0);
    // The pools are still filled before the first application code runs.
    expect(filled.preset.pools!.pooledFrames()).toBeGreaterThan(0);
    expect(filled.machine.now(1)).toBe(filled.machine.now(0));
  });

  it('LLFree starts with every frame free and pays the reserve walk over every frame', () => {
    const { report, preset, machine } = boot('osv-llfree');
    const frames = (2 * GIB) / 4096;
    expect(preset.memory.stats().freePhysBytes).toBeGreaterThan(0);
    expect(report.frameInitCycles).toBeGreaterThanOrEqual(frames * machine.costs.l1Hit);
  });

  it('rejects a linear-map count outside 1..3, naming it', () => {
    expect(() => boot('osv-llfree', { linearMaps: 4 })).toThrow(/linearMaps 4/);
  });
});
