// An AVL tree of disjoint address ranges over typed arrays (node ids, 0 = nil), each node
// augmented with its subtree's entry count, leftmost start, rightmost end and largest gap
// between consecutive entries. It is the host structure behind the vma_range_set
// (vma-range-set.ts): ranks give the length of OSv's linear walk, and the gaps let find_hole's
// answer be found in O(log n) host steps.
//
// Each node owns one line of the tracer (ids and lines of freed nodes are reused). Insert and
// erase read their search path and write the node and its parent, as a red-black insert or
// erase in OSv's std::set touches them. Invariant: for every node the subtree heights differ by
// at most one and the augmentation equals what update() computes from the children.

import type { LineTracer } from '@unimem/hw';

export const NIL = 0;

export class RangeTree {
  starts = new Float64Array(64);
  ends = new Float64Array(64);
  left = new Int32Array(64);
  right = new Int32Array(64);
  counts = new Int32Array(64);
  /** Leftmost start, rightmost end and largest inner gap of each subtree. */
  los = new Float64Array(64);
  his = new Float64Array(64);
  gaps = new Float64Array(64);
  lines = new Int32Array(64);
  root = NIL;
  private height = new Int8Array(64);
  private fresh = 1;
  private freeList = NIL;

  constructor(
    private readonly tracer: LineTracer,
    private readonly label: string,
  ) {}

  /** Number of entries. */
  get count(): number {
    return this.counts[this.root];
  }

  /** Adds [start, end) (the caller checked it overlaps nothing); returns its node. */
  add(start: number, end: number): number {
    const id = this.allocNode(start, end);
    this.root = this.insertAt(this.root, id);
    this.tracer.write(this.lines[id]);
    return id;
  }

  /** Erases the entry starting at `start` (the caller checked it exists). */
  erase(start: number): void {
    this.root = this.eraseAt(this.root, start);
  }

  /** Number of entries whose start is below `key`. */
  rankOf(key: number): number {
    let node = this.root;
    let rank = 0;
    while (node !== NIL) {
      if (this.starts[node] < key) {
        rank += this.counts[this.left[node]] + 1;
        node = this.right[node];
      } else {
        node = this.left[node];
      }
    }
    return rank;
  }

  /** The node of rank `rank` (0-based, in address order), or NIL. */
  select(rank: number): number {
    let node = this.root;
    let r = rank;
    while (node !== NIL) {
      const leftCount = this.counts[this.left[node]];
      if (r < leftCount) node = this.left[node];
      else if (r === leftCount) return node;
      else {
        r -= leftCount + 1;
        node = this.right[node];
      }
    }
    return NIL;
  }

  /** The entries as [start, end) pairs in address order (a copy, for stats and tests). */
  toArray(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const visit = (node: number) => {
      if (node === NIL) return;
      visit(this.left[node]);
      out.push([this.starts[node], this.ends[node]]);
      visit(this.right[node]);
    };
    visit(this.root);
    return out;
  }

  /** Balance and augmentation problems; empty when consistent. */
  check(): string[] {
    const problems: string[] = [];
    const walk = (node: number): void => {
      if (node === NIL) return;
      walk(this.left[node]);
      walk(this.right[node]);
      const skew = this.height[this.left[node]] - this.height[this.right[node]];
      if (Math.abs(skew) > 1) problems.push(`node ${node} is out of balance (${skew})`);
      const stored = [this.counts[node], this.los[node], this.his[node], this.gaps[node]];
      this.update(node);
      const computed = [this.counts[node], this.los[node], this.his[node], this.gaps[node]];
      if (stored.some((v, k) => v !== computed[k]))
        problems.push(`node ${node}: stale augmentation`);
    };
    walk(this.root);
    return problems;
  }

