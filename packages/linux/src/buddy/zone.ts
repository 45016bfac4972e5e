// One zone of Linux 6.0's buddy allocator (mm/page_alloc.c): the free area (a free list and
// nr_free per order), zone->lock, and the NR_FREE_PAGES vmstat counter. Everything here except
// the lock itself runs with zone->lock held, as in the kernel.
//
// Invariants: a block on free list k is free, 2^k-aligned and heads state Buddy|k; no two buddies
// of the same order are both on the free lists (a free always merges as far as it can), so after
// every frame was freed to the buddy lists they hold only maximal blocks.
//
// Modelled code paths and the lines they charge (through MemMap and BuddyMeter):
// - __rmqueue_smallest() + expand(): list_empty() probes of free_area[k] from the wanted order
//   up, list_del() of the block taken, list_add() of each split-off upper half.
// - __free_one_page(): page_is_buddy() reads the buddy's struct page; each merge is a list_del()
//   of the buddy; buddy_merge_likely() reads the next-higher buddy to pick list head or tail.
// - __mod_zone_page_state(NR_FREE_PAGES): a per-CPU drift, folded into the zone and global
//   counters with atomic adds when it exceeds stat_threshold.
// Left out: migratetypes and fallback stealing, CMA, page isolation, compaction capture, guard
// pages, the shuffle option; one zone (no zonelist walk).

import { MAX_ORDER } from '@unimem/core';
import { type Machine, QueuedSpinlock } from '@unimem/hw';
import type { BuddyCosts, BuddyStats } from '../api.js';
import { Kind, type MemMap } from './mem-map.js';
import type { BuddyMeter } from './meter.js';

export class Zone {
  /** free_area[order].nr_free. */
  readonly nrFree = new Int32Array(MAX_ORDER + 1);
  /** Pages on the buddy free lists (exact NR_FREE_PAGES). */
  freePages = 0;
  /** Per-CPU vm_stat_diff[NR_FREE_PAGES]. */
  readonly statDiff: Int32Array;
  /** zone->lock: a spinlock_t, i.e. Linux's queued spinlock (kernel/locking/qspinlock.c). */
  private readonly lock: QueuedSpinlock | null;
  /** Node id of free_area[0]'s list head; order k is headBase + k. */
  private readonly headBase: number;

  constructor(
    private readonly map: MemMap,
    private readonly meter: BuddyMeter,
    private readonly costs: BuddyCosts,
    private readonly stats: BuddyStats,
    machine: Machine | null,
    cores: number,
    firstHead: number,
    private readonly statThreshold: number,
  ) {
    this.headBase = map.head(firstHead);
    this.statDiff = new Int32Array(cores);
    this.lock = machine ? new QueuedSpinlock(machine, 'zone->lock') : null;
  }

  /** Node id of the free list of `order`. */
  areaHead(order: number): number {
    return this.headBase + order;
  }

  /** The zone lock as a simulated spinlock (null natively), for its statistics. */
  get zoneLock(): QueuedSpinlock | null {
    return this.lock;
  }

  lockZone(core: number): void {
    this.stats.zoneLocks++;
    if (this.lock !== null) this.lock.lock(core);
  }

  unlockZone(core: number): void {
    if (this.lock !== null) this.lock.unlock(core);
  }

  /** Boot: frees [0, frames) as maximal aligned blocks, in address order, to the list tails. */
  init(frames: number): void {
    let frame = 0;
    while (frame < frames) {
      let order = MAX_ORDER;
      while (frame % 2 ** order !== 0 || frame + 2 ** order > frames) order--;
      this.map.state[frame] = Kind.Buddy | order;
      this.map.addTail(this.areaHead(order), frame);
      this.nrFree[order]++;
      this.freePages += 2 ** order;
      frame += 2 ** order;
    }
  }

  /** __mod_zone_page_state(zone, NR_FREE_PAGES, delta) on `core`. */
  modFreePages(core: number, delta: number): void {
    const drift = this.statDiff[core] + delta;
    if (Math.abs(drift) > this.statThreshold) {
      this.meter.rmwLocked(this.meter.statLine);
      this.meter.rmwLocked(this.meter.globalStatLine);
      this.statDiff[core] = 0;
    } else {
      this.statDiff[core] = drift;
    }
  }

