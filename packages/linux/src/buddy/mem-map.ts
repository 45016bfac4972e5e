// The struct page array (mem_map) reduced to what the page allocator reads and writes: per
// frame a state byte (which list or owner the block it heads belongs to, and its order — Linux's
// PageBuddy flag plus page->private) and the intrusive list_head links (page->lru / pcp_list),
// as indices in typed arrays. Only the first frame of a block (its head) has a state; every other
// frame is NONE. Lists are circular and doubly linked through sentinel nodes: node ids
// 0..frames-1 are frames, frames..frames+heads-1 are list heads, so list operations have no
// special cases, exactly like include/linux/list.h.
//
// Invariant: every frame lies in exactly one block (free on a buddy list, free on a pcp list, or
// allocated), and a block's head is on the list its state names. Each list operation charges the
// lines list.h writes: the entry, its neighbours (struct pages or the head's line).

import type { BuddyMeter } from './meter.js';

/** Kinds of block heads (high nibble of the state byte); the low nibble is the order. */
export const Kind = {
  /** Not the head of a block: inside a block, or a tail. */
  None: 0x00,
  /** Free, on a buddy free list (PageBuddy, order in page->private). */
  Buddy: 0x10,
  /** Free, on a per-CPU list. */
  Pcp: 0x20,
  /** Allocated (handed out by get). */
  Used: 0x30,
} as const;

export const KIND_MASK = 0xf0;
export const ORDER_MASK = 0x0f;

export class MemMap {
  readonly state: Uint8Array;
  readonly next: Int32Array;
  readonly prev: Int32Array;

  constructor(
    readonly frames: number,
    readonly heads: number,
    private readonly meter: BuddyMeter,
  ) {
    this.state = new Uint8Array(frames);
    this.next = new Int32Array(frames + heads);
    this.prev = new Int32Array(frames + heads);
    for (let head = frames; head < frames + heads; head++) {
      this.next[head] = head;
      this.prev[head] = head;
    }
  }

  /**
   * Head of the block containing `frame`: the first aligned frame below it, going up in order,
   * that heads a block large enough to reach `frame`; -1 if none (a corrupt map). O(maxOrder).
   */
  blockHead(frame: number, maxOrder: number): number {
    const state = this.state;
    for (let order = 0; order <= maxOrder; order++) {
      const head = frame - (frame % 2 ** order);
      const s = state[head];
      if (s !== Kind.None && (s & ORDER_MASK) >= order) return head;
    }
    return -1;
  }

  /** Node id of list head `index`. */
  head(index: number): number {
    return this.frames + index;
  }

  /** list_empty(): reads the head. */
  isEmpty(head: number): boolean {
    this.meter.readNode(head);
    return this.next[head] === head;
  }

  /** First entry (the caller checked that the list is not empty). */
  first(head: number): number {
    return this.next[head];
  }

  /** Last entry (the caller checked that the list is not empty). */
  last(head: number): number {
    return this.prev[head];
  }

  /** list_add(): inserts `frame` right after the head. */
  addHead(head: number, frame: number): void {
    this.insert(frame, head, this.next[head]);
  }

  /** list_add_tail(): inserts `frame` right before the head. */
  addTail(head: number, frame: number): void {
    this.insert(frame, this.prev[head], head);
  }

  /** list_del(): unlinks `frame`, writing both neighbours and the entry itself. */
  remove(frame: number): void {
    const before = this.prev[frame];
    const after = this.next[frame];
    this.next[before] = after;
    this.prev[after] = before;
    this.next[frame] = frame;
    this.prev[frame] = frame;
    const meter = this.meter;
    meter.writeNode(before);
    if (after !== before) meter.writeNode(after);
    meter.writeNode(frame);
  }

  private insert(frame: number, before: number, after: number): void {
    this.next[frame] = after;
    this.prev[frame] = before;
    this.prev[after] = frame;
    this.next[before] = frame;
    const meter = this.meter;
    meter.writeNode(frame);
    meter.writeNode(before);
    if (after !== before) meter.writeNode(after);
  }
}
