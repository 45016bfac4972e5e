// Assembling the parts of a MemorySystem preset (target kind `memory-system`, docs/design.md
// "Systems"): the memory subsystem, booted in build() unless the benchmark measures boot, the
// malloc over it (made on first use, so that it never runs before boot), and OSv-style footprint
// statistics. A preset also serves the plain `memory` and `malloc` kinds with the same objects.

import type { Malloc, MemorySystem } from '@unimem/core';
import type { BuildContext, MemorySystemParts, PartsOf } from './api.js';

/** The kinds a MemorySystem preset serves. */
export type MemorySystemKind = 'memory-system' | 'memory' | 'malloc';

/** What a MemorySystem preset declares in `provides`. */
export const MEMORY_SYSTEM_KINDS: readonly MemorySystemKind[] = [
  'memory-system',
  'memory',
  'malloc',
];

export interface MemorySystemPartsOptions {
  /** The memory subsystem, not yet booted. */
  memory: MemorySystem;
  /** Makes the malloc over the booted memory system (called once, on first use). */
  malloc(memory: MemorySystem): Malloc;
  /**
   * OSv's `memory::stats::free()`: free bytes with pooled pages counted as used. Default: the
   * memory system's `stats().freePhysBytes` (right for systems without page pools).
   */
  freePhysBytes?(): number;
  /** The preset's own event counts (see MemorySystemParts.counters). */
  counters?(): Record<string, number>;
}

/**
 * The parts of a preset. Boots `memory` now when `context.boot` (core 0 pays, as at boot; the
 * runner then lines every core's clock up), else leaves booting to the benchmark.
 */
export function memorySystemParts(
  context: BuildContext,
  options: MemorySystemPartsOptions,
): PartsOf<MemorySystemKind> {
  const { memory } = options;
  let malloc: Malloc | undefined;
  const mallocOf = (): Malloc => {
    malloc ??= options.malloc(memory);
    return malloc;
  };
  const parts: MemorySystemParts = {
    memory,
    get malloc() {
      return mallocOf();
    },
    freePhysBytes: options.freePhysBytes ?? (() => memory.stats().freePhysBytes),
  };
  if (options.counters) parts.counters = options.counters;
  if (context.boot) {
    // Boot and the malloc's set-up are core 0's (boot binds core 0 itself; the malloc's too).
    const handle = context.machine.core(0);
    const outer = handle.bind();
    try {
      memory.boot();
      mallocOf();
    } finally {
      handle.unbind(outer);
    }
  }
  return {
    memory,
    get malloc() {
      return mallocOf();
    },
    'memory-system': parts,
  };
}
