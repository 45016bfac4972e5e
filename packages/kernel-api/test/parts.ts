// Assemblies of UnikernelMemory used by the tests and the bench: the optimized OSv of the thesis
// (LLFree + superblocks + per-core VMA trees, all traced), the same frames with one shared
// bucket, and a cheap untraced reference assembly.

import { ReferenceFrameAllocator } from '@unimem/core';
import { type Machine, SimRwLock, TracedWords } from '@unimem/hw';
import { LLFree } from '@unimem/llfree';
import { SuperblockAllocator } from '@unimem/superblock';
import { VmaTree } from '@unimem/vma-tree';
import { type KernelVma, UnikernelMemory, type UnikernelMemoryOptions } from '../src/index.js';
import { OneBucketVmAllocator } from './one-bucket-vm-allocator.js';

type Extra = Partial<Omit<UnikernelMemoryOptions, 'machine' | 'frames' | 'vm'>>;

/** LLFree frames, traced, starting all allocated (boot frees them, as OSv does). */
export function llfreeFrames(machine: Machine): UnikernelMemoryOptions['frames'] {
  return ({ frames, cores }) =>
    LLFree.create({
      frames,
      cores,
      init: 'allocated',
      words: (buffer) => new TracedWords(machine, buffer, 0, undefined, 'llfree'),
    });
}

/** The optimized OSv of the thesis: LLFree + superblocks with per-core buckets. */
export function optimizedOsv(machine: Machine, extra: Extra = {}): UnikernelMemory {
  return new UnikernelMemory({
    machine,
    name: 'osv-superblock',
    frames: llfreeFrames(machine),
    vm: ({ cores }) =>
      new SuperblockAllocator<KernelVma>({
        cores,
        lock: (name) => new SimRwLock(machine, name),
        index: () => new VmaTree<KernelVma>({ tracer: machine.lines }),
        tracer: machine.lines,
        words: (buffer) => new TracedWords(machine, buffer),
      }),
    ...extra,
  });
}

export interface OneBucketExtra extends Extra {
  /** OSv's pre-2025 rwlock whose readers take an internal mutex. */
  readerMutex?: boolean;
  /** Hold the vma lock across reserveRange (upstream map_anon). */
  reserveUnderVmaLock?: boolean;
}

/** LLFree frames with ONE bucket (one vma lock, one index, one free list) for every core. */
export function oneBucketOsv(machine: Machine, extra: OneBucketExtra = {}): UnikernelMemory {
  const { readerMutex = false, reserveUnderVmaLock = false, ...rest } = extra;
  return new UnikernelMemory({
    machine,
    name: 'osv-one-bucket',
    frames: llfreeFrames(machine),
    vm: () =>
      new OneBucketVmAllocator({
        lock: (name) =>
          new SimRwLock(machine, name, readerMutex ? { readerMutex, spinCycles: 0 } : {}),
        index: () => new VmaTree<KernelVma>({ tracer: machine.lines }),
        tracer: machine.lines,
        reserveUnderVmaLock,
      }),
    ...rest,
  });
}

/** Untraced parts: ReferenceFrameAllocator and one bucket with an untraced tree. */
export function referenceSystem(machine: Machine, extra: Extra = {}): UnikernelMemory {
  return new UnikernelMemory({
    machine,
    name: 'reference',
    frames: ({ frames, cores }) => new ReferenceFrameAllocator({ frames, cores }),
    vm: () =>
      new OneBucketVmAllocator({
        lock: (name) => new SimRwLock(machine, name),
        index: () => new VmaTree<KernelVma>(),
      }),
    ...extra,
  });
}
