// One frame benchmark on a fresh machine: builds the machine and the allocator (with a factory,
// so any FrameAllocator can be measured), runs the loop of loop.ts and reports its phases with
// the frames and profile it ran on. Invariant: a run depends only on the factory, the options and
// the seed (the machine's tie-breaking and rand's shuffle), so equal inputs give equal results.

import type { FrameAllocator, FrameAllocatorOptions } from '@unimem/core';
import type { Profile } from '../api.js';
import { Machine } from '../machine.js';
import { defaultProfile } from '../profiles.js';
import {
  checkFrameBenchOptions,
  type FrameBenchName,
  type FrameBenchOptions,
  type FrameBenchPhase,
  prepareFrameBench,
} from './loop.js';

/** Builds an allocator of `frames` frames for `cores` cores on `machine`. */
export type FrameAllocatorFactory = (
  machine: Machine,
  options: FrameAllocatorOptions,
) => FrameAllocator;

export interface FrameBenchRunOptions extends FrameBenchOptions {
  /** Machine profile (default: the default profile). */
  profile?: Profile;
  /**
   * Frames of the allocator. Default: twice what all cores hold at once (the artifact allocates
   * half of memory), rounded up to 4 MiB.
   */
  frames?: number;
}

export interface FrameBenchResult {
  allocator: string;
  profile: string;
  bench: FrameBenchName;
  order: number;
  cores: number;
  allocs: number;
  frames: number;
  phases: FrameBenchPhase[];
}

/** Default frames of a run: twice the blocks all cores hold at once, rounded up to 4 MiB. */
export function framesFor(options: FrameBenchOptions): number {
  const held = options.bench === 'repeat' ? 1 : options.allocs;
  return Math.ceil((2 * options.cores * held * 2 ** options.order) / 1024) * 1024;
}

/** Runs one benchmark on a fresh machine and allocator; throws if an operation fails. */
export function runFrameBench(
  create: FrameAllocatorFactory,
  options: FrameBenchRunOptions,
): FrameBenchResult {
  checkFrameBenchOptions(options);
  const profile = options.profile ?? defaultProfile;
  const { bench, order, cores, allocs, seed = 1 } = options;
  const frames = options.frames ?? framesFor(options);
  const machine = new Machine({ profile, cores, seed });
  const allocator = create(machine, { frames, cores });
  const prepared = prepareFrameBench(machine, allocator, options);
  machine.run(prepared.program, { cores });
  return {
    allocator: allocator.name,
    profile: profile.name,
    bench,
    order,
    cores,
    allocs,
    frames,
    phases: prepared.phases(),
  };
}

/** The phase of `op` in a result; throws naming it when the benchmark does not time it. */
export function phaseOf(result: FrameBenchResult, op: string): FrameBenchPhase {
  const phase = result.phases.find((p) => p.op === op);
  if (!phase) throw new RangeError(`op "${op}" is not timed by ${result.bench}`);
  return phase;
}
