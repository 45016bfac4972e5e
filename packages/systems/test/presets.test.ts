// The table of presets: every preset builds from PRESETS, boots, and mallocs through it; the
// memory system and the malloc of the presets not covered elsewhere (osv-superblock's memory,
// Linux's memory and jemalloc over it, jemalloc over the optimized OSv) pass the conformance
// suites of @unimem/core/testing; unknown names get one clear error listing the presets.

import { MiB, Ok } from '@unimem/core';
import { mallocSuite, memorySystemSuite } from '@unimem/core/testing';
import { Machine } from '@unimem/hw';
import { describe, expect, it } from 'vitest';
import {
  buildLinuxPreset,
  buildOsvPreset,
  buildPreset,
  LINUX_PRESETS,
  OSV_PRESETS,
  PRESET_NAMES,
  PRESETS,
  type PresetName,
} from '../src/index.js';
import { observedWithLinearMap } from './linear-map.js';

memorySystemSuite(
  'osv-superblock preset (LLFree, superblocks)',
  ({ cores, memoryBytes }) =>
    buildOsvPreset('osv-superblock', new Machine({ cores }), { memoryBytes }).memory,
  { numRuns: 15 },
);
memorySystemSuite(
  'linux+jemalloc preset (buddy, mm)',
  ({ cores, memoryBytes }) =>
    buildLinuxPreset('linux+jemalloc', new Machine({ cores }), { memoryBytes }).memory,
  { numRuns: 15 },
);
mallocSuite(
  'linux+jemalloc preset',
  ({ cores, observe }) => {
    const preset = buildLinuxPreset('linux+jemalloc', new Machine({ cores }), {
      memoryBytes: 256 * MiB,
    });
    preset.memory.boot();
    return preset.malloc(observe(preset.memory));
  },
  { runs: 6 },
);
mallocSuite(
  'osv-superblock+jemalloc preset',
  ({ cores, observe }) => {
    const preset = buildOsvPreset('osv-superblock+jemalloc', new Machine({ cores }), {
      memoryBytes: 256 * MiB,
    });
    preset.memory.boot();
    return preset.malloc(observedWithLinearMap(preset.memory, observe));
  },
  { runs: 6 },
);

describe('the preset table', () => {
  it("holds every family's presets once, each with a description", () => {
    expect([...PRESET_NAMES].sort()).toEqual([...OSV_PRESETS, ...LINUX_PRESETS].sort());
    for (const name of PRESET_NAMES) expect(PRESETS[name].description.length).toBeGreaterThan(20);
  });

  it('builds every preset by name: it boots, mallocs, and counts', () => {
    for (const name of PRESET_NAMES) {
      const machine = new Machine({ cores: 2 });
      const preset = buildPreset(name, machine, { memoryBytes: 128 * MiB, seed: 3 });
      expect(preset.name).toBe(name);
      expect(preset.machine).toBe(machine);
      preset.memory.boot();
      const { malloc, freePhysBytes } = preset; // bound: assemblers copy them
      const made = malloc();
      expect(preset.malloc()).toBe(made);
      const free = freePhysBytes();
      const ptr = made.malloc(1, 100_000);
      expect(ptr, name).toBeGreaterThan(0);
      expect(preset.memory.touch(1, ptr, true), name).toBe(Ok);
      expect(preset.freePhysBytes(), name).toBeLessThan(free);
      expect(made.free(0, ptr), name).toBe(Ok);
      for (const value of Object.values(preset.counters())) {
        expect(Number.isFinite(value)).toBe(true);
      }
    }
  });

  it("runs the README's example and its swapped components", () => {
    const machine = new Machine({ cores: 16 });
    const osv = buildPreset('osv-superblock', machine, { memoryBytes: 4096 * MiB, seed: 1 });
    osv.memory.boot();
    const malloc = osv.malloc();
    const p = malloc.malloc(5, 256);
    expect(p).toBeGreaterThan(0);
    expect(malloc.free(5, p)).toBe(Ok);
    expect(osv.counters()['malloc.poolPagesAdded']).toBe(1);
    const fork = buildOsvPreset('osv-superblock', machine, {
      memoryBytes: 256 * MiB,
      rwlock: 'mutex',
    });
    const noDecay = buildOsvPreset('osv-superblock+jemalloc', machine, {
      memoryBytes: 256 * MiB,
      jemalloc: { dirtyDecayMs: -1 },
      memory: { hugePages: false },
    });
    for (const preset of [fork, noDecay]) {
      preset.memory.boot();
      const q = preset.malloc().malloc(3, 3 * MiB);
      expect(q).toBeGreaterThan(0);
      expect(preset.malloc().free(3, q)).toBe(Ok);
    }
  });

  it('refuses an unknown name, listing the presets', () => {
    const machine = new Machine({ cores: 1 });
    expect(() => buildPreset('linux' as PresetName, machine)).toThrow(
      /preset "linux" is not one of linux\+jemalloc, osv, /,
    );
    expect(() => buildLinuxPreset('osv' as 'linux+jemalloc', machine)).toThrow(/preset "osv"/);
  });
});
