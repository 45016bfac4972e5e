// VmaTree: a B+ tree of VMAs keyed by start, the default VmaIndex of unimem.
//
// Leaves hold up to `nodeSlots` VMAs in start order and are linked, so a range query descends
// once and then walks leaves (like OSv's boost::intrusive::set walked from lower_bound, or
// Linux's maple tree). Invariants: every node but the root holds at least floor(slots / 2)
// entries; all leaves are at the same depth; VMAs never overlap. Lookup takes the largest start
// <= addr and checks its end, stepping back one leaf when the routed leaf has no such start.
// Node storage and in-node moves are in btree-nodes.ts. Insert and erase record their path in
// preallocated arrays, so operations allocate nothing (the node arrays grow by doubling).

import type { Vma, VmaIndex } from '@unimem/core';
import type { LineTracer } from '@unimem/hw';
import { nullTracer } from '@unimem/hw';
import type { BTreeOptions } from './api.js';
import { checkRange, checkVmaBounds, overlapError } from './bounds.js';
import { BTreeNodes, NIL } from './btree-nodes.js';

const MAX_DEPTH = 64;
const LINE_BYTES = 64;
/** Count and links per node; keys and pointers are 8 bytes each. */
const HEADER_BYTES = 16;

export class VmaTree<V extends Vma = Vma> implements VmaIndex<V> {
  readonly slots: number;
  /** Lines one node occupies; all of them are charged when the node is touched. */
  readonly nodeLines: number;
  private readonly tracer: LineTracer;
  private readonly traced: boolean;
  private readonly minFill: number;
  private readonly nodes: BTreeNodes<V>;
  private root: number;
  private count = 0;
  private readonly pathNodes = new Int32Array(MAX_DEPTH);
  private readonly pathIdx = new Int32Array(MAX_DEPTH);

  constructor(options: BTreeOptions = {}) {
    const slots = options.nodeSlots ?? 16;
    if (!Number.isInteger(slots) || slots < 4 || slots > 256) {
      throw new RangeError(`nodeSlots ${slots}: must be an integer in 4..256`);
    }
    this.slots = slots;
    this.minFill = slots >>> 1;
    const nodeLines = Math.ceil((HEADER_BYTES + 16 * slots) / LINE_BYTES);
    this.nodeLines = nodeLines;
    const tracer = options.tracer ?? nullTracer;
    const label = options.label ?? 'vma-tree';
    this.tracer = tracer;
    this.traced = tracer !== nullTracer;
    this.nodes = new BTreeNodes<V>(slots, () => tracer.allocLines(nodeLines, label));
    this.root = this.nodes.alloc(true);
  }

  get size(): number {
    return this.count;
  }

  /** Height of the tree: 1 while the root is a leaf. */
  get depth(): number {
    const { nodes } = this;
    let depth = 1;
    for (let node = this.root; nodes.leaf[node] === 0; node = nodes.kids[node * nodes.stride]) {
      depth++;
    }
    return depth;
  }

  insert(vma: V): void {
    checkVmaBounds(vma);
    const depth = this.descend(vma.start);
    const { nodes } = this;
    const leaf = this.pathNodes[depth];
    const i = this.pathIdx[depth];
    const base = leaf * nodes.stride;
    const pred = i > 0 ? nodes.vals[base + i - 1] : this.lastOfPrev(leaf);
    if (pred !== undefined && pred.end > vma.start) throw overlapError(vma, pred);
    const succ = i < nodes.count[leaf] ? nodes.vals[base + i] : this.firstOfNext(leaf);
    if (succ !== undefined && succ.start < vma.end) throw overlapError(vma, succ);
    nodes.leafInsert(leaf, i, vma);
    this.touch(leaf, true);
    this.count++;
    if (nodes.count[leaf] > this.slots) this.splitUp(depth);
  }

  erase(vma: V): boolean {
    if (this.count === 0) return false;
    const depth = this.descend(vma.start);
    const { nodes } = this;
    const leaf = this.pathNodes[depth];
    const i = this.pathIdx[depth] - 1;
    if (i < 0 || nodes.vals[leaf * nodes.stride + i] !== vma) return false;
    nodes.leafRemove(leaf, i);
    this.touch(leaf, true);
    this.count--;
    if (nodes.count[leaf] < this.minFill) this.rebalance(depth);
    return true;
  }

  find(addr: number): V | undefined {
    const { nodes } = this;
    let node = this.root;
    while (nodes.leaf[node] === 0) {
      this.touch(node, false);
      const i = nodes.upperBound(node, nodes.count[node] - 1, addr);
      node = nodes.kids[node * nodes.stride + i];
    }
    this.touch(node, false);
    const i = nodes.upperBound(node, nodes.count[node], addr) - 1;
    const vma = i >= 0 ? nodes.vals[node * nodes.stride + i] : this.lastOfPrev(node);
    return vma !== undefined && vma.end > addr ? vma : undefined;
  }

  findIntersecting(addr: number, size: number): V[] {
    checkRange(addr, size);
    const out: V[] = [];
    if (size === 0 || this.count === 0) return out;
    const end = addr + size;
    const depth = this.descend(addr);
    const { nodes } = this;
    let leaf = this.pathNodes[depth];
    let i = this.pathIdx[depth] - 1;
    const pred = i >= 0 ? nodes.vals[leaf * nodes.stride + i] : this.lastOfPrev(leaf);
    if (pred !== undefined && pred.end > addr) out.push(pred);
    i++;
    while (leaf !== NIL) {
      const base = leaf * nodes.stride;
      for (const count = nodes.count[leaf]; i < count; i++) {
        if (nodes.keys[base + i] >= end) return out;
        out.push(nodes.vals[base + i]!);
      }
      leaf = nodes.next[leaf];
      i = 0;
      if (leaf !== NIL) this.touch(leaf, false);
    }
    return out;
  }

