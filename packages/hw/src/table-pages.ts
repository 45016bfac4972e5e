// Storage of page-table pages. Each is an order-0 frame taken from a FrameAllocator (so table
// pages count in the footprint) holding 512 entries in a Float64Array and, in the simulator, 64
// cache lines (8 entries each), recycled when the page is freed so line ids stay bounded.
// Invariant: `used` is the number of present entries of a page. Every entry access goes through
// here and is charged to the machine's current core as the hardware sees it: plain reads and
// stores, a locked RMW to install a child table (OSv allocate_intermediate_level's CAS) or to set
// Accessed/Dirty, zeroPage for a fresh page. Without a machine nothing is charged.

import { type FrameAllocator, Ok } from '@unimem/core';
import type { Machine } from './machine.js';
import { FLAG_SPAN, PteFlag } from './pte.js';

export const ENTRIES = 512;
/** 512 entries × 8 bytes in 64-byte lines. */
const LINES_PER_TABLE = 64;
/** Flags of an entry pointing to a table: permissive, as x86 kernels do; leaves decide. */
const TABLE_FLAGS = PteFlag.Present | PteFlag.Writable | PteFlag.User;

export interface TablePage {
  frame: number;
  entries: Float64Array;
  /** Child tables by index; null until the page has one. */
  children: Array<TablePage | undefined> | null;
  /** Present entries. */
  used: number;
  /** First of LINES_PER_TABLE line ids, or -1 without a machine. */
  line: number;
}

/** An empty page standing in for the PML4 of a destroyed table. */
export const DETACHED: TablePage = {
  frame: -1,
  entries: new Float64Array(ENTRIES),
  children: null,
  used: 0,
  line: -1,
};

export class TablePages {
  /** Pages held. */
  count = 0;
  private readonly freeLineBlocks: number[] = [];

  constructor(
    private readonly machine: Machine | null,
    readonly frames: FrameAllocator,
    private readonly label: string,
  ) {}

  /** Takes `n` frames into `out`, or none when the allocator runs out (returns false). */
  take(core: number, n: number, out: number[]): boolean {
    for (let i = 0; i < n; i++) {
      const frame = this.frames.get(core, 0);
      if (frame < 0) {
        for (let j = 0; j < i; j++) this.put(core, out[j]);
        return false;
      }
      out[i] = frame;
    }
    return true;
  }

  /** A zeroed page on `frame` (taken with `take`). */
  create(frame: number): TablePage {
    let line = -1;
    if (this.machine !== null) {
      line =
        this.freeLineBlocks.pop() ?? this.machine.lines.allocLines(LINES_PER_TABLE, this.label);
      // Zeroing the page draws on the socket's DRAM bandwidth (memory.ts).
      this.machine.memory.stream(this.machine.current, 4096, this.machine.costs.zeroPage);
    }
    this.count++;
    return { frame, entries: new Float64Array(ENTRIES), children: null, used: 0, line };
  }

  /** Reads an entry's line; costs at least `minCycles` (a hardware walk's pageWalkRef). */
  read(table: TablePage, index: number, minCycles: number): void {
    const machine = this.machine;
    if (machine === null) return;
    const clocks = machine.clocks;
    const core = machine.current;
    const before = clocks[core];
    machine.lines.read(table.line + (index >> 3));
    const spent = clocks[core] - before;
    if (spent < minCycles) clocks[core] += minCycles - spent;
  }

  /** Installs `child` under `parent` with a CAS on the parent entry. */
  link(parent: TablePage, index: number, child: TablePage): void {
    parent.entries[index] = child.frame * FLAG_SPAN + TABLE_FLAGS;
    parent.children ??= new Array<TablePage | undefined>(ENTRIES);
    parent.children[index] = child;
    parent.used++;
    if (this.machine !== null) this.machine.lines.rmw(parent.line + (index >> 3));
  }

  /** Stores a leaf into an empty entry. */
  fill(table: TablePage, index: number, entry: number): void {
    table.entries[index] = entry;
    table.used++;
    if (this.machine !== null) this.machine.lines.write(table.line + (index >> 3));
  }

  /** Replaces a present entry: a plain store, or a locked RMW (`atomic`, as for A/D bits). */
  update(table: TablePage, index: number, entry: number, atomic: boolean): void {
    table.entries[index] = entry;
    if (this.machine === null) return;
    const line = table.line + (index >> 3);
    if (atomic) this.machine.lines.rmw(line);
    else this.machine.lines.write(line);
  }

  /** Clears a present entry (leaf or link). */
  clear(table: TablePage, index: number): void {
    table.entries[index] = 0;
    table.used--;
    if (table.children !== null) table.children[index] = undefined;
    if (this.machine !== null) this.machine.lines.write(table.line + (index >> 3));
  }

  /** Gives the page's frame back and recycles its lines. */
  free(core: number, table: TablePage): void {
    this.put(core, table.frame);
    this.count--;
    if (table.line >= 0) this.freeLineBlocks.push(table.line);
  }

  /** Frees a page and every page below it. */
  freeTree(core: number, table: TablePage): void {
    for (const child of table.children ?? []) {
      if (child !== undefined) this.freeTree(core, child);
    }
    this.free(core, table);
  }

  private put(core: number, frame: number): void {
    const status = this.frames.put(core, frame, 0);
    if (status !== Ok) {
      throw new Error(`page table: put of table frame ${frame} failed (${status})`);
    }
  }
}
