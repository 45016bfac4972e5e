// The global L2 page pool of OSv (page_pool::l2): a boost::lockfree::stack<page_batch*,
// fixed_sized<true>> of capacity `max` batches — a Treiber stack whose nodes come from a
// preallocated node array through a second lock-free stack (the freelist), both heads being
// tagged indices, so it is ABA-free — plus an atomic count `_nr` beside the watermarks. A batch
// is `batchPages` page pointers stored inside one of its own pages (`holder`): the last page for
// batches built by the L2 refill, the L1's top page for batches built by l1::unfill. Invariant:
// `nr` batches are on the stack, the other max - nr nodes on the freelist.
//
// Lines: push = freelist pop (read head, read node, CAS head) + write node + read tos + CAS tos +
// fetch_add `_nr`; pop = read tos + read node + CAS tos + freelist push (read head, write node,
// CAS head) + fetch_sub `_nr`. The three heads are PlacedLines: their RMWs are ordered in
// simulated time, so a long refill does not make every later core wait for its end. Each call
// runs to completion inside one simulated operation, so a CAS never fails here: contention shows
// as transfers and waits for the heads, not as retry loops (a lower bound under contention).
//
// Causality: a batch pushed at simulated time t cannot be popped before t. A pop takes the most
// recently pushed batch already available at the popping core's clock; if none is, it takes the
// one that becomes available first and waits for it (counted as poolBatchWaitCycles). Which batch
// a pop gets does not matter otherwise (all hold the same number of free pages).
//
// The batch contents (4 lines of the holder page for 32 pointers) are charged by whoever writes
// or reads them (page-pools.ts).

import type { Machine } from '@unimem/hw';
import { PlacedLine } from './placed-line.js';

const NIL = -1;
const NODE_BYTES = 16;

export class L2Stack {
  /** Batches on the stack (`_nr`). */
  nr = 0;
  readonly lowWatermark: number;
  readonly highWatermark: number;
  private top = NIL;
  private freeTop = 0;
  private readonly next: Int32Array;
  private readonly holder: Int32Array;
  private readonly contents: Int32Array;
  private readonly pushedAt: Float64Array;
  private readonly machine: Machine | null;
  /** `_max, _nr, _watermark_lo/hi` of class l2. */
  private readonly header: PlacedLine | null;
  private readonly tos: PlacedLine | null;
  private readonly freelist: PlacedLine | null;
  private readonly nodeLines: number;
  private readonly waitCounter: number;
  /** The node before the one `available()` picked (NIL: it is the top). */
  private availableBefore = NIL;

  constructor(
    readonly max: number,
    readonly batchPages: number,
    machine: Machine | undefined,
  ) {
    this.lowWatermark = Math.floor(max / 4);
    this.highWatermark = Math.floor((max * 3) / 4);
    this.next = new Int32Array(max);
    for (let node = 0; node < max; node++) this.next[node] = node + 1 < max ? node + 1 : NIL;
    this.holder = new Int32Array(max);
    this.contents = new Int32Array(max * batchPages);
    this.pushedAt = new Float64Array(max);
    this.machine = machine ?? null;
    this.header = machine ? new PlacedLine(machine, 'osv.l2') : null;
    this.tos = machine ? new PlacedLine(machine, 'osv.l2.stack.tos') : null;
    this.freelist = machine ? new PlacedLine(machine, 'osv.l2.stack.freelist') : null;
    this.nodeLines = machine
      ? machine.lines.allocLines(Math.ceil((max * NODE_BYTES) / 64), 'osv.l2.nodes')
      : 0;
    this.waitCounter = machine ? machine.counters.define('poolBatchWaitCycles') : 0;
  }

  /** get_nr(): a relaxed load of `_nr`. */
  count(): number {
    this.header?.read();
    return this.nr;
  }

  /**
   * _stack.push(pb) + inc_nr(): copies `batchPages` frames from `batch` into a node. Returns
   * false when the stack is full (no free node), changing nothing.
   */
  push(batch: Int32Array, holder: number): boolean {
    this.freelist?.read();
    const node = this.freeTop;
    if (node === NIL) return false;
    this.node(node, false);
    this.freeTop = this.next[node];
    this.freelist?.rmw();
    this.contents.set(batch.subarray(0, this.batchPages), node * this.batchPages);
    this.holder[node] = holder;
    this.tos?.read();
    this.next[node] = this.top;
    this.node(node, true);
    this.top = node;
    this.tos?.rmw();
    this.nr++;
    this.header?.rmw();
    this.pushedAt[node] = this.machine ? this.machine.now() : 0;
    return true;
  }

  /**
   * _stack.pop(pb) + dec_nr(): copies a batch's frames into `batch` and returns its holder page,
   * or -1 when the stack is empty.
   */
  pop(batch: Int32Array): number {
    this.tos?.read();
    if (this.top === NIL) return NIL;
    const node = this.available();
    const before = this.availableBefore;
    this.node(node, false);
    if (before === NIL) this.top = this.next[node];
    else this.next[before] = this.next[node];
    this.tos?.rmw();
    const offset = node * this.batchPages;
    batch.set(this.contents.subarray(offset, offset + this.batchPages));
    const holder = this.holder[node];
    this.freelist?.read();
    this.next[node] = this.freeTop;
    this.node(node, true);
    this.freeTop = node;
    this.freelist?.rmw();
    this.nr--;
    this.header?.rmw();
    return holder;
  }

  /** Frames of the i-th batch from the top (for checks), into `out`. */
  peek(index: number, out: Int32Array): boolean {
    let node = this.top;
    for (let i = 0; i < index && node !== NIL; i++) node = this.next[node];
    if (node === NIL) return false;
    out.set(this.contents.subarray(node * this.batchPages, (node + 1) * this.batchPages));
    return true;
  }

  /** Bytes OSv uses: the l2 object, the two cache-line-aligned heads and the node array. */
  bytes(): number {
    return 3 * 64 + this.max * NODE_BYTES;
  }

  /**
   * The node a pop at the current core's clock takes (the node before it in the stack goes to
   * availableBefore, NIL for the top): the first one from the top pushed by now, else the
   * earliest pushed, waiting until then.
   */
  private available(): number {
    this.availableBefore = NIL;
    const machine = this.machine;
    if (machine === null) return this.top;
    const now = machine.now();
    let earliest = this.top;
    let earliestBefore = NIL;
    let before = NIL;
    for (let node = this.top; node !== NIL; before = node, node = this.next[node]) {
      if (this.pushedAt[node] <= now) {
        this.availableBefore = before;
        return node;
      }
      if (this.pushedAt[node] < this.pushedAt[earliest]) {
        earliest = node;
        earliestBefore = before;
      }
    }
    const wait = this.pushedAt[earliest] - now;
    machine.charge(wait);
    machine.counters.add(machine.current, this.waitCounter, wait);
    this.availableBefore = earliestBefore;
    return earliest;
  }

  private node(node: number, write: boolean): void {
    const machine = this.machine;
    if (machine === null) return;
    // Node stores are placed (no busy-until): nodes are ordered by the heads' timelines.
    const line = this.nodeLines + ((node * NODE_BYTES) >>> 6);
    if (write) machine.lines.writePlaced(line);
    else machine.lines.read(line);
  }
}
