// x86-64 four-level page tables (PML4 → PDPT → PD → PT, 512 entries each, 48-bit virtual
// addresses, 4 KiB / 2 MiB / 1 GiB leaves) whose table pages are order-0 frames taken from a
// FrameAllocator, so that they count in the footprint. Invariants: every table page except the
// PML4 holds at least one present entry (a table whose last entry goes away is freed at once);
// a present entry is either a leaf (any entry of a PT, or one with the Huge bit in a PD/PDPT) or
// points to a child table; a map that fails leaves the tables exactly as they were.
// Modelled on OSv core/mmu.cc (intermediate levels installed by CAS,
// allocate_intermediate_level) and the Intel SDM vol. 3 §4.5 entry layout.
//
// Costs, with a machine (none when it is null): every level a hardware walk visits reads the
// cache line holding the entry through machine.lines and costs max(pageWalkRef, that line's
// cost): a hot walk costs pageWalkRef per level, a cold one DRAM, and one whose entry another
// core just wrote a line transfer. Setting Accessed/Dirty is a locked RMW on the leaf's line.
// Kernel updates read each level's line, install a new table with a CAS (rmw) after zeroing it
// (zeroPage), and write leaves with plain stores (table-pages.ts). Operations charge the core
// they are given: its handle is bound for their duration (table pages and the frame allocator
// charge the bound core), restored in a finally (core-handle.ts).

import { Errno, type FrameAllocator, Ok, type Status } from '@unimem/core';
import type { CoreHandle } from './core-handle.js';
import type { Machine } from './machine.js';
import {
  FLAG_MASK,
  FLAG_SPAN,
  FRAME_LIMIT,
  frameInPage,
  type Mapping,
  NO_TRANSLATION,
  PageSize,
  PteFlag,
  pteFlags,
  pteFrame,
  type Translation,
  VA_LIMIT,
} from './pte.js';
import { DETACHED, ENTRIES, type TablePage, TablePages } from './table-pages.js';

const INDEX_MASK = 511;
const ROOT_LEVEL = 3;
/** Bytes one entry covers at each level (PT, PD, PDPT, PML4). */
const SPAN = [PageSize.Size4K, PageSize.Size2M, PageSize.Size1G, 2 ** 39];
/** Bits `protect` keeps; every other bit comes from its argument. */
const KEEP_ON_PROTECT = PteFlag.Present | PteFlag.Huge | PteFlag.Accessed | PteFlag.Dirty;

export interface PageTableOptions {
  /** Core that allocates the PML4 (default 0). */
  core?: number;
  /** Label of the cache-line regions of table pages (default 'page-table'). */
  label?: string;
}

function levelOf(size: number): number {
  if (size === PageSize.Size4K) return 0;
  if (size === PageSize.Size2M) return 1;
  if (size === PageSize.Size1G) return 2;
  return -1;
}

function isLeaf(entry: number, level: number): boolean {
  return level === 0 || (entry & PteFlag.Huge) !== 0;
}

export class PageTable {
  /** Size of the leaf the last successful `walk` found (for the TLB fill). */
  walkSize: PageSize = PageSize.Size4K;
  private root: TablePage;
  private mapped = 0;
  private readonly pages: TablePages;
  /** Whether entry reads are charged (a machine is present). */
  private readonly charged: boolean;
  /** Tables and indexes of the last descent, by level. */
  private readonly pathTable: TablePage[];
  private readonly pathIndex = new Int32Array(ROOT_LEVEL + 1);
  private readonly newFrames = [0, 0, 0];
  private readonly walkRef: number;
  private readonly cWalks: number;
  private readonly cWalkCycles: number;

  constructor(
    private readonly machine: Machine | null,
    readonly frames: FrameAllocator,
    options: PageTableOptions = {},
  ) {
    const core = options.core ?? 0;
    this.pages = new TablePages(machine, frames, options.label ?? 'page-table');
    this.charged = machine !== null;
    const handle = machine?.core(core);
    const outer = handle?.bind() ?? 0;
    let taken: boolean;
    try {
      taken = this.pages.take(core, 1, this.newFrames);
      this.root = taken ? this.pages.create(this.newFrames[0]) : DETACHED;
    } finally {
      handle?.unbind(outer);
    }
    if (!taken) throw new RangeError(`frame allocator ${frames.name} has no frame for the PML4`);
    this.pathTable = [this.root, this.root, this.root, this.root];
    this.walkRef = machine?.costs.pageWalkRef ?? 0;
    this.cWalks = machine?.counters.define('pageWalks') ?? -1;
    this.cWalkCycles = machine?.counters.define('pageWalkCycles') ?? -1;
  }

