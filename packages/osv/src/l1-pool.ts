// The per-core L1 page pools of OSv (core/mempool.cc, page_pool::l1): each CPU has an array of up
// to `max` page pointers used as a stack (push on free, pop on alloc) under preempt_lock only, so
// an L1 hit touches no shared line — except one: every push and pop also stores the new count in
// `l1_pool_stats[cpu_id]._nr`, a std::vector of 32-byte pool_stats, so cores 2k and 2k+1 write the
// same line (false sharing in upstream OSv, modelled as is). Invariant: nr[core] pages of core's
// array, at indices 0..nr-1, are pooled; the rest of the array is garbage.
//
// Lines: struct l1 is {nr, cpu_id, _fill_thread, _pages[max]} (24 bytes before the array), one
// object per CPU; the stats vector is a separate array; the vector's own header (its data
// pointer) is one read-mostly line.

import type { CacheLines, Machine } from '@unimem/hw';

const PAGES_OFFSET = 24;
const STATS_BYTES = 32;

export class L1Pools {
  /** Page frames, `max` slots per core. */
  private readonly pages: Int32Array;
  /** Pages pooled per core. */
  readonly nr: Int32Array;
  private readonly lines: CacheLines | null;
  private readonly objectLines: number;
  private readonly linesPerCore: number;
  private readonly statsLines: number;
  private readonly vectorLine: number;

  constructor(
    readonly cores: number,
    readonly max: number,
    machine: Machine | undefined,
  ) {
    this.pages = new Int32Array(cores * max);
    this.nr = new Int32Array(cores);
    this.lines = machine?.lines ?? null;
    this.linesPerCore = Math.ceil((PAGES_OFFSET + 8 * max) / 64);
    const lines = this.lines;
    this.objectLines = lines ? lines.allocLines(cores * this.linesPerCore, 'osv.l1') : 0;
    this.statsLines = lines
      ? lines.allocLines(Math.ceil((cores * STATS_BYTES) / 64), 'osv.l1_pool_stats')
      : 0;
    this.vectorLine = lines ? lines.allocLines(1, 'osv.l1_pool_stats.vector') : 0;
  }

  /** Reads the core's count (the watermark checks of alloc_page_local / free_page_local). */
  count(core: number): number {
    this.touch(this.objectLines + core * this.linesPerCore, false);
    return this.nr[core];
  }

  /** pop(): the most recently pushed page. The caller checked nr > 0. */
  pop(core: number): number {
    const n = this.nr[core] - 1;
    this.nr[core] = n;
    this.stats(core);
    this.touch(this.objectLines + core * this.linesPerCore, true);
    this.touch(this.slotLine(core, n), false);
    return this.pages[core * this.max + n];
  }

  /** push(page). The caller checked nr < max. */
  push(core: number, frame: number): void {
    const n = this.nr[core];
    this.pages[core * this.max + n] = frame;
    this.touch(this.slotLine(core, n), true);
    this.nr[core] = n + 1;
    this.touch(this.objectLines + core * this.linesPerCore, true);
    this.stats(core);
  }

  /** top(): the page on top, without popping it (l1::unfill stores the batch in it). */
  top(core: number): number {
    const n = this.nr[core] - 1;
    this.touch(this.slotLine(core, n), false);
    return this.pages[core * this.max + n];
  }

  /** Pages pooled over all cores. */
  total(): number {
    let n = 0;
    for (const count of this.nr) n += count;
    return n;
  }

  /** Bytes OSv uses: one struct l1 per CPU plus its pool_stats entry. */
  bytes(): number {
    return this.cores * (PAGES_OFFSET + 8 * this.max + STATS_BYTES);
  }

  /** The page at slot `index` of `core` (for checks). */
  at(core: number, index: number): number {
    return this.pages[core * this.max + index];
  }

  /** `l1_pool_stats[cpu_id]._nr = nr`: the vector's data pointer, then the entry's line. */
  private stats(core: number): void {
    this.touch(this.vectorLine, false);
    this.touch(this.statsLines + ((core * STATS_BYTES) >>> 6), true);
  }

  private slotLine(core: number, index: number): number {
    return this.objectLines + core * this.linesPerCore + ((PAGES_OFFSET + 8 * index) >>> 6);
  }

  private touch(line: number, write: boolean): void {
    const lines = this.lines;
    if (lines === null) return;
    if (write) lines.write(line);
    else lines.read(line);
  }
}
