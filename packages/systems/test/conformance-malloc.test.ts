// The Malloc contract (@unimem/core/testing) for OSv's malloc in the presets that use it: over
// page ranges + page pools (osv), over LLFree with power-of-two malloc_large (osv-llfree), on
// the superblock allocator (osv-superblock), and jemalloc over the osv preset's memory.

import { MiB } from '@unimem/core';
import { mallocSuite } from '@unimem/core/testing';
import { Machine } from '@unimem/hw';
import { buildOsvPreset, type OsvPresetName } from '../src/index.js';
import { observedWithLinearMap } from './linear-map.js';

const presets: Array<[OsvPresetName, number]> = [
  ['osv', 25],
  ['osv-llfree', 15],
  ['osv-superblock', 15],
  ['osv+jemalloc', 6],
];

for (const [name, runs] of presets) {
  mallocSuite(
    `${name} preset`,
    ({ cores, observe }) => {
      const preset = buildOsvPreset(name, new Machine({ cores }), { memoryBytes: 256 * MiB });
      preset.memory.boot();
      return preset.malloc(observedWithLinearMap(preset.memory, observe));
    },
    { runs },
  );
}
