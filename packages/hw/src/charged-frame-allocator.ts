// A FrameAllocator wrapper that charges a fixed number of cycles per call on top of what the
// wrapped allocator charges through the cache-line model. It carries the instruction cost of an
// operation that the model does not see (the work between memory accesses, and the wrapper code
// of the kernel a published figure was measured in), calibrated on single-core figures only:
// the fixed cost never depends on the core count, so multi-core behaviour still comes only from
// lines and locks. It is also the simulated wrapper that knows the core: the wrapped allocator's
// code (LLFree over TracedWords) has no core parameter and charges the bound core, so every call
// binds the core it is made for, restored in a finally (core-handle.ts).

import { type FrameAllocator, HUGE_ORDER } from '@unimem/core';
import type { Machine } from './machine.js';

/** Cycles charged per call, for small orders (< 9) and huge orders (>= 9). */
export interface FrameOpCosts {
  getSmall: number;
  putSmall: number;
  getHuge: number;
  putHuge: number;
  /** Where the figures come from and how they were derived. */
  source: string;
}

export class ChargedFrameAllocator implements FrameAllocator {
  readonly name: string;
  readonly cores: number;
  readonly maxOrder: number;
  readonly getAt?: (core: number, frame: number, order: number) => number;

  constructor(
    readonly inner: FrameAllocator,
    private readonly machine: Machine,
    readonly costs: FrameOpCosts,
  ) {
    for (const key of ['getSmall', 'putSmall', 'getHuge', 'putHuge'] as const) {
      if (!(costs[key] >= 0))
        throw new RangeError(`frame op cost ${key} ${costs[key]} must be >= 0`);
    }
    this.name = inner.name;
    this.cores = inner.cores;
    this.maxOrder = inner.maxOrder;
    const getAt = inner.getAt;
    if (getAt) {
      this.getAt = (core, frame, order) => {
        if (!this.isMachineCore(core)) return getAt.call(inner, core, frame, order);
        const handle = machine.core(core);
        const outer = handle.bind();
        try {
          return getAt.call(inner, core, frame, order);
        } finally {
          handle.unbind(outer);
        }
      };
    }
  }

  get(core: number, order: number): number {
    if (!this.isMachineCore(core)) return this.inner.get(core, order); // inner reports it
    const handle = this.machine.core(core);
    handle.charge(order >= HUGE_ORDER ? this.costs.getHuge : this.costs.getSmall);
    const outer = handle.bind();
    try {
      return this.inner.get(core, order);
    } finally {
      handle.unbind(outer);
    }
  }

  put(core: number, frame: number, order: number) {
    if (!this.isMachineCore(core)) return this.inner.put(core, frame, order);
    const handle = this.machine.core(core);
    handle.charge(order >= HUGE_ORDER ? this.costs.putHuge : this.costs.putSmall);
    const outer = handle.bind();
    try {
      return this.inner.put(core, frame, order);
    } finally {
      handle.unbind(outer);
    }
  }

  drain(core: number): void {
    if (!this.isMachineCore(core)) {
      this.inner.drain(core);
      return;
    }
    const handle = this.machine.core(core);
    const outer = handle.bind();
    try {
      this.inner.drain(core);
    } finally {
      handle.unbind(outer);
    }
  }

  /** Whether `core` has a handle (a bad core goes to the inner allocator, which rejects it). */
  private isMachineCore(core: number): boolean {
    return Number.isInteger(core) && core >= 0 && core < this.machine.cores;
  }

  freeFrames(): number {
    return this.inner.freeFrames();
  }
  totalFrames(): number {
    return this.inner.totalFrames();
  }
  isFree(frame: number, order: number): boolean {
    return this.inner.isFree(frame, order);
  }
  metadataBytes(): number {
    return this.inner.metadataBytes();
  }
}
