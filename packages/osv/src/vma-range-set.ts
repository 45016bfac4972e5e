// OSv's vma_range_set (core/mmu.cc, upstream 9c65058f; docs/reference/osv.md §6) and find_hole, the
// first-fit walk over it. The set holds every reserved range of the address space — one entry
// per VMA, per Kernel API reservation and per linear map, never coalesced — ordered by start.
// find_hole starts at the last entry below the hint and walks entry by entry until a gap holds
// the request, so one mmap costs O(#VMAs) in OSv and in this model.
//
// The entries live in an augmented AVL tree (range-tree.ts): the hole OSv's walk finds, and how
// many entries it passes on the way (a rank difference), come out in O(log n) host steps, so a
// run with a million VMAs stays feasible while its simulated cost stays linear.
//
// Cost model: a std::set node per entry, one line each. find_hole reads the set's header line
// and pays `visitCycles` per entry passed; the EXACT_VISITS entries next to the hole — the ones
// other cores' recent inserts wrote — are read through the line model, the rest at a flat cost
// per entry that the owner decides (OsvVmAllocator: a private-cache hit for the share of the set
// that fits in half the core's private cache, an L3 hit for the rest).
//
// Invariant: entries are non-empty, sorted and disjoint (they may touch); `reservedBytes` is the
// sum of their lengths. A call that fails changes nothing.

import type { LineTracer } from '@unimem/hw';
import { NIL, RangeTree } from './range-tree.js';

/** Entries next to the hole whose lines go through the line model. */
export const EXACT_VISITS = 64;

/** What find_hole charges besides the exactly traced lines. */
export interface WalkCharges {
  /** Charges cycles to the current core. */
  charge(cycles: number): void;
  /** Cycles per entry passed (instructions: vmaVisit). */
  visitCycles: number;
  /** Cycles of one entry's line read in the far part of a walk over `entries` entries. */
  farLineCycles(entries: number): number;
}

const CONTINUE = 0;
const FOUND = 1;
const STOP = 2;

export class VmaRangeSet {
  /** Sum of the lengths of all entries. */
  reservedBytes = 0;
  /** Entries find_hole passed in its last call (OSv's walk, for tests and counters). */
  lastVisits = 0;
  private readonly tree: RangeTree;
  private readonly headerLine: number;
  // find_hole's traversal state (no closures or objects per call).
  private prevEnd = 0;
  private from = 0;
  private bound = 0;
  private size = 0;
  private align = 1;
  private found = -1;
  private endNode = NIL;

  constructor(
    private readonly tracer: LineTracer,
    private readonly walk: WalkCharges,
    label = 'osv.vma_range_set',
  ) {
    this.tree = new RangeTree(tracer, label);
    this.headerLine = tracer.allocLines(1, `${label}.header`);
  }

  /** Number of entries. */
  get count(): number {
    return this.tree.count;
  }

  /**
   * find_hole(from, size): the first gap at or above `from` and below `bound` that holds `size`
   * bytes aligned to `align`, in OSv's walk order. Returns its address or -1; `lastVisits` is
   * the number of entries the walk passed, charged as described in the header unless `charge`
   * is false (a second search over a walk already charged).
   */
  findHole(from: number, bound: number, size: number, align: number, charge = true): number {
    const tree = this.tree;
    this.tracer.read(this.headerLine);
    const below = tree.rankOf(from);
    const prev = below > 0 ? tree.select(below - 1) : NIL;
    this.prevEnd = prev === NIL ? from : Math.max(from, tree.ends[prev]);
    this.from = from;
    this.bound = bound;
    this.size = size;
    this.align = align;
    this.found = -1;
    this.endNode = NIL;
    if (this.search(tree.root) === CONTINUE) this.fits(this.prevEnd, bound, NIL);
    const first = prev === NIL ? below : below - 1;
    let last: number;
    if (this.found < 0) last = Math.min(tree.rankOf(bound), tree.count - 1);
    else if (this.endNode === NIL) last = tree.count - 1;
    else last = tree.rankOf(tree.starts[this.endNode]);
    this.lastVisits = Math.max(0, last - first + 1);
    if (charge) this.chargeWalk(first, last);
    return this.found;
  }

