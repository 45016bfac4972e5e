// The node store of the B+ tree in btree.ts and the in-node moves (shift, split, borrow, merge).
//
// Nodes are integer ids into parallel typed arrays (struct of arrays): node n's entries sit at
// n * stride .. n * stride + count - 1 of `keys`, `kids` and `vals`, so a lookup reads a few
// contiguous lines per level and nothing is allocated per operation. Id 0 is "no node"; freed
// ids go onto a free list threaded through `next` and keep their line ids for reuse.
//
// A leaf holds `count` VMAs sorted by start, keys[i] === vals[i].start, and is linked to its
// neighbours in address order (prev/next). An inner node holds `count` children and
// `count - 1` separators: every start in kid i < separator i <= every start in kid i + 1. A
// separator may be smaller than the smallest start of its right subtree (erase does not
// refresh it); that is why lookups step back one leaf when needed. Each node has one spare
// slot, so it may hold slots + 1 entries between an insert and the split that follows.

import type { Vma } from '@unimem/core';

export const NIL = 0;

export class BTreeNodes<V extends Vma> {
  /** Entries per node in the arrays: slots plus the spare. */
  readonly stride: number;
  /** Leaf: starts of the VMAs. Inner: separators. */
  keys: Float64Array;
  /** Inner: child ids. */
  kids: Int32Array;
  /** Leaf: the VMAs. */
  vals: (V | undefined)[] = [];
  count: Int32Array;
  leaf: Uint8Array;
  prev: Int32Array;
  next: Int32Array;
  /** First line id of each node. */
  line: Int32Array;
  private fresh = 1;
  private free = NIL;

  constructor(
    slots: number,
    private readonly allocLines: () => number,
  ) {
    this.stride = slots + 1;
    const capacity = 8;
    this.keys = new Float64Array(capacity * this.stride);
    this.kids = new Int32Array(capacity * this.stride);
    for (let k = 0; k < capacity * this.stride; k++) this.vals.push(undefined);
    this.count = new Int32Array(capacity);
    this.leaf = new Uint8Array(capacity);
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.line = new Int32Array(capacity);
  }

  /** An empty node; fresh ids take new lines, reused ids keep theirs. */
  alloc(leaf: boolean): number {
    let node = this.free;
    if (node !== NIL) {
      this.free = this.next[node];
    } else {
      if (this.fresh === this.count.length) this.grow();
      node = this.fresh++;
      this.line[node] = this.allocLines();
    }
    this.count[node] = 0;
    this.leaf[node] = leaf ? 1 : 0;
    this.prev[node] = NIL;
    this.next[node] = NIL;
    return node;
  }

  /** Returns an emptied node's id to the free list. */
  release(node: number): void {
    this.count[node] = 0;
    this.prev[node] = NIL;
    this.next[node] = this.free;
    this.free = node;
  }

