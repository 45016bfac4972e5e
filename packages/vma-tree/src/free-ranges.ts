// FreeRanges: a set of free address ranges, the second address-space structure of this package
// beside the VMA index. It is OSv's `vm_range_set` (a boost::intrusive::set ordered by address),
// the free ranges of one @unimem/superblock bucket, and the free space of one mm in @unimem/linux
// (get_unmapped_area); it lives here, below both, so neither OS model depends on the other's
// allocator. Disjoint, non-adjacent ranges [start, end) are kept in address order in one
// Float64Array (start, end, line per node), searched by binary search. bench/free-ranges.ts
// measured remove + insert against an array of {start, end} objects with splice: equal at 16
// ranges, about 7x faster at 256 and 25x at 4096. Insert and erase shift the tail: copyWithin (a
// memmove) for long tails, a plain loop for short ones, where copyWithin's call overhead dominated
// (loop-only was 1.7x faster at 16 ranges and 4x slower at 256; the cut-over at 8 nodes is not
// tuned further).
//
// Invariant: ranges are sorted, non-empty, never overlap and never touch (an insert coalesces
// with its predecessor and successor), and `freeBytes` is the sum of their lengths. A call that
// fails changes nothing.
//
// Cost model: each node owns one cache line from the tracer (ids of erased nodes are reused).
// The set's root lives in its owner's header line (a bucket's, an mm's): every call reads the
// header line and writes it when the node count changes. A binary-search probe reads the probed
// node (the path of a tree descent), a first-fit scan reads every node it passes, a change writes
// the node, and linking or unlinking a node also writes its neighbour (the parent link it takes
// over).

import type { LineTracer } from '@unimem/hw';

const NONE = -1;
const FIELDS = 3;
/** Nodes moved by a plain loop; longer moves use copyWithin (measured in bench/free-ranges.ts). */
const LOOP_MOVE = 8;

export class FreeRanges {
  /** Sum of the lengths of all ranges. */
  freeBytes = 0;
  /** Node i is nodes[3i] = start, nodes[3i + 1] = end, nodes[3i + 2] = its line. */
  private nodes: Float64Array;
  private count = 0;
  private spareLines: number[] = [];

  constructor(
    private readonly tracer: LineTracer,
    private readonly headerLine: number,
    capacity = 8,
  ) {
    this.nodes = new Float64Array(capacity * FIELDS);
  }

  /** Number of ranges (nodes). */
  get size(): number {
    return this.count;
  }

  /** Start of range `i` in address order. */
  start(i: number): number {
    return this.nodes[i * FIELDS];
  }

  /** End (exclusive) of range `i` in address order. */
  end(i: number): number {
    return this.nodes[i * FIELDS + 1];
  }

  /**
   * First fit in address order: the first range that holds `size` bytes aligned to `align`
   * when carved from its END (OSv `reserve_range`: the node keeps its place, an exact fit is
   * erased; only alignment slack at the end adds a node). Returns the address, or -1.
   */
  takeFirstFit(size: number, align: number): number {
    this.tracer.read(this.headerLine);
    for (let i = 0; i < this.count; i++) {
      this.tracer.read(this.nodes[i * FIELDS + 2]);
      const end = this.nodes[i * FIELDS + 1];
      if (end - this.nodes[i * FIELDS] < size) continue;
      const addr = end - size - ((end - size) % align);
      if (addr >= this.nodes[i * FIELDS]) {
        this.carve(i, addr, addr + size);
        return addr;
      }
    }
    return NONE;
  }

  /** Removes [addr, addr + size) if one range holds all of it; false (nothing changed) if not. */
  remove(addr: number, size: number): boolean {
    this.tracer.read(this.headerLine);
    const i = this.floor(addr);
    if (i === NONE || this.nodes[i * FIELDS + 1] < addr + size) return false;
    this.carve(i, addr, addr + size);
    return true;
  }

