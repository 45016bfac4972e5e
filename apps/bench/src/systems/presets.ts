// The memory-system presets as systems (target kinds `memory-system`, `memory`, `malloc`): one
// table entry per preset of @unimem/systems, which assembles it (what each is made of: its
// README and PRESETS' descriptions). A case builds the preset on its machine with the case's
// memory and seed; memorySystemParts boots it unless the benchmark measures boot.

import { buildPreset, PRESETS, type PresetName } from '@unimem/systems';
import type { SystemDefinition } from '../api.js';
import { MEMORY_SYSTEM_KINDS, type MemorySystemKind, memorySystemParts } from '../memory-system.js';

/** The system of preset `name`. */
export function presetSystem<const N extends PresetName>(
  name: N,
): SystemDefinition<N, MemorySystemKind> {
  return {
    name,
    description: PRESETS[name].description,
    provides: MEMORY_SYSTEM_KINDS,
    build(context) {
      const { machine, memoryBytes, seed } = context;
      return memorySystemParts(context, buildPreset(name, machine, { memoryBytes, seed }));
    },
  };
}
