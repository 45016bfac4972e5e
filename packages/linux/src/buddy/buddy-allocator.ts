// BuddyAllocator: Linux 6.0's page allocator as a FrameAllocator — one zone (buddy free lists
// per order 0..10 behind zone->lock, zone.ts) with per-CPU page lists in front (pcp.ts), over a
// typed-array mem_map (mem-map.ts). This file is the entry point: argument checks, the
// alloc_pages()/free_pages() paths, the slow path, and the queries.
//
// Orders are 0..MAX_ORDER here, so block sizes are `1 << order`: V8 compiles `2 ** order` to a
// call of pow (~45 ns on the development VM), and these paths run on every get and put.
//
// Invariant: freeFrames() = pages on the buddy lists + pages on every pcp list, and every frame
// is in exactly one block. Bad input returns an error value and changes nothing. An allocation
// that finds no block drains every core's pcp lists and retries once (the slow path's
// drain_all_pages()); when it still fails it returns Memory, with the same free frames as before
// but possibly moved from pcp lists to the buddy lists, as in Linux.

import {
  AllocError,
  type FrameAllocator,
  type FrameResult,
  isCoreIndex,
  isFrameBlock,
  isOrderIn,
  MAX_ORDER,
  Ok,
  type Status,
} from '@unimem/core';
import type { QueuedSpinlock } from '@unimem/hw';
import type { BuddyCosts, BuddyOptions, BuddySnapshot, BuddyStats } from '../api.js';
import { checkBuddy } from './check.js';
import { resolveBuddyCosts } from './costs.js';
import { KIND_MASK, Kind, MemMap, ORDER_MASK } from './mem-map.js';
import { BuddyMeter } from './meter.js';
import { PCP_LISTS, PerCpuPages, PINDEX } from './pcp.js';
import { linuxTuning } from './tuning.js';
import { Zone } from './zone.js';

/** sizeof(struct page) on x86-64. */
export const STRUCT_PAGE_BYTES = 64;
/** struct per_cpu_pages in 6.0 (lock, count, high, batch, factors, 13 list heads), rounded. */
export const PER_CPU_PAGES_BYTES = 256;
/** Largest frame count: list links are Int32 over frames plus list heads (just under 8 TiB). */
export const MAX_BUDDY_FRAMES = 2 ** 31 - 2 ** 20;
const DEFAULT_BATCH = 63;

function emptyStats(): BuddyStats {
  return {
    gets: 0,
    puts: 0,
    pcpHits: 0,
    refills: 0,
    drains: 0,
    blockMoves: 0,
    splits: 0,
    merges: 0,
    zoneLocks: 0,
    slowPaths: 0,
  };
}

function positiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} ${value} must be an integer in 1..${max}`);
  }
  return value;
}

export class BuddyAllocator implements FrameAllocator {
  readonly name = 'buddy';
  readonly cores: number;
  readonly maxOrder = MAX_ORDER;
  /** pcp->batch and pcp->high in use. */
  readonly pcpBatch: number;
  readonly pcpHigh: number;
  readonly costs: Readonly<BuddyCosts>;
  private readonly frames: number;
  private readonly meter: BuddyMeter;
  private readonly map: MemMap;
  private readonly zone: Zone;
  private readonly pcp: PerCpuPages;
  private counts: BuddyStats = emptyStats();
  private free: number;

  constructor(options: BuddyOptions) {
    const frames = positiveInteger('frames', options.frames, MAX_BUDDY_FRAMES);
    const cores = positiveInteger('cores', options.cores, 65536);
    const machine = options.machine ?? null;
    if (machine !== null && machine.cores < cores) {
      throw new RangeError(`cores ${cores} exceeds the machine's ${machine.cores} cores`);
    }
    const batch = options.pcpBatch ?? DEFAULT_BATCH;
    positiveInteger('pcpBatch', batch);
    const tuning = options.tuning ?? { managedFrames: frames, cpus: cores };
    const tuned = linuxTuning(tuning.managedFrames, tuning.cpus);
    const high = options.pcpHigh ?? Math.max(Math.floor(tuned.lowWmark / tuned.cpus), 4 * batch);
    if (!Number.isSafeInteger(high) || high < 0) {
      throw new RangeError(`pcpHigh ${high} must be a non-negative integer`);
    }
    this.frames = frames;
    this.cores = cores;
    this.pcpBatch = batch;
    this.pcpHigh = high;
    this.costs = resolveBuddyCosts(options.costs);

    // List heads: free_area[0..MAX_ORDER], then PCP_LISTS per core. Lines: one per order, one
    // per core's pcp.
    const heads = MAX_ORDER + 1 + cores * PCP_LISTS;
    const headLines = new Int32Array(heads);
    for (let i = 0; i < heads; i++) {
      headLines[i] =
        i <= MAX_ORDER ? i : MAX_ORDER + 1 + Math.floor((i - MAX_ORDER - 1) / PCP_LISTS);
    }
    this.meter = new BuddyMeter(machine, frames, headLines, MAX_ORDER + 1 + cores);
    this.map = new MemMap(frames, heads, this.meter);
    this.zone = new Zone(
      this.map,
      this.meter,
      this.costs,
      this.counts,
      machine,
      cores,
      0,
      tuned.statThreshold,
    );
    this.pcp = new PerCpuPages(
      this.map,
      this.zone,
      this.meter,
      this.costs,
      this.counts,
      cores,
      MAX_ORDER + 1,
      batch,
      high,
    );
    this.meter.uncharged(() => this.zone.init(frames));
    this.free = frames;
  }

  get(core: number, order: number): FrameResult {
    if (!isCoreIndex(core, this.cores) || !isOrderIn(order, this.maxOrder))
      return AllocError.Argument;
    const machine = this.meter.machine;
    const handle = machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      this.meter.beginOperation();
      this.counts.gets++;
      this.meter.charge(this.costs.allocCycles);
      this.meter.read(this.meter.statLine); // zone_watermark_fast(): NR_FREE_PAGES
      let frame = this.rmqueue(core, order);
      if (frame < 0) frame = this.slowPath(core, order);
      if (frame >= 0) {
        this.meter.writeNode(frame); // prep_new_page(): refcount, private
        this.map.state[frame] = Kind.Used | order;
        this.free -= 1 << order;
      }
      return frame >= 0 ? frame : AllocError.Memory;
    } finally {
      handle?.unbind(outer);
    }
  }

  put(core: number, frame: number, order: number): Status {
    if (!isCoreIndex(core, this.cores) || !isOrderIn(order, this.maxOrder))
      return AllocError.Argument;
    const size = 1 << order;
    if (!this.isBlock(frame, size) || this.map.state[frame] !== (Kind.Used | order)) {
      return AllocError.Address;
    }
    const machine = this.meter.machine;
    const handle = machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      const meter = this.meter;
      meter.beginOperation();
      this.counts.puts++;
      meter.charge(this.costs.freeCycles + this.costs.tailFreeCycles * (size - 1));
      meter.writeNode(frame); // free_pages_prepare(): flags, mapping of the head page
      meter.readPageblock(frame); // get_pfnblock_migratetype()
      this.free += size;
      if (PINDEX[order] >= 0) {
        this.pcp.free(core, frame, order);
      } else {
        this.map.state[frame] = Kind.None;
        this.zone.freeOne(core, frame, order);
      }
      return Ok;
    } finally {
      handle?.unbind(outer);
    }
  }

  /** drain_local_pages(): returns `core`'s pcp pages to the buddy lists. Bad cores: no-op. */
  drain(core: number): void {
    if (!isCoreIndex(core, this.cores)) return;
    const machine = this.meter.machine;
    const handle = machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      this.meter.beginOperation();
      this.pcp.drain(core, core);
    } finally {
      handle?.unbind(outer);
    }
  }

  /**
   * Allocates the block at `frame` if it lies inside one free block (buddy or pcp), splitting
   * the rest back to the buddy lists; Memory if any part is allocated or it spans several free
   * blocks. For boot-time reservations; charged like any other buddy-list operation.
   */
  getAt(core: number, frame: number, order: number): FrameResult {
    if (!isCoreIndex(core, this.cores) || !isOrderIn(order, this.maxOrder))
      return AllocError.Argument;
    const size = 2 ** order;
    if (!isFrameBlock(frame, order, this.frames)) return AllocError.Address;
    const head = this.map.blockHead(frame, MAX_ORDER);
    const s = this.map.state[head];
    const kind = s & KIND_MASK;
    let blockOrder = s & ORDER_MASK;
    if (kind === Kind.Used || blockOrder < order) return AllocError.Memory;
    const machine = this.meter.machine;
    const handle = machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      this.meter.beginOperation();
      this.zone.lockZone(core);
      if (kind === Kind.Buddy) {
        this.zone.delFree(head, blockOrder);
        this.zone.modFreePages(core, -(2 ** blockOrder));
      } else {
        this.pcp.count[this.pcpOwner(head)] -= 2 ** blockOrder;
        this.map.remove(head);
        this.map.state[head] = Kind.None;
      }
      let start = head;
      while (blockOrder > order) {
        blockOrder--;
        const half = 2 ** blockOrder;
        const rest = frame < start + half ? start + half : start;
        if (rest === start) start += half;
        this.zone.addFree(rest, blockOrder, false);
        this.zone.modFreePages(core, half);
      }
      this.zone.unlockZone(core);
      this.map.state[frame] = Kind.Used | order;
      this.free -= size;
      return frame;
    } finally {
      handle?.unbind(outer);
    }
  }

  freeFrames(): number {
    return this.free;
  }

  totalFrames(): number {
    return this.frames;
  }

  isFree(frame: number, order: number): boolean {
    if (!isOrderIn(order, this.maxOrder)) return false;
    if (!isFrameBlock(frame, order, this.frames)) return false;
    const end = frame + 2 ** order;
    for (let at = frame; at < end; ) {
      const head = this.map.blockHead(at, MAX_ORDER);
      if (head < 0) return false;
      const s = this.map.state[head];
      if ((s & KIND_MASK) === Kind.Used) return false;
      at = head + 2 ** (s & ORDER_MASK);
    }
    return true;
  }

  /** Linux's cost: one 64 B struct page per frame plus each CPU's per_cpu_pages. */
  metadataBytes(): number {
    return this.frames * STRUCT_PAGE_BYTES + this.cores * PER_CPU_PAGES_BYTES;
  }

  /** Event counts since construction or the last resetStats(). */
  stats(): Readonly<BuddyStats> {
    return { ...this.counts };
  }

  resetStats(): void {
    Object.assign(this.counts, emptyStats());
  }

  /** The simulated zone->lock (null natively), e.g. for its wait statistics. */
  get zoneLock(): QueuedSpinlock | null {
    return this.zone.zoneLock;
  }

  /** Pages on each free list, and on each core's pcp lists. */
  freeLists(): { buddy: number[]; pcp: number[] } {
    return {
      buddy: Array.from(this.zone.nrFree, (blocks, order) => blocks * 2 ** order),
      pcp: Array.from(this.pcp.count),
    };
  }

  /** Consistency problems of the whole state (empty when consistent). O(frames). */
  check(): string[] {
    return checkBuddy(this.map, this.zone, this.pcp, this.cores, this.free);
  }

  /** A copy of the whole state (tests compare snapshots taken around a failed call). */
  snapshot(): BuddySnapshot {
    return {
      state: this.map.state.slice(),
      next: this.map.next.slice(),
      prev: this.map.prev.slice(),
      nrFree: this.zone.nrFree.slice(),
      pcpCount: this.pcp.count.slice(),
      pcpFreeFactor: this.pcp.freeFactor.slice(),
      freeFrames: this.free,
    };
  }

  /** The struct-page line ids the simulator has allocated so far (lazily, 512 at a time). */
  structPageLines(): number {
    return this.meter.structPageLines();
  }

  /**
   * isFrameBlock(frame, order, frames) of @unimem/core for a checked order (size = 1 << order):
   * the same answer without its `2 ** order` and `%`, which V8 compiles to calls of pow and fmod
   * (this is on every put). `frame + size <= frames` keeps frame below 2^31, so the mask is exact.
   */
  private isBlock(frame: number, size: number): boolean {
    return (
      Number.isInteger(frame) &&
      frame >= 0 &&
      frame + size <= this.frames &&
      (frame & (size - 1)) === 0
    );
  }

  /** rmqueue(): the pcp list for pcp orders, the buddy lists for the others or as a fallback. */
  private rmqueue(core: number, order: number): number {
    if (PINDEX[order] >= 0) {
      const frame = this.pcp.alloc(core, order);
      if (frame >= 0) return frame;
    }
    return this.zone.rmqueueBuddy(core, order);
  }

  /** __alloc_pages_slowpath()'s drain_all_pages() and one retry. */
  private slowPath(core: number, order: number): number {
    this.counts.slowPaths++;
    let drained = 0;
    for (let other = 0; other < this.cores; other++) {
      this.meter.readNode(this.pcp.listHead(other, 0)); // pcp->count
      if (this.pcp.count[other] > 0) drained += this.pcp.drain(core, other);
    }
    return drained > 0 ? this.rmqueue(core, order) : -1;
  }

  /** The core whose pcp list holds `frame` (walks the list to its head). */
  private pcpOwner(frame: number): number {
    let node = frame;
    while (node < this.frames) node = this.map.next[node];
    return Math.floor((node - this.frames - (MAX_ORDER + 1)) / PCP_LISTS);
  }
}
