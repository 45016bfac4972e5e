// The frame allocator as the page table sees it: allocations pass through, but a page-table page
// the table frees (its last entry went away) is held back until the next TLB flush. OSv frees
// intermediate page-table pages through `rcu_defer` and Linux through `tlb_remove_table`, both
// so that no walker — a core's page walk or paging-structure cache — still uses a table page
// when it is reused. In the model it also keeps the free where it happens in time: after the
// shootdown, like the data frames (freeing it at the unmap, before a long shootdown, would put
// the allocator's line access at the wrong place in simulated time).
//
// Invariant: every deferred frame is freed exactly once, by `release`, after a flush (a gather's,
// or the Kernel API's flushTlbAll) — or before a remap of the same addresses that needs it back
// (a huge-page split, a MADV_FREE re-install), which reuses it for the same translation path.

import { type FrameAllocator, type FrameResult, Ok, type Status } from '@unimem/core';

export class DeferredTableFrees implements FrameAllocator {
  readonly name: string;
  readonly cores: number;
  readonly maxOrder: number;
  private readonly frames: number[] = [];
  private readonly orders: number[] = [];

  constructor(private readonly allocator: FrameAllocator) {
    this.name = allocator.name;
    this.cores = allocator.cores;
    this.maxOrder = allocator.maxOrder;
  }

  /** Table frames waiting for a flush. */
  get pending(): number {
    return this.frames.length;
  }

  get(core: number, order: number): FrameResult {
    return this.allocator.get(core, order);
  }

  /** Defers the free; a bad free surfaces (throws) at `release`. */
  put(_core: number, frame: number, order: number): Status {
    this.frames.push(frame);
    this.orders.push(order);
    return Ok;
  }

  /** Frees everything deferred, as `core`, after a flush. */
  release(core: number): void {
    for (let i = 0; i < this.frames.length; i++) {
      const status = this.allocator.put(core, this.frames[i], this.orders[i]);
      if (status !== Ok) {
        throw new Error(
          `${this.name}: deferred free of table frame ${this.frames[i]} failed (${status})`,
        );
      }
    }
    this.frames.length = 0;
    this.orders.length = 0;
  }

  drain(core: number): void {
    this.allocator.drain(core);
  }

  freeFrames(): number {
    return this.allocator.freeFrames();
  }

  totalFrames(): number {
    return this.allocator.totalFrames();
  }

  isFree(frame: number, order: number): boolean {
    return this.allocator.isFree(frame, order);
  }

  metadataBytes(): number {
    return this.allocator.metadataBytes();
  }
}