  /**
   * Adds [addr, addr + size), merging with a predecessor ending at addr and a successor starting
   * at addr + size. False (nothing changed) if it overlaps a free range.
   */
  insert(addr: number, size: number): boolean {
    this.tracer.read(this.headerLine);
    const end = addr + size;
    const i = this.floor(addr);
    const j = i + 1;
    if (i !== NONE && this.nodes[i * FIELDS + 1] > addr) return false;
    if (j < this.count) {
      this.tracer.read(this.nodes[j * FIELDS + 2]);
      if (this.nodes[j * FIELDS] < end) return false;
    }
    const mergeLeft = i !== NONE && this.nodes[i * FIELDS + 1] === addr;
    const mergeRight = j < this.count && this.nodes[j * FIELDS] === end;
    if (mergeLeft && mergeRight) {
      this.nodes[i * FIELDS + 1] = this.nodes[j * FIELDS + 1];
      this.tracer.write(this.nodes[i * FIELDS + 2]);
      this.eraseAt(j);
    } else if (mergeLeft) {
      this.nodes[i * FIELDS + 1] = end;
      this.tracer.write(this.nodes[i * FIELDS + 2]);
    } else if (mergeRight) {
      this.nodes[j * FIELDS] = addr;
      this.tracer.write(this.nodes[j * FIELDS + 2]);
    } else {
      this.insertAt(j, addr, end);
    }
    this.freeBytes += size;
    return true;
  }

  /** True when one range holds all of [addr, addr + size). */
  covers(addr: number, size: number): boolean {
    this.tracer.read(this.headerLine);
    const i = this.floor(addr);
    return i !== NONE && this.nodes[i * FIELDS + 1] >= addr + size;
  }

  /** The ranges as [start, end) pairs in address order (a copy, for stats and tests). */
  toArray(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.count; i++)
      out.push([this.nodes[i * FIELDS], this.nodes[i * FIELDS + 1]]);
    return out;
  }

  /** Removes [addr, end) from range `i`, which holds it. */
  private carve(i: number, addr: number, end: number): void {
    const start = this.nodes[i * FIELDS];
    const rangeEnd = this.nodes[i * FIELDS + 1];
    if (start === addr && rangeEnd === end) {
      this.eraseAt(i);
    } else if (start === addr) {
      this.nodes[i * FIELDS] = end;
      this.tracer.write(this.nodes[i * FIELDS + 2]);
    } else if (rangeEnd === end) {
      this.nodes[i * FIELDS + 1] = addr;
      this.tracer.write(this.nodes[i * FIELDS + 2]);
    } else {
      this.nodes[i * FIELDS + 1] = addr;
      this.tracer.write(this.nodes[i * FIELDS + 2]);
      this.insertAt(i + 1, end, rangeEnd);
    }
    this.freeBytes -= end - addr;
  }

  /** Index of the last range starting at or before `addr`, or NONE. */
  private floor(addr: number): number {
    let low = 0;
    let high = this.count - 1;
    let found = NONE;
    while (low <= high) {
      const mid = (low + high) >> 1;
      this.tracer.read(this.nodes[mid * FIELDS + 2]);
      if (this.nodes[mid * FIELDS] <= addr) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  private insertAt(i: number, start: number, end: number): void {
    if ((this.count + 1) * FIELDS > this.nodes.length) this.grow();
    this.move(i, i + 1);
    const line = this.spareLines.length > 0 ? this.spareLines.pop()! : this.tracer.allocLines(1);
    const at = i * FIELDS;
    this.nodes[at] = start;
    this.nodes[at + 1] = end;
    this.nodes[at + 2] = line;
    this.count++;
    this.tracer.write(line);
    const neighbour = i > 0 ? i - 1 : i + 1;
    if (neighbour < this.count) this.tracer.write(this.nodes[neighbour * FIELDS + 2]);
    this.tracer.write(this.headerLine);
  }

  private eraseAt(i: number): void {
    const line = this.nodes[i * FIELDS + 2];
    this.tracer.write(line);
    this.spareLines.push(line);
    this.move(i + 1, i);
    this.count--;
    const neighbour = i > 0 ? i - 1 : i;
    if (neighbour < this.count) this.tracer.write(this.nodes[neighbour * FIELDS + 2]);
    this.tracer.write(this.headerLine);
  }

  /** Moves nodes [from, count) to start at `to` (one slot up or down). */
  private move(from: number, to: number): void {
    const nodes = this.nodes;
    const begin = from * FIELDS;
    const end = this.count * FIELDS;
    const shift = (to - from) * FIELDS;
    if (this.count - from > LOOP_MOVE) {
      nodes.copyWithin(begin + shift, begin, end);
    } else if (shift > 0) {
      for (let k = end - 1; k >= begin; k--) nodes[k + shift] = nodes[k];
    } else {
      for (let k = begin; k < end; k++) nodes[k + shift] = nodes[k];
    }
  }

  private grow(): void {
    const nodes = new Float64Array(this.nodes.length * 2);
    nodes.set(this.nodes);
    this.nodes = nodes;
  }
}
