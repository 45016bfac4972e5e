// A binary min-heap of extent handles ordered by (serial number, address), jemalloc's edata_heap
// (a pairing heap there): extent-set bins hand out their oldest/lowest extent, and bins prefer
// their oldest/lowest non-full slab, which keeps memory compact. Each handle records its position
// (ExtentTable.heapIndex), so any member can be removed in O(log n). Invariant: heap order holds
// between every parent and child, and heapIndex[items[i]] === i.

import type { ExtentTable } from './extent.js';

export class ExtentHeap {
  private items = new Int32Array(4);
  size = 0;

  constructor(private readonly table: ExtentTable) {}

  /** The minimum, or -1 when empty. */
  first(): number {
    return this.size === 0 ? -1 : this.items[0];
  }

  insert(handle: number): void {
    if (this.size === this.items.length) {
      const next = new Int32Array(this.items.length * 2);
      next.set(this.items);
      this.items = next;
    }
    this.items[this.size] = handle;
    this.table.setHeapIndex(handle, this.size);
    this.size++;
    this.up(this.size - 1);
  }

  /** Removes a member (any position). */
  remove(handle: number): void {
    const { table } = this;
    const at = table.heapIndex(handle);
    table.setHeapIndex(handle, -1);
    this.size--;
    if (at === this.size) return;
    const last = this.items[this.size];
    this.items[at] = last;
    table.setHeapIndex(last, at);
    this.down(at);
    this.up(table.heapIndex(last));
  }

  /** Members in heap order (tests and stats). */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = 0; i < this.size; i++) yield this.items[i];
  }

  private up(at: number): void {
    const { items, table } = this;
    const handle = items[at];
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!table.before(handle, items[parent])) break;
      items[at] = items[parent];
      table.setHeapIndex(items[at], at);
      at = parent;
    }
    items[at] = handle;
    table.setHeapIndex(handle, at);
  }

  private down(at: number): void {
    const { items, table, size } = this;
    const handle = items[at];
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && table.before(items[child + 1], items[child])) child++;
      if (!table.before(items[child], handle)) break;
      items[at] = items[child];
      table.setHeapIndex(items[at], at);
      at = child;
    }
    items[at] = handle;
    table.setHeapIndex(handle, at);
  }
}
