// Boot: the frame allocator's initialisation (all-allocated LLFree freed at boot; untraced
// allocators charged for their metadata), the linear map with 2 MiB or 1 GiB pages, the linear
// range reserved in the VM allocator, and the boot report.

import { GiB, MiB, PAGE_SIZE, ReferenceFrameAllocator } from '@unimem/core';
import { Machine, PageSize, SimRwLock } from '@unimem/hw';
import { VmaTree } from '@unimem/vma-tree';
import { describe, expect, it } from 'vitest';
import { type KernelVma, LINEAR_BASE, UnikernelMemory } from '../src/index.js';
import { OneBucketVmAllocator } from './one-bucket-vm-allocator.js';
import { optimizedOsv, referenceSystem } from './parts.js';

describe('boot', () => {
  it('frees an all-allocated LLFree, maps memory linearly and reports the cycles', () => {
    const machine = new Machine({ cores: 4 });
    const system = optimizedOsv(machine, { memoryBytes: 4 * GiB });
    system.boot();
    const report = system.bootReport;
    expect(report.cycles).toBe(
      report.frameInitCycles + report.linearMapCycles + report.vmInitCycles,
    );
    expect(report.frameInitCycles).toBeGreaterThan(0);
    expect(report.linearMapCycles).toBeGreaterThan(0);
    // PML4 + PDPT + one PD per GiB.
    expect(report.tablePages).toBe(1 + 1 + 4);
    const stats = system.stats();
    expect(stats.freePhysBytes).toBe(4 * GiB - report.tablePages * PAGE_SIZE);
    expect(stats.mappedBytes).toBe(0);
    expect(stats.linearMapBytes).toBe(4 * GiB);
    const translation = system.translate(LINEAR_BASE + 5 * PAGE_SIZE + 17);
    expect(translation).toMatchObject({ frame: 5, size: PageSize.Size2M });
    for (let core = 0; core < 4; core++) expect(machine.now(core)).toBe(report.cycles);
  });

  it('uses 1 GiB pages when asked, and smaller ones for a tail', () => {
    const machine = new Machine({ cores: 2 });
    const system = optimizedOsv(machine, {
      memoryBytes: GiB + 2 * MiB + 8 * PAGE_SIZE,
      linearPageBytes: GiB,
    });
    system.boot();
    expect(system.translate(LINEAR_BASE)?.size).toBe(PageSize.Size1G);
    expect(system.translate(LINEAR_BASE + GiB)?.size).toBe(PageSize.Size2M);
    expect(system.translate(LINEAR_BASE + GiB + 2 * MiB)?.size).toBe(PageSize.Size4K);
    expect(system.translate(LINEAR_BASE + GiB + 2 * MiB + 8 * PAGE_SIZE)).toBeUndefined();
    // PML4, PDPT, one PD for the 2 MiB page, one PT for the 4 KiB pages.
    expect(system.bootReport.tablePages).toBe(4);
  });

  it('charges an untraced allocator for writing its metadata', () => {
    const machine = new Machine({ cores: 2 });
    const system = referenceSystem(machine, { memoryBytes: 64 * MiB });
    system.boot();
    const metadata = new ReferenceFrameAllocator({ frames: 16384, cores: 2 }).metadataBytes();
    expect(system.bootReport.frameInitCycles).toBe((metadata / PAGE_SIZE) * machine.costs.zeroPage);
  });

  it('throws when the VM allocator cannot hold the linear map', () => {
    const machine = new Machine({ cores: 2 });
    const system = new UnikernelMemory({
      machine,
      memoryBytes: 64 * MiB,
      frames: ({ frames, cores }) => new ReferenceFrameAllocator({ frames, cores }),
      vm: () =>
        new OneBucketVmAllocator({
          lock: (name) => new SimRwLock(machine, name),
          index: () => new VmaTree<KernelVma>(),
          limit: LINEAR_BASE,
        }),
    });
    expect(() => system.boot()).toThrow(/refuses the linear map/);
  });
});
