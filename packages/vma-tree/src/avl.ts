// AvlVmaTree: a balanced binary search tree of VMAs keyed by start, the shape of OSv's
// boost::intrusive::set (one node per VMA, one cache line per node) with AVL instead of
// red-black balancing. Kept beside the B+ tree (btree.ts) for modelling binary-tree VMA lists.
//
// Nodes live in parallel typed arrays indexed by node id (0 is the empty subtree), so
// operations allocate nothing; freed ids go onto a free list threaded through `right` and keep
// their line id. Invariant: for every node the heights of its subtrees differ by at most one,
// so the height stays below 1.45 log2(n + 2). Insert and erase record the search path and
// retrace it upwards, stopping once a subtree's height is unchanged.

import type { Vma, VmaIndex } from '@unimem/core';
import type { LineTracer } from '@unimem/hw';
import { nullTracer } from '@unimem/hw';
import type { VmaTreeOptions } from './api.js';
import { checkRange, checkVmaBounds, overlapError } from './bounds.js';

const NIL = 0;
/** AVL height for 2^53 nodes is below 78; the path also holds a successor's path. */
const MAX_PATH = 160;

export class AvlVmaTree<V extends Vma = Vma> implements VmaIndex<V> {
  private readonly tracer: LineTracer;
  private readonly traced: boolean;
  private readonly label: string;
  private starts = new Float64Array(64);
  private left = new Int32Array(64);
  private right = new Int32Array(64);
  private height = new Int8Array(64);
  private lines = new Int32Array(64);
  private vals: (V | undefined)[] = [undefined];
  /** Ids below this have been handed out at least once. */
  private fresh = 1;
  private freeList = NIL;
  private root = NIL;
  private count = 0;
  private readonly path = new Int32Array(MAX_PATH);

  constructor(options: VmaTreeOptions = {}) {
    this.tracer = options.tracer ?? nullTracer;
    this.traced = options.tracer !== undefined && options.tracer !== nullTracer;
    this.label = options.label ?? 'vma-tree';
  }

  get size(): number {
    return this.count;
  }

  /** Height of the tree (0 when empty). */
  get depth(): number {
    return this.height[this.root];
  }

  insert(vma: V): void {
    checkVmaBounds(vma);
    const { start, end } = vma;
    const { starts, left, right } = this;
    // The new node's neighbours in start order are the last nodes where the search turned.
    let node = this.root;
    let pred = NIL;
    let succ = NIL;
    let depth = 0;
    while (node !== NIL) {
      this.read(node);
      this.path[depth++] = node;
      if (start < starts[node]) {
        succ = node;
        node = left[node];
      } else {
        pred = node;
        node = right[node];
      }
    }
    if (pred !== NIL && this.vals[pred]!.end > start) throw overlapError(vma, this.vals[pred]!);
    if (succ !== NIL && starts[succ] < end) throw overlapError(vma, this.vals[succ]!);
    const id = this.allocNode(vma);
    this.count++;
    if (depth === 0) {
      this.root = id;
      return;
    }
    const parent = this.path[depth - 1];
    if (start < this.starts[parent]) this.left[parent] = id;
    else this.right[parent] = id;
    this.write(parent);
    this.retrace(depth - 1);
  }

  erase(vma: V): boolean {
    const start = vma.start;
    const { starts, left, right } = this;
    let node = this.root;
    let depth = 0;
    while (node !== NIL) {
      this.read(node);
      this.path[depth++] = node;
      if (start === starts[node]) break;
      node = start < starts[node] ? left[node] : right[node];
    }
    if (node === NIL || this.vals[node] !== vma) return false;
    // A node with two children takes its successor's VMA; the successor node is unlinked.
    let gone = node;
    if (left[node] !== NIL && right[node] !== NIL) {
      gone = right[node];
      this.read(gone);
      this.path[depth++] = gone;
      while (left[gone] !== NIL) {
        gone = left[gone];
        this.read(gone);
        this.path[depth++] = gone;
      }
      starts[node] = starts[gone];
      this.vals[node] = this.vals[gone];
      this.write(node);
    }
    const child = left[gone] !== NIL ? left[gone] : right[gone];
    depth--;
    this.replaceChild(depth - 1, gone, child);
    this.freeNode(gone);
    this.count--;
    if (depth > 0) this.retrace(depth - 1);
    return true;
  }

  find(addr: number): V | undefined {
    const { starts, left, right } = this;
    let node = this.root;
    let best = NIL;
    while (node !== NIL) {
      this.read(node);
      if (starts[node] <= addr) {
        best = node;
        node = right[node];
      } else {
        node = left[node];
      }
    }
    if (best === NIL) return undefined;
    const vma = this.vals[best]!;
    return vma.end > addr ? vma : undefined;
  }

