// Run by scripts/pack-check.mjs in an empty project where the packed @unimem/systems is installed
// (with every component package it wires): each preset built by name from dist, booted, with one
// malloc and free through it.
import { MiB, Ok } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { buildPreset, PRESET_NAMES } from '@unimem/systems';

for (const name of PRESET_NAMES) {
  const preset = buildPreset(name, new Machine({ cores: 2 }), { memoryBytes: 64 * MiB });
  preset.memory.boot();
  const malloc = preset.malloc();
  const object = malloc.malloc(1, 100);
  if (object < 0 || malloc.free(0, object) !== Ok) throw new Error(`${name}: malloc ${object}`);
}
console.log(`@unimem/systems smoke: ok (${PRESET_NAMES.join(', ')})`);