  /** Adds [start, end); false (nothing changed) if it overlaps an entry. */
  insert(start: number, end: number): boolean {
    const tree = this.tree;
    this.tracer.read(this.headerLine);
    const below = tree.rankOf(start);
    if (below > 0 && tree.ends[tree.select(below - 1)] > start) return false;
    if (below < tree.count && tree.starts[tree.select(below)] < end) return false;
    this.add(start, end);
    return true;
  }

  /**
   * Removes [start, end) if entries cover all of it (several touching entries may); the parts of
   * the edge entries outside the range stay as entries. False (nothing changed) otherwise.
   */
  remove(start: number, end: number): boolean {
    const tree = this.tree;
    this.tracer.read(this.headerLine);
    const first = tree.rankOf(start + 1) - 1;
    if (first < 0 || tree.ends[tree.select(first)] <= start) return false;
    let last = first;
    let at = tree.ends[tree.select(first)];
    while (at < end) {
      if (++last >= tree.count) return false;
      const node = tree.select(last);
      if (tree.starts[node] !== at) return false;
      at = tree.ends[node];
    }
    const leftKeep = tree.starts[tree.select(first)];
    for (let k = first; k <= last; k++) {
      const node = tree.select(first);
      this.reservedBytes -= tree.ends[node] - tree.starts[node];
      tree.erase(tree.starts[node]);
    }
    this.tracer.write(this.headerLine);
    if (leftKeep < start) this.add(leftKeep, start);
    if (at > end) this.add(end, at);
    return true;
  }

  /** The entries as [start, end) pairs in address order (a copy, for stats and tests). */
  toArray(): Array<[number, number]> {
    return this.tree.toArray();
  }

  /** Consistency problems of the entries and the tree; empty when consistent. */
  check(): string[] {
    const problems = this.tree.check();
    const entries = this.toArray();
    let bytes = 0;
    for (let k = 0; k < entries.length; k++) {
      const [s, e] = entries[k];
      bytes += e - s;
      if (!(s < e)) problems.push(`entry [${s}, ${e}) is empty`);
      if (k > 0 && entries[k - 1][1] > s) problems.push(`entries overlap at ${s}`);
    }
    if (bytes !== this.reservedBytes) {
      problems.push(`reservedBytes ${this.reservedBytes} != ${bytes}`);
    }
    return problems;
  }

  private add(start: number, end: number): void {
    this.tree.add(start, end);
    this.reservedBytes += end - start;
    this.tracer.write(this.headerLine);
  }

  /** In-order search with pruning by the subtrees' largest gaps; see findHole. */
  private search(node: number): number {
    if (node === NIL) return CONTINUE;
    const tree = this.tree;
    if (tree.starts[node] < this.from) return this.search(tree.right[node]);
    if (tree.los[node] >= this.from) {
      // The whole subtree lies at or above `from`: skip it if no gap in it can hold the request.
      const boundary = tree.los[node] - this.prevEnd;
      if (boundary < this.size && tree.gaps[node] < this.size) {
        this.prevEnd = tree.his[node];
        return this.prevEnd >= this.bound ? STOP : CONTINUE;
      }
    }
    const result = this.search(tree.left[node]);
    if (result !== CONTINUE) return result;
    if (this.fits(this.prevEnd, tree.starts[node], node)) return FOUND;
    if (tree.starts[node] >= this.bound) return STOP;
    this.prevEnd = tree.ends[node];
    return this.search(tree.right[node]);
  }

  /** Whether the gap [gapStart, min(gapEnd, bound)) holds the request; records it if so. */
  private fits(gapStart: number, gapEnd: number, endNode: number): boolean {
    const start = Math.max(gapStart, this.from);
    const candidate = Math.ceil(start / this.align) * this.align;
    if (candidate + this.size > Math.min(gapEnd, this.bound)) return false;
    this.found = candidate;
    this.endNode = endNode;
    return true;
  }

  /** Charges a walk over the entries of ranks first..last (see the header). */
  private chargeWalk(first: number, last: number): void {
    const visits = last - first + 1;
    if (visits <= 0) return;
    const tree = this.tree;
    const exactFrom = Math.max(first, last - EXACT_VISITS + 1);
    const far = exactFrom - first;
    const walk = this.walk;
    walk.charge(visits * walk.visitCycles + far * walk.farLineCycles(tree.count));
    for (let r = exactFrom; r <= last; r++) this.tracer.read(tree.lines[tree.select(r)]);
  }
}