  *[Symbol.iterator](): IterableIterator<V> {
    const { nodes } = this;
    let leaf = this.root;
    while (nodes.leaf[leaf] === 0) leaf = nodes.kids[leaf * nodes.stride];
    for (; leaf !== NIL; leaf = nodes.next[leaf]) {
      const base = leaf * nodes.stride;
      for (let i = 0; i < nodes.count[leaf]; i++) yield nodes.vals[base + i]!;
    }
  }

  /**
   * Walks from the root to the leaf where `start` belongs, charging a read per node. Fills
   * pathNodes/pathIdx (at the leaf: the number of starts <= start) and returns the leaf's depth.
   */
  private descend(start: number): number {
    const { nodes, pathNodes, pathIdx } = this;
    let node = this.root;
    let depth = 0;
    while (nodes.leaf[node] === 0) {
      this.touch(node, false);
      const i = nodes.upperBound(node, nodes.count[node] - 1, start);
      pathNodes[depth] = node;
      pathIdx[depth++] = i;
      node = nodes.kids[node * nodes.stride + i];
    }
    this.touch(node, false);
    pathNodes[depth] = node;
    pathIdx[depth] = nodes.upperBound(node, nodes.count[node], start);
    return depth;
  }

  private lastOfPrev(leaf: number): V | undefined {
    const prev = this.nodes.prev[leaf];
    if (prev === NIL) return undefined;
    this.touch(prev, false);
    return this.nodes.vals[prev * this.nodes.stride + this.nodes.count[prev] - 1];
  }

  private firstOfNext(leaf: number): V | undefined {
    const next = this.nodes.next[leaf];
    if (next === NIL) return undefined;
    this.touch(next, false);
    return this.nodes.vals[next * this.nodes.stride];
  }

  /** Splits the overfull node at `depth` and every overfull ancestor, growing a new root last. */
  private splitUp(depth: number): void {
    let node = this.pathNodes[depth];
    while (this.nodes.count[node] > this.slots) {
      const leaf = this.nodes.leaf[node] === 1;
      const right = this.nodes.alloc(leaf);
      const sep = this.nodes.split(node, right);
      this.touch(right, true);
      if (leaf && this.nodes.next[right] !== NIL) this.touch(this.nodes.next[right], true);
      if (depth === 0) {
        const root = this.nodes.alloc(false);
        this.nodes.kids[root * this.nodes.stride] = node;
        this.nodes.count[root] = 1;
        this.nodes.innerInsert(root, 0, sep, right);
        this.touch(root, true);
        this.root = root;
        return;
      }
      const parent = this.pathNodes[--depth];
      this.nodes.innerInsert(parent, this.pathIdx[depth], sep, right);
      this.touch(parent, true);
      node = parent;
    }
  }

  /** Restores minimum fill below the root after an erase left the node at `depth` short. */
  private rebalance(depth: number): void {
    const { nodes } = this;
    let node = this.pathNodes[depth];
    while (depth > 0 && nodes.count[node] < this.minFill) {
      const parent = this.pathNodes[--depth];
      const i = this.pathIdx[depth];
      const base = parent * nodes.stride;
      const left = i > 0 ? nodes.kids[base + i - 1] : NIL;
      const right = i < nodes.count[parent] - 1 ? nodes.kids[base + i + 1] : NIL;
      if (left !== NIL) {
        this.touch(left, false);
        if (nodes.count[left] > this.minFill) {
          nodes.keys[base + i - 1] = nodes.borrowFromLeft(left, node, nodes.keys[base + i - 1]);
          this.touchAll(left, node, parent);
          return;
        }
      }
      if (right !== NIL) {
        this.touch(right, false);
        if (nodes.count[right] > this.minFill) {
          nodes.keys[base + i] = nodes.borrowFromRight(node, right, nodes.keys[base + i]);
          this.touchAll(node, right, parent);
          return;
        }
      }
      // Neither sibling can lend: merge with one (a non-root node has at least one sibling).
      if (left !== NIL) this.merge(parent, i - 1, left, node);
      else this.merge(parent, i, node, right);
      node = parent;
    }
    const root = this.root;
    if (nodes.leaf[root] === 0 && nodes.count[root] === 1) {
      this.root = nodes.kids[root * nodes.stride];
      nodes.release(root);
    }
  }

  /** Merges kid sep + 1 (`from`) into kid sep (`into`) of `parent` and frees `from`. */
  private merge(parent: number, sep: number, into: number, from: number): void {
    const { nodes } = this;
    const after = nodes.next[from];
    if (nodes.leaf[from] === 1 && after !== NIL) this.touch(after, true);
    nodes.merge(into, from, nodes.keys[parent * nodes.stride + sep]);
    nodes.innerRemove(parent, sep);
    this.touchAll(into, from, parent);
    nodes.release(from);
  }

  /** Charges every line of `node`: a read, or a write when it was modified. */
  private touch(node: number, write: boolean): void {
    if (!this.traced) return;
    const first = this.nodes.line[node];
    for (let line = first; line < first + this.nodeLines; line++) {
      if (write) this.tracer.write(line);
      else this.tracer.read(line);
    }
  }

  private touchAll(a: number, b: number, parent: number): void {
    this.touch(a, true);
    this.touch(b, true);
    this.touch(parent, true);
  }
}
