// Per-CPU page lists (struct per_cpu_pages) of Linux 6.0, mm/page_alloc.c: one list per order
// 0..3 plus the THP order 9 (one migratetype modelled), a page count shared by all lists, and
// the batch/high marks. Allocation and free touch only the core's own pcp line — no zone lock —
// until a list runs empty (refill: rmqueue_bulk() moves max(batch >> order, 2) blocks from the
// buddy lists under zone->lock) or the count reaches high (free_pcppages_bulk() returns
// nr_pcp_free() pages, oldest first, round robin over the lists, under zone->lock).
//
// Batch scaling is 6.0's: free_factor doubles the drained amount for each drain without an
// allocation in between (up to high - batch) and halves on each allocation; while it is
// non-zero, a free of orders 1..3 drains everything (free_high). Allocation-side scaling
// (alloc_factor, 6.7+) is not modelled.
//
// Invariant: count[core] equals the pages on the core's lists; a block on a list heads Pcp|order.

import type { BuddyCosts, BuddyStats } from '../api.js';
import { Kind, type MemMap } from './mem-map.js';
import type { BuddyMeter } from './meter.js';
import type { Zone } from './zone.js';

/** Orders with a pcp list: 0..PAGE_ALLOC_COSTLY_ORDER (3) and pageblock_order (9). */
export const PCP_ORDERS: readonly number[] = [0, 1, 2, 3, 9];
export const PCP_LISTS = PCP_ORDERS.length;
/** order -> pcp list index (pindex), -1 for orders that bypass the pcp lists. */
export const PINDEX: readonly number[] = [0, 1, 2, 3, -1, -1, -1, -1, -1, 4, -1];
const COSTLY_ORDER = 3;

export class PerCpuPages {
  /** pcp->count: pages on each core's lists. */
  readonly count: Int32Array;
  /** pcp->free_factor. */
  readonly freeFactor: Int32Array;

  constructor(
    private readonly map: MemMap,
    private readonly zone: Zone,
    private readonly meter: BuddyMeter,
    private readonly costs: BuddyCosts,
    private readonly stats: BuddyStats,
    cores: number,
    /** List-head index of core 0's first list; core c, list i is firstHead + c * PCP_LISTS + i. */
    private readonly firstHead: number,
    readonly batch: number,
    readonly high: number,
  ) {
    this.count = new Int32Array(cores);
    this.freeFactor = new Int32Array(cores);
  }

  /** Node id of `core`'s list `pindex` (all of a core's list heads share its pcp line). */
  listHead(core: number, pindex: number): number {
    return this.map.head(this.firstHead + core * PCP_LISTS + pindex);
  }

  /**
   * rmqueue_pcplist() on `core`: the first block of its list, refilled from the buddy lists if
   * empty; -1 when the buddy lists have no block of that order either.
   */
  alloc(core: number, order: number): number {
    const { map, meter } = this;
    const pindex = PINDEX[order];
    const line = this.listHead(core, 0);
    meter.rmwNode(line); // pcp_spin_trylock()
    this.freeFactor[core] >>= 1;
    const head = this.listHead(core, pindex);
    if (map.isEmpty(head)) {
      const batch = this.batch > 1 ? Math.max(this.batch >> order, 2) : this.batch;
      const moved = this.refill(core, order, batch, head);
      this.count[core] += moved * (1 << order);
      if (moved === 0) {
        meter.writeNode(line); // pcp_spin_unlock()
        return -1;
      }
    } else {
      this.stats.pcpHits++;
    }
    const frame = map.first(head);
    map.remove(frame);
    this.count[core] -= 1 << order;
    meter.writeNode(line);
    return frame;
  }

  /** rmqueue_bulk(): moves up to `batch` blocks of `order` from the buddy lists to a list tail. */
  private refill(core: number, order: number, batch: number, head: number): number {
    const { zone, map, meter } = this;
    this.stats.refills++;
    zone.lockZone(core);
    let moved = 0;
    for (; moved < batch; moved++) {
      const frame = zone.rmqueueSmallest(order);
      if (frame < 0) break;
      zone.checkNewPages(frame, order); // check_pcp_refill()
      map.state[frame] = Kind.Pcp | order;
      map.addTail(head, frame);
      this.stats.blockMoves++;
      meter.charge(this.costs.blockMoveCycles);
    }
    zone.modFreePages(core, -moved * (1 << order));
    zone.unlockZone(core);
    return moved;
  }

  /** free_unref_page_commit() on `core`: list_add() to its list, drain when count >= high. */
  free(core: number, frame: number, order: number): void {
    const { map, meter } = this;
    const pindex = PINDEX[order];
    const line = this.listHead(core, 0);
    meter.rmwNode(line);
    map.state[frame] = Kind.Pcp | order;
    map.addHead(this.listHead(core, pindex), frame);
    this.count[core] += 1 << order;
    const freeHigh = this.freeFactor[core] > 0 && order > 0 && order <= COSTLY_ORDER;
    const high = freeHigh ? 0 : this.high; // nr_pcp_high()
    if (this.count[core] >= high) {
      this.freeBulk(core, core, this.nrPcpFree(core, high, freeHigh), pindex);
    }
    meter.writeNode(line);
  }

  /**
   * drain_pages_zone(): `runner` empties `core`'s lists (its own, or remotely as 6.0's
   * drain_all_pages() does under the pcp spinlock). Returns the pages drained.
   */
  drain(runner: number, core: number): number {
    const line = this.listHead(core, 0);
    this.meter.rmwNode(line);
    const pages = this.count[core];
    if (pages > 0) this.freeBulk(runner, core, pages, 0);
    this.meter.writeNode(line);
    return pages;
  }

  /** nr_pcp_free(): pages to return on a free that reached `high`. */
  private nrPcpFree(core: number, high: number, freeHigh: boolean): number {
    if (freeHigh) return this.count[core];
    const batch = this.batch;
    if (high < batch) return 1;
    const maxFree = high - batch;
    const scaled = batch * 2 ** this.freeFactor[core];
    if (scaled < maxFree) this.freeFactor[core]++;
    return Math.min(Math.max(scaled, batch), maxFree);
  }

  /**
   * free_pcppages_bulk(): `runner`, holding zone->lock, returns at least `pages` pages of
   * `core`'s lists to the buddy lists: the oldest block (list tail) first, starting with list
   * `pindex` and going round robin over the non-empty lists.
   */
  private freeBulk(runner: number, core: number, pages: number, pindex: number): void {
    const { map, zone, meter } = this;
    let count = Math.min(pages, this.count[core]);
    if (count <= 0) return;
    this.stats.drains++;
    zone.lockZone(runner);
    let index = pindex - 1;
    while (count > 0) {
      let head: number;
      do {
        index = index + 1 === PCP_LISTS ? 0 : index + 1;
        head = this.listHead(core, index);
      } while (map.isEmpty(head));
      const order = PCP_ORDERS[index];
      do {
        const frame = map.last(head);
        map.remove(frame);
        map.state[frame] = 0;
        count -= 1 << order;
        this.count[core] -= 1 << order;
        zone.freeOneBlock(runner, frame, order);
        this.stats.blockMoves++;
        meter.charge(this.costs.blockMoveCycles);
      } while (count > 0 && !map.isEmpty(head));
    }
    zone.unlockZone(runner);
  }
}