  private insertAt(node: number, id: number): number {
    if (node === NIL) return id;
    this.tracer.read(this.lines[node]);
    if (this.starts[id] < this.starts[node]) {
      this.left[node] = this.insertAt(this.left[node], id);
      if (this.left[node] === id) this.tracer.write(this.lines[node]);
    } else {
      this.right[node] = this.insertAt(this.right[node], id);
      if (this.right[node] === id) this.tracer.write(this.lines[node]);
    }
    return this.balance(node);
  }

  private eraseAt(node: number, key: number): number {
    if (node === NIL) return NIL;
    this.tracer.read(this.lines[node]);
    if (key < this.starts[node]) {
      this.left[node] = this.eraseAt(this.left[node], key);
    } else if (key > this.starts[node]) {
      this.right[node] = this.eraseAt(this.right[node], key);
    } else {
      const l = this.left[node];
      const r = this.right[node];
      this.tracer.write(this.lines[node]);
      this.freeNode(node);
      if (l === NIL || r === NIL) return l === NIL ? r : l;
      let min = r;
      while (this.left[min] !== NIL) min = this.left[min];
      this.right[min] = this.eraseMin(r);
      this.left[min] = l;
      this.tracer.write(this.lines[min]);
      return this.balance(min);
    }
    return this.balance(node);
  }

  private eraseMin(node: number): number {
    if (this.left[node] === NIL) return this.right[node];
    this.left[node] = this.eraseMin(this.left[node]);
    return this.balance(node);
  }

  private balance(node: number): number {
    const { left, right, height } = this;
    this.update(node);
    const skew = height[left[node]] - height[right[node]];
    if (skew > 1) {
      const l = left[node];
      if (height[left[l]] < height[right[l]]) left[node] = this.rotateLeft(l);
      return this.rotateRight(node);
    }
    if (skew < -1) {
      const r = right[node];
      if (height[right[r]] < height[left[r]]) right[node] = this.rotateRight(r);
      return this.rotateLeft(node);
    }
    return node;
  }

  private rotateRight(node: number): number {
    const l = this.left[node];
    this.left[node] = this.right[l];
    this.right[l] = node;
    this.update(node);
    this.update(l);
    return l;
  }

  private rotateLeft(node: number): number {
    const r = this.right[node];
    this.right[node] = this.left[r];
    this.left[r] = node;
    this.update(node);
    this.update(r);
    return r;
  }

  /** Recomputes a node's height, count, bounds and largest inner gap from its children. */
  private update(node: number): void {
    const l = this.left[node];
    const r = this.right[node];
    this.height[node] = 1 + Math.max(this.height[l], this.height[r]);
    this.counts[node] = 1 + this.counts[l] + this.counts[r];
    this.los[node] = l === NIL ? this.starts[node] : this.los[l];
    this.his[node] = r === NIL ? this.ends[node] : this.his[r];
    let gap = Math.max(this.gaps[l], this.gaps[r]);
    if (l !== NIL) gap = Math.max(gap, this.starts[node] - this.his[l]);
    if (r !== NIL) gap = Math.max(gap, this.los[r] - this.ends[node]);
    this.gaps[node] = gap;
  }

  private allocNode(start: number, end: number): number {
    let id = this.freeList;
    if (id !== NIL) {
      this.freeList = this.right[id];
    } else {
      id = this.fresh++;
      if (id >= this.starts.length) this.grow();
      this.lines[id] = this.tracer.allocLines(1, this.label);
    }
    this.starts[id] = start;
    this.ends[id] = end;
    this.left[id] = NIL;
    this.right[id] = NIL;
    this.update(id);
    return id;
  }

  private freeNode(id: number): void {
    this.left[id] = NIL;
    this.right[id] = this.freeList;
    this.freeList = id;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.starts = f64(this.starts);
    this.ends = f64(this.ends);
    this.los = f64(this.los);
    this.his = f64(this.his);
    this.gaps = f64(this.gaps);
    this.left = i32(this.left);
    this.right = i32(this.right);
    this.counts = i32(this.counts);
    this.lines = i32(this.lines);
    const height = new Int8Array(size);
    height.set(this.height);
    this.height = height;
  }
}