  /**
   * Maps `size` bytes at `va` to the frames starting at `frame`. `flags` are the permission and
   * software bits; Present (and Huge for 2 MiB / 1 GiB) are set here. Returns Ok, Errno.EINVAL
   * (bad size, misaligned or out-of-range va/frame, flags beyond 12 bits), Errno.EEXIST (overlaps
   * a mapping), Errno.ENOMEM (no frame for a table page).
   */
  map(core: number, va: number, frame: number, size: PageSize, flags: number): Status | Errno {
    this.checkLive();
    const level = levelOf(size);
    if (level < 0 || !this.validArguments(va, frame, size, size, flags)) return Errno.EINVAL;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      const table = this.ensureTable(core, va, level);
      if (typeof table === 'number') return table;
      const index = (va / size) & INDEX_MASK;
      if (table.entries[index] !== 0) return Errno.EEXIST;
      this.setLeaf(table, index, frame * FLAG_SPAN + this.leafFlags(flags, level), level);
      return Ok;
    } finally {
      handle?.unbind(outer);
    }
  }

  /**
   * Creates the tables on the path to a mapping of `size` at `va`, as `map` would, without
   * mapping anything: for a fault handler that takes its table pages before it clears the page
   * it maps, as Linux (`__handle_mm_fault`'s `p*d_alloc`) and OSv (its page-table walker's
   * intermediate levels) do. A later `map` of the same page finds them (its walk is charged
   * again: a few hits on lines the core just touched). Returns Ok, Errno.EINVAL (bad size,
   * misaligned or out-of-range va), Errno.EEXIST (a huge leaf above `size` covers va) or
   * Errno.ENOMEM (no frame for a table page; nothing is created then).
   */
  prepare(core: number, va: number, size: PageSize): Status | Errno {
    this.checkLive();
    const level = levelOf(size);
    if (level < 0 || !this.validArguments(va, 0, size, size, 0)) return Errno.EINVAL;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      const table = this.ensureTable(core, va, level);
      return typeof table === 'number' ? table : Ok;
    } finally {
      handle?.unbind(outer);
    }
  }

  /**
   * Maps [va, va + bytes) linearly to the frames from `frame` with pages of `pageSize` (boot's
   * linear map). Fills each table page in one pass. On any error nothing stays mapped.
   */
  mapRange(
    core: number,
    va: number,
    frame: number,
    bytes: number,
    pageSize: PageSize,
    flags: number,
  ): Status | Errno {
    this.checkLive();
    const level = levelOf(pageSize);
    if (level < 0 || !(bytes > 0 && bytes % pageSize === 0)) return Errno.EINVAL;
    if (!this.validArguments(va, frame, bytes, pageSize, flags)) return Errno.EINVAL;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      return this.fillRange(
        core,
        va,
        frame * FLAG_SPAN + this.leafFlags(flags, level),
        bytes,
        level,
      );
    } finally {
      handle?.unbind(outer);
    }
  }

  /** mapRange's work on the bound core: fills leaves from `first`, undoing them on an error. */
  private fillRange(core: number, va: number, first: number, bytes: number, level: number) {
    const pageSize = SPAN[level];
    let done = 0;
    let status: Status | Errno = Ok;
    while (done < bytes && status === Ok) {
      const table = this.ensureTable(core, va + done, level);
      if (typeof table === 'number') {
        status = table;
        break;
      }
      for (let index = ((va + done) / pageSize) & INDEX_MASK; index < ENTRIES; index++) {
        if (table.entries[index] !== 0) {
          status = Errno.EEXIST;
          break;
        }
        this.setLeaf(table, index, first + done, level);
        done += pageSize;
        if (done === bytes) break;
      }
    }
    if (status !== Ok) {
      for (let offset = 0; offset < done; offset += pageSize) this.unmapAt(core, va + offset);
    }
    return status;
  }

  /**
   * Removes the mapping containing `va` (the whole 2 MiB or 1 GiB page for a huge mapping) and
   * frees table pages that became empty. Returns the removed mapping, or undefined when `va` is
   * not mapped. The mapped frames themselves stay the caller's.
   */
  unmap(core: number, va: number): Mapping | undefined {
    if (!(va >= 0 && va < VA_LIMIT)) return undefined;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      return this.unmapAt(core, va);
    } finally {
      handle?.unbind(outer);
    }
  }

  /**
   * Replaces the permission and software bits of the mapping containing `va` (Present, Huge,
   * Accessed and Dirty stay). Returns Ok, Errno.EFAULT when unmapped, Errno.EINVAL for bad flags.
   * The caller invalidates TLBs.
   */
  protect(core: number, va: number, flags: number): Status | Errno {
    if (!(Number.isInteger(flags) && flags >= 0 && flags < FLAG_SPAN)) return Errno.EINVAL;
    if (!(va >= 0 && va < VA_LIMIT)) return Errno.EFAULT;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      const level = this.descend(va, this.charged, 0);
      if (level < 0) return Errno.EFAULT;
      const table = this.pathTable[level];
      const index = this.pathIndex[level];
      const entry = table.entries[index];
      const old = entry & FLAG_MASK;
      const next = (old & KEEP_ON_PROTECT) | (flags & ~KEEP_ON_PROTECT);
      this.pages.update(table, index, entry - old + next, false);
      return Ok;
    } finally {
      handle?.unbind(outer);
    }
  }

  /**
   * The hardware page walk of `core` for `va`: charges each level visited, sets Accessed (and
   * Dirty when `write` and the leaf is writable) and returns the translation word
   * (frame of the 4 KiB page containing `va` × 4096 + the leaf's flags), or NO_TRANSLATION.
   * `walkSize` then holds the leaf's page size. Permission checks are the caller's.
   */
  walk(core: number, va: number, write = false): number {
    if (!(va >= 0 && va < VA_LIMIT)) return NO_TRANSLATION;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      return this.walkAs(handle, va, write);
    } finally {
      handle?.unbind(outer);
    }
  }

  /** The walk on the bound core, whose handle is `handle` (undefined without a machine). */
  private walkAs(handle: CoreHandle | undefined, va: number, write: boolean): number {
    const start = handle?.now() ?? 0;
    const level = this.descend(va, this.charged, this.walkRef);
    let word = NO_TRANSLATION;
    if (level >= 0) {
      const table = this.pathTable[level];
      const index = this.pathIndex[level];
      let entry = table.entries[index];
      const flags = entry & FLAG_MASK;
      let set: number = PteFlag.Accessed;
      if (write && (flags & PteFlag.Writable) !== 0) set |= PteFlag.Dirty;
      if ((flags & set) !== set) {
        entry += set & ~flags;
        this.pages.update(table, index, entry, true);
      }
      const span = SPAN[level] as PageSize;
      this.walkSize = span;
      word = entry + frameInPage(va, span) * FLAG_SPAN;
    }
    if (handle !== undefined) {
      handle.count(this.cWalks);
      handle.count(this.cWalkCycles, handle.now() - start);
    }
    return word;
  }

  /** What `va` maps to, without charging anyone or touching Accessed/Dirty. */
  translate(va: number): Translation | undefined {
    if (!(va >= 0 && va < VA_LIMIT)) return undefined;
    const level = this.descend(va, false, 0);
    if (level < 0) return undefined;
    const entry = this.pathTable[level].entries[this.pathIndex[level]];
    const size = SPAN[level] as PageSize;
    return {
      frame: pteFrame(entry) + frameInPage(va, size),
      size,
      flags: pteFlags(entry),
    };
  }

  /** Every leaf mapping in address order (not charged). */
  *mappings(): Generator<Mapping> {
    yield* this.leavesOf(this.root, ROOT_LEVEL, 0);
  }

  /** Table pages held, the PML4 included. */
  tablePages(): number {
    return this.pages.count;
  }

  /** Bytes of table pages held. */
  tableBytes(): number {
    return this.pages.count * FLAG_SPAN;
  }

  /** Bytes mapped by leaves. */
  mappedBytes(): number {
    return this.mapped;
  }

  /**
   * Gives every table page, the PML4 included, back to the frame allocator. Mapped frames stay
   * the caller's (iterate `mappings()` first to free them). The table is unusable afterwards.
   */
  destroy(core = 0): void {
    if (this.root === DETACHED) return;
    const handle = this.machine?.core(core);
    const outer = handle?.bind() ?? 0;
    try {
      this.pages.freeTree(core, this.root);
    } finally {
      handle?.unbind(outer);
    }
    this.root = DETACHED;
    this.pathTable.fill(DETACHED);
    this.mapped = 0;
  }

  private validArguments(va: number, frame: number, bytes: number, align: number, flags: number) {
    return (
      Number.isInteger(va) &&
      va >= 0 &&
      va % align === 0 &&
      va + bytes <= VA_LIMIT &&
      Number.isInteger(frame) &&
      frame >= 0 &&
      (frame * FLAG_SPAN) % align === 0 &&
      frame + bytes / FLAG_SPAN <= FRAME_LIMIT &&
      Number.isInteger(flags) &&
      flags >= 0 &&
      flags < FLAG_SPAN
    );
  }

  private leafFlags(flags: number, level: number): number {
    return flags | PteFlag.Present | (level > 0 ? PteFlag.Huge : 0);
  }

  /**
   * Descends from the PML4 recording the path; returns the leaf's level or -1. With `charge`,
   * each entry read costs its line, and at least `minCycles`.
   */
  private descend(va: number, charge: boolean, minCycles: number): number {
    let table = this.root;
    for (let level = ROOT_LEVEL; ; level--) {
      const index = (va / SPAN[level]) & INDEX_MASK;
      this.pathTable[level] = table;
      this.pathIndex[level] = index;
      if (charge) this.pages.read(table, index, minCycles);
      const entry = table.entries[index];
      if (entry === 0) return -1;
      if (isLeaf(entry, level)) return level;
      table = table.children![index]!;
    }
  }

  /**
   * The table at `level` on the path to `va`, creating missing levels. All frames they need are
   * taken before anything is linked, so that Errno.ENOMEM leaves the tables unchanged;
   * Errno.EEXIST when a huge leaf above `level` covers `va`.
   */
  private ensureTable(core: number, va: number, level: number): TablePage | Errno {
    let table = this.root;
    let at = ROOT_LEVEL;
    for (; at > level; at--) {
      const index = (va / SPAN[at]) & INDEX_MASK;
      if (this.charged) this.pages.read(table, index, 0);
      const entry = table.entries[index];
      if (entry === 0) break;
      if (isLeaf(entry, at)) return Errno.EEXIST;
      table = table.children![index]!;
    }
    if (!this.pages.take(core, at - level, this.newFrames)) return Errno.ENOMEM;
    for (let i = 0; at > level; i++, at--) {
      const child = this.pages.create(this.newFrames[i]);
      this.pages.link(table, (va / SPAN[at]) & INDEX_MASK, child);
      table = child;
    }
    return table;
  }

  private setLeaf(table: TablePage, index: number, entry: number, level: number): void {
    this.pages.fill(table, index, entry);
    this.mapped += SPAN[level];
  }

  private unmapAt(core: number, va: number): Mapping | undefined {
    const level = this.descend(va, this.charged, 0);
    if (level < 0) return undefined;
    const table = this.pathTable[level];
    const index = this.pathIndex[level];
    const entry = table.entries[index];
    const size = SPAN[level] as PageSize;
    this.pages.clear(table, index);
    this.mapped -= size;
    for (let at = level; at < ROOT_LEVEL && this.pathTable[at].used === 0; at++) {
      this.pages.clear(this.pathTable[at + 1], this.pathIndex[at + 1]);
      this.pages.free(core, this.pathTable[at]);
    }
    return { va: va - (va % size), frame: pteFrame(entry), size, flags: pteFlags(entry) };
  }

  private *leavesOf(table: TablePage, level: number, base: number): Generator<Mapping> {
    const span = SPAN[level];
    for (let index = 0; index < ENTRIES; index++) {
      const entry = table.entries[index];
      if (entry === 0) continue;
      const va = base + index * span;
      if (isLeaf(entry, level)) {
        yield { va, frame: pteFrame(entry), size: span as PageSize, flags: pteFlags(entry) };
      } else {
        yield* this.leavesOf(table.children![index]!, level - 1, va);
      }
    }
  }

  private checkLive(): void {
    if (this.root === DETACHED) throw new Error('page table used after destroy()');
  }
}
