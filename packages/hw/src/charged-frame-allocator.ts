// A FrameAllocator wrapper that charges a fixed number of cycles per call on top of what the
// wrapped allocator charges through the cache-line model. It carries the instruction cost of an
// operation that the model does not see (the work between memory accesses, and the wrapper code
// of the kernel a published figure was measured in), calibrated on single-core figures only:
// the fixed cost never depends on the core count, so multi-core behaviour still comes only from
// lines and locks.

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
    if (getAt) this.getAt = (core, frame, order) => getAt.call(inner, core, frame, order);
  }

  get(core: number, order: number): number {
    this.machine.charge(order >= HUGE_ORDER ? this.costs.getHuge : this.costs.getSmall, core);
    return this.inner.get(core, order);
  }

  put(core: number, frame: number, order: number) {
    this.machine.charge(order >= HUGE_ORDER ? this.costs.putHuge : this.costs.putSmall, core);
    return this.inner.put(core, frame, order);
  }

  drain(core: number): void {
    this.inner.drain(core);
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