  /** __rmqueue_smallest(): the first block of the smallest order >= `order`, split down; or -1. */
  rmqueueSmallest(order: number): number {
    const map = this.map;
    for (let current = order; current <= MAX_ORDER; current++) {
      const head = this.areaHead(current);
      if (map.isEmpty(head)) continue;
      const frame = map.first(head);
      this.delFree(frame, current);
      this.expand(frame, order, current);
      return frame;
    }
    return -1;
  }

  /** rmqueue_buddy(): a block of `order` straight from the free lists, under the lock; or -1. */
  rmqueueBuddy(core: number, order: number): number {
    this.lockZone(core);
    const frame = this.rmqueueSmallest(order);
    if (frame >= 0) this.modFreePages(core, -(1 << order));
    this.unlockZone(core);
    if (frame >= 0) this.checkNewPages(frame, order);
    return frame;
  }

  /** check_new_pages(): reads every struct page of a block taken from the free lists. */
  checkNewPages(frame: number, order: number): void {
    this.meter.readNode(frame);
    this.meter.charge(this.costs.tailCheckCycles * ((1 << order) - 1));
  }

  /** free_one_page(): a block that bypasses the pcp lists, merged under the lock. */
  freeOne(core: number, frame: number, order: number): void {
    this.lockZone(core);
    this.freeOneBlock(core, frame, order);
    this.unlockZone(core);
  }

  /** __free_one_page(): merges `frame` with its free buddies and puts the result on a list. */
  freeOneBlock(core: number, frame: number, order: number): void {
    const { map, meter } = this;
    const state = map.state;
    const frames = map.frames;
    this.modFreePages(core, 1 << order);
    let buddy = -1;
    while (order < MAX_ORDER) {
      buddy = frame ^ (1 << order);
      if (buddy + (1 << order) > frames) {
        buddy = -1;
        break;
      }
      meter.readNode(buddy); // page_is_buddy()
      if (state[buddy] !== (Kind.Buddy | order)) break;
      this.delFree(buddy, order);
      this.stats.merges++;
      meter.charge(this.costs.buddyStepCycles);
      frame = Math.min(frame, buddy);
      order++;
    }
    this.addFree(frame, order, buddy >= 0 && this.mergeLikely(frame, order));
  }

  /**
   * buddy_merge_likely(): the block's own buddy is not free, but if the buddy of the block one
   * order up is, this block is likely to merge soon, so it goes to the tail of its list.
   */
  private mergeLikely(frame: number, order: number): boolean {
    if (order >= MAX_ORDER - 1) return false;
    const higher = (frame & ~((2 << order) - 1)) ^ (2 << order);
    if (higher + (2 << order) > this.map.frames) return false;
    this.meter.readNode(higher);
    return this.map.state[higher] === (Kind.Buddy | (order + 1));
  }

  /** expand(): splits a block of order `high` down to `low`, freeing the upper halves. */
  private expand(frame: number, low: number, high: number): void {
    while (high > low) {
      high--;
      this.addFree(frame + (1 << high), high, false);
      this.stats.splits++;
      this.meter.charge(this.costs.buddyStepCycles);
    }
  }

  /** add_to_free_list() / add_to_free_list_tail() with set_buddy_order(). */
  addFree(frame: number, order: number, tail: boolean): void {
    const head = this.areaHead(order);
    this.map.state[frame] = Kind.Buddy | order;
    if (tail) this.map.addTail(head, frame);
    else this.map.addHead(head, frame);
    this.nrFree[order]++;
    this.freePages += 1 << order;
    this.meter.writeNode(head); // nr_free++
  }

  /** del_page_from_free_list(): unlinks a free block and clears PageBuddy. */
  delFree(frame: number, order: number): void {
    const head = this.areaHead(order);
    this.map.remove(frame);
    this.map.state[frame] = Kind.None;
    this.nrFree[order]--;
    this.freePages -= 1 << order;
    this.meter.writeNode(head); // nr_free--
  }
}