  /** Number of keys[0..count) of `node` that are <= addr. */
  upperBound(node: number, count: number, addr: number): number {
    const { keys } = this;
    const base = node * this.stride;
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[base + mid] <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Inserts a VMA at position i of a leaf. */
  leafInsert(node: number, i: number, vma: V): void {
    const { keys, vals } = this;
    const base = node * this.stride;
    for (let k = base + this.count[node]; k > base + i; k--) {
      keys[k] = keys[k - 1];
      vals[k] = vals[k - 1];
    }
    keys[base + i] = vma.start;
    vals[base + i] = vma;
    this.count[node]++;
  }

  /** Removes the VMA at position i of a leaf and returns it. */
  leafRemove(node: number, i: number): V {
    const { keys, vals } = this;
    const base = node * this.stride;
    const last = base + --this.count[node];
    const vma = vals[base + i]!;
    for (let k = base + i; k < last; k++) {
      keys[k] = keys[k + 1];
      vals[k] = vals[k + 1];
    }
    vals[last] = undefined;
    return vma;
  }

  /** Inserts separator `key` at i and child `kid` at i + 1 of an inner node. */
  innerInsert(node: number, i: number, key: number, kid: number): void {
    const { keys, kids } = this;
    const base = node * this.stride;
    for (let k = base + this.count[node]; k > base + i + 1; k--) {
      keys[k - 1] = keys[k - 2];
      kids[k] = kids[k - 1];
    }
    keys[base + i] = key;
    kids[base + i + 1] = kid;
    this.count[node]++;
  }

  /** Removes separator i and child i + 1 of an inner node. */
  innerRemove(node: number, i: number): void {
    const { keys, kids } = this;
    const base = node * this.stride;
    const last = base + --this.count[node];
    for (let k = base + i + 1; k < last; k++) {
      keys[k - 1] = keys[k];
      kids[k] = kids[k + 1];
    }
  }

  /** Moves entries [from, from + n) of node a to [to, to + n) of node b (keys, then kids or vals). */
  private move(a: number, from: number, b: number, to: number, n: number, keyCount: number): void {
    const { keys, kids, vals, stride } = this;
    const src = a * stride + from;
    const dst = b * stride + to;
    for (let k = 0; k < keyCount; k++) keys[dst + k] = keys[src + k];
    if (this.leaf[a] === 1) {
      for (let k = 0; k < n; k++) {
        vals[dst + k] = vals[src + k];
        vals[src + k] = undefined;
      }
    } else {
      for (let k = 0; k < n; k++) kids[dst + k] = kids[src + k];
    }
  }

  /**
   * Moves the upper half of an overfull node into the empty node `right` (linking leaves) and
   * returns the separator between them; for an inner node, the one that moves up.
   */
  split(node: number, right: number): number {
    const total = this.count[node];
    const keep = (total + 1) >>> 1;
    const moved = total - keep;
    this.count[node] = keep;
    this.count[right] = moved;
    if (this.leaf[node] === 1) {
      this.move(node, keep, right, 0, moved, moved);
      const after = this.next[node];
      this.next[right] = after;
      this.prev[right] = node;
      if (after !== NIL) this.prev[after] = right;
      this.next[node] = right;
      return this.keys[right * this.stride];
    }
    this.move(node, keep, right, 0, moved, moved - 1);
    return this.keys[node * this.stride + keep - 1];
  }

  /** Moves the last entry of `left` to the front of its right sibling `node`; returns the new separator. */
  borrowFromLeft(left: number, node: number, sep: number): number {
    const last = this.count[left] - 1;
    if (this.leaf[node] === 1) {
      this.leafInsert(node, 0, this.leafRemove(left, last));
      return this.keys[node * this.stride];
    }
    const base = node * this.stride;
    const { keys, kids } = this;
    for (let k = this.count[node]; k > 0; k--) {
      kids[base + k] = kids[base + k - 1];
      if (k > 1) keys[base + k - 1] = keys[base + k - 2];
    }
    keys[base] = sep;
    kids[base] = kids[left * this.stride + last];
    this.count[node]++;
    this.count[left]--;
    return keys[left * this.stride + last - 1];
  }

  /** Moves the first entry of `right` to the end of its left sibling `node`; returns the new separator. */
  borrowFromRight(node: number, right: number, sep: number): number {
    if (this.leaf[node] === 1) {
      this.leafInsert(node, this.count[node], this.leafRemove(right, 0));
      return this.keys[right * this.stride];
    }
    const { keys, kids, stride } = this;
    const base = right * stride;
    const newSep = keys[base];
    const end = node * stride + this.count[node];
    keys[end - 1] = sep;
    kids[end] = kids[base];
    this.count[node]++;
    const last = --this.count[right];
    for (let k = 0; k < last; k++) {
      kids[base + k] = kids[base + k + 1];
      keys[base + k] = keys[base + k + 1];
    }
    return newSep;
  }

  /** Appends every entry of `right` to its left sibling `left` (`sep` between them); empties right. */
  merge(left: number, right: number, sep: number): void {
    const at = this.count[left];
    const moved = this.count[right];
    if (this.leaf[left] === 1) {
      this.move(right, 0, left, at, moved, moved);
      const after = this.next[right];
      this.next[left] = after;
      if (after !== NIL) this.prev[after] = left;
    } else {
      this.keys[left * this.stride + at - 1] = sep;
      this.move(right, 0, left, at, moved, moved - 1);
    }
    this.count[left] = at + moved;
    this.count[right] = 0;
  }

  private grow(): void {
    const capacity = this.count.length * 2;
    const stride = this.stride;
    const keys = new Float64Array(capacity * stride);
    const kids = new Int32Array(capacity * stride);
    keys.set(this.keys);
    kids.set(this.kids);
    this.keys = keys;
    this.kids = kids;
    for (let k = this.vals.length; k < capacity * stride; k++) this.vals.push(undefined);
    this.count = grown(this.count, new Int32Array(capacity));
    this.leaf = grown(this.leaf, new Uint8Array(capacity));
    this.prev = grown(this.prev, new Int32Array(capacity));
    this.next = grown(this.next, new Int32Array(capacity));
    this.line = grown(this.line, new Int32Array(capacity));
  }
}

function grown<T extends Int32Array | Uint8Array>(old: T, into: T): T {
  into.set(old);
  return into;
}
