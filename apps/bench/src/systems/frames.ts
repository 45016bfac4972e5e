// The frame-allocator systems (target kind `frames`): one allocator each over the frames a case
// asks for, charging the case's machine for what it touches. They are single components, not
// presets; @unimem/systems builds them (`buddy`, `llfree`, `page-ranges`: FRAME_ALLOCATORS and
// buildFrameAllocator, whose header says why each is built the way it is). One stays here:
// - `reference`: core's ReferenceFrameAllocator, touching no simulated line, so charged nothing:
//   a check of what the harness itself adds (0 cycles/op), not a model; not in the default suite.

import { type FrameAllocator, framesOf, ReferenceFrameAllocator } from '@unimem/core';
import { buildFrameAllocator, FRAME_ALLOCATORS, type FrameAllocatorName } from '@unimem/systems';
import type { BuildContext, SystemDefinition } from '../api.js';

/** A system of kind `frames` whose allocator `make` builds for each case. */
function frameSystem<const N extends string>(
  name: N,
  description: string,
  make: (context: BuildContext) => FrameAllocator,
  defaultSuite?: false,
): SystemDefinition<N, 'frames'> {
  const system: SystemDefinition<N, 'frames'> = {
    name,
    description,
    provides: ['frames'],
    build: (context) => ({ frames: make(context) }),
  };
  if (defaultSuite === false) system.defaultSuite = false;
  return system;
}

/** The system of @unimem/systems' frame allocator `name`. */
function componentSystem<const N extends FrameAllocatorName>(
  name: N,
): SystemDefinition<N, 'frames'> {
  return frameSystem(name, FRAME_ALLOCATORS[name].description, ({ machine, cores, memoryBytes }) =>
    buildFrameAllocator(name, { machine, cores, memoryBytes }),
  );
}

export const buddy = componentSystem('buddy');

export const llfree = componentSystem('llfree');

export const pageRanges = componentSystem('page-ranges');

export const reference = frameSystem(
  'reference',
  'ReferenceFrameAllocator (@unimem/core), charged nothing: a harness check',
  ({ cores, memoryBytes }) => new ReferenceFrameAllocator({ frames: framesOf(memoryBytes), cores }),
  false,
);