  findIntersecting(addr: number, size: number): V[] {
    checkRange(addr, size);
    const out: V[] = [];
    if (size !== 0) this.collect(this.root, addr, addr + size, out);
    return out;
  }

  *[Symbol.iterator](): IterableIterator<V> {
    // In-order walk with an explicit stack (a generator cannot recurse cheaply).
    const stack: number[] = [];
    let node = this.root;
    while (node !== NIL || stack.length > 0) {
      while (node !== NIL) {
        stack.push(node);
        node = this.left[node];
      }
      node = stack.pop()!;
      yield this.vals[node]!;
      node = this.right[node];
    }
  }

  /** Appends, in order, the VMAs of the subtree at `node` that intersect [addr, end). */
  private collect(node: number, addr: number, end: number, out: V[]): void {
    while (node !== NIL) {
      this.read(node);
      const start = this.starts[node];
      if (start >= end) {
        node = this.left[node];
        continue;
      }
      const vma = this.vals[node]!;
      // Starts below this one end before it, so they can intersect only if this one begins
      // after addr.
      if (start > addr) this.collect(this.left[node], addr, end, out);
      if (vma.end > addr) out.push(vma);
      node = this.right[node];
    }
  }

  /** Updates heights and rotates from path[depth] up to the root, while heights change. */
  private retrace(depth: number): void {
    for (let d = depth; d >= 0; d--) {
      const node = this.path[d];
      const before = this.height[node];
      const top = this.balance(node);
      if (top !== node) this.replaceChild(d - 1, node, top);
      if (this.height[top] === before) return;
    }
  }

  /** Restores the AVL condition at `node`; returns the root of the (possibly rotated) subtree. */
  private balance(node: number): number {
    const { left, right, height } = this;
    const skew = height[left[node]] - height[right[node]];
    if (skew > 1) {
      if (height[left[left[node]]] < height[right[left[node]]]) {
        left[node] = this.rotateLeft(left[node]);
      }
      return this.rotateRight(node);
    }
    if (skew < -1) {
      if (height[right[right[node]]] < height[left[right[node]]]) {
        right[node] = this.rotateRight(right[node]);
      }
      return this.rotateLeft(node);
    }
    this.fixHeight(node);
    return node;
  }

  private rotateRight(node: number): number {
    const top = this.left[node];
    this.read(top);
    this.left[node] = this.right[top];
    this.right[top] = node;
    this.setHeight(node);
    this.setHeight(top);
    this.write(node);
    this.write(top);
    return top;
  }

  private rotateLeft(node: number): number {
    const top = this.right[node];
    this.read(top);
    this.right[node] = this.left[top];
    this.left[top] = node;
    this.setHeight(node);
    this.setHeight(top);
    this.write(node);
    this.write(top);
    return top;
  }

  /** Sets the height from the children; charges a write only when it changed. */
  private fixHeight(node: number): void {
    const before = this.height[node];
    if (this.setHeight(node) !== before) this.write(node);
  }

  private setHeight(node: number): number {
    const h = Math.max(this.height[this.left[node]], this.height[this.right[node]]) + 1;
    this.height[node] = h;
    return h;
  }

  /** Points the parent at path[depth] (or the root when depth < 0) from `old` to `child`. */
  private replaceChild(depth: number, old: number, child: number): void {
    if (depth < 0) {
      this.root = child;
      return;
    }
    const parent = this.path[depth];
    if (this.left[parent] === old) this.left[parent] = child;
    else this.right[parent] = child;
    this.write(parent);
  }

  private allocNode(vma: V): number {
    let id = this.freeList;
    if (id !== NIL) {
      this.freeList = this.right[id];
    } else {
      if (this.fresh === this.starts.length) this.grow();
      id = this.fresh++;
      this.lines[id] = this.tracer.allocLines(1, this.label);
    }
    this.starts[id] = vma.start;
    this.vals[id] = vma;
    this.left[id] = NIL;
    this.right[id] = NIL;
    this.height[id] = 1;
    this.write(id);
    return id;
  }

  private freeNode(id: number): void {
    this.vals[id] = undefined;
    this.left[id] = NIL;
    this.right[id] = this.freeList;
    this.height[id] = 0;
    this.freeList = id;
  }

  private grow(): void {
    const capacity = this.starts.length * 2;
    const starts = new Float64Array(capacity);
    const left = new Int32Array(capacity);
    const right = new Int32Array(capacity);
    const height = new Int8Array(capacity);
    const lines = new Int32Array(capacity);
    starts.set(this.starts);
    left.set(this.left);
    right.set(this.right);
    height.set(this.height);
    lines.set(this.lines);
    this.starts = starts;
    this.left = left;
    this.right = right;
    this.height = height;
    this.lines = lines;
  }

  private read(node: number): void {
    if (this.traced) this.tracer.read(this.lines[node]);
  }

  private write(node: number): void {
    if (this.traced) this.tracer.write(this.lines[node]);
  }
}
