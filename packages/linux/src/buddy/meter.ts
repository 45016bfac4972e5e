// What the buddy allocator charges the simulated machine: the cache lines Linux's page allocator
// touches, and the calibrated instruction costs between them. Natively (no machine) every method
// returns at once, so the same allocator code runs in both modes.
//
// Lines (one per 64 B, as in the kernel):
// - struct page: one line per frame (sizeof(struct page) = 64). Line ids are allocated lazily for
//   each aligned run of 512 struct pages (one 32 KiB piece of mem_map) on its first touch, so a
//   60 GiB allocator costs the line model only for the frames a run actually uses (CacheLines
//   keeps ~20 B per line; 15.7 M eager lines would be ~300 MB).
// - list heads: one line per buddy order (free_area[order]: list head + nr_free) and one per
//   core (struct per_cpu_pages: lock, count, list heads; private to its core).
// - zone: the NR_FREE_PAGES counter lines (zone and global) and the pageblock-flags lines
//   (4 bits per 2 MiB pageblock, 128 pageblocks per line). zone->lock is a SimSpinlock with
//   its own line (zone.ts).
// Node ids: 0..frames-1 are frames (struct pages), frames.. are list heads; see mem-map.ts.
//
// A line touched again within one operation (a get, put or drain) is an L1 hit that out-of-order
// execution overlaps with the surrounding instructions, so it belongs to the instruction costs:
// the meter remembers the last RECENT lines of the operation and charges a repeated read, or a
// repeated write after a write, nothing. A write after a read is charged (it must upgrade the
// line), and so is every locked RMW. Across operations every touch is charged.

import type { CacheLines, Machine } from '@unimem/hw';

/** Struct pages per lazily allocated line chunk (log2). */
const CHUNK_SHIFT = 9;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;
/** Frames whose pageblock flags share one line: 128 pageblocks of 512 frames. */
const PAGEBLOCK_LINE_SHIFT = 16;
const NONE = -1;
/** Lines remembered per operation (a few L1 lines' worth of reuse). */
const RECENT = 8;
const READ = 0;
const WRITE = 1;

export class BuddyMeter {
  readonly machine: Machine | null;
  /** The machine's lines while charging; null natively and inside `uncharged`. */
  private lines: CacheLines | null;
  private readonly frames: number;
  /** First line id of each chunk of struct pages, NONE until touched. */
  private readonly chunkLine: Int32Array;
  /** Line of each list head (node id - frames). */
  private readonly headLine: Int32Array;
  private readonly pageblockLine: number;
  /** NR_FREE_PAGES counter lines: the zone's (read by every watermark check), the global one. */
  readonly statLine: number;
  readonly globalStatLine: number;
  /**
   * The lines this operation touched, oldest first, in slots 0..recentCount-1 (a ring once all
   * RECENT are in use: recentNext is the oldest, the one a new line replaces).
   */
  private readonly recentLine = new Int32Array(RECENT).fill(NONE);
  private readonly recentMode = new Uint8Array(RECENT);
  private recentCount = 0;
  private recentNext = 0;

  /**
   * `headLines[i]` is the index (into the lines this constructor allocates, 0..headLineCount-1)
   * of list head i; heads sharing an index share a line.
   */
  constructor(
    machine: Machine | null,
    frames: number,
    headLines: Int32Array,
    headLineCount: number,
  ) {
    this.machine = machine;
    this.lines = machine?.lines ?? null;
    this.frames = frames;
    this.chunkLine = new Int32Array(machine ? Math.ceil(frames / (CHUNK_MASK + 1)) : 0).fill(NONE);
    this.headLine = new Int32Array(headLines.length);
    if (this.lines === null) {
      this.pageblockLine = NONE;
      this.statLine = NONE;
      this.globalStatLine = NONE;
      return;
    }
    const first = this.lines.allocLines(headLineCount, 'buddy list heads');
    for (let i = 0; i < headLines.length; i++) this.headLine[i] = first + headLines[i];
    this.statLine = this.lines.allocLines(1, 'zone vm_stat');
    this.globalStatLine = this.lines.allocLines(1, 'vm_zone_stat');
    const pageblockLines = Math.ceil(frames / (1 << PAGEBLOCK_LINE_SHIFT));
    this.pageblockLine = this.lines.allocLines(pageblockLines, 'pageblock flags');
  }

  /** Runs `body` without charging anything (boot-time setup, which Linux does before any run). */
  uncharged(body: () => void): void {
    const lines = this.lines;
    this.lines = null;
    try {
      body();
    } finally {
      this.lines = lines;
    }
  }

  /** Line of a node: the struct page of a frame, or a list head's line. */
  private lineOf(node: number): number {
    if (node >= this.frames) return this.headLine[node - this.frames];
    const chunk = node >>> CHUNK_SHIFT;
    let first = this.chunkLine[chunk];
    if (first === NONE) {
      first = this.lines!.allocLines(CHUNK_MASK + 1, 'struct page');
      this.chunkLine[chunk] = first;
    }
    return first + (node & CHUNK_MASK);
  }

  /** Starts an operation: forgets the lines the previous one touched. */
  beginOperation(): void {
    this.recentCount = 0;
    this.recentNext = 0;
  }

  readNode(node: number): void {
    if (this.lines !== null) this.touch(this.lineOf(node), READ);
  }

  writeNode(node: number): void {
    if (this.lines !== null) this.touch(this.lineOf(node), WRITE);
  }

  /** The lock of a core's per_cpu_pages (spin_trylock: a locked RMW on its line). */
  rmwNode(node: number): void {
    if (this.lines !== null) this.rmwLine(this.lineOf(node));
  }

  /** get_pfnblock_migratetype(): reads the pageblock flags of the frame's pageblock. */
  readPageblock(frame: number): void {
    if (this.lines !== null)
      this.touch(this.pageblockLine + (frame >>> PAGEBLOCK_LINE_SHIFT), READ);
  }

  /** Charges a read or write unless this operation already touched the line that way. */
  private touch(line: number, mode: number): void {
    const recent = this.recentLine;
    const count = this.recentCount;
    let slot = -1;
    for (let i = 0; i < count; i++) {
      if (recent[i] === line) {
        if (mode === READ || this.recentMode[i] === WRITE) return;
        slot = i;
        break;
      }
    }
    if (slot < 0) slot = this.remember(line);
    this.recentMode[slot] = mode;
    if (mode === READ) this.lines!.read(line);
    else this.lines!.write(line);
  }

  /**
   * Puts `line` in the next slot: a free one while fewer than RECENT are in use, else the oldest
   * (first in, first out). Only the slots in use are ever searched, so an operation that touched
   * few lines compares against few, and a new operation starts with none (no clearing).
   */
  private remember(line: number): number {
    const slot = this.recentNext;
    this.recentNext = slot + 1 === RECENT ? 0 : slot + 1;
    if (this.recentCount < RECENT) this.recentCount++;
    this.recentLine[slot] = line;
    return slot;
  }

  read(line: number): void {
    if (this.lines !== null) this.touch(line, READ);
  }

  /**
   * A locked RMW on a line whose accesses the zone lock orders in simulated time (the vmstat
   * fold): costs as rmw, but it does not become a busy-until other cores' reads would queue
   * behind. A core whose step ran far ahead in simulated time (it waited for the lock) would
   * otherwise make cores still behind it wait for an access that had not happened yet.
   */
  rmwLocked(line: number): void {
    if (this.lines !== null) this.lines.rmwPlaced(line);
  }

  /** A locked RMW is always charged; afterwards the line counts as written this operation. */
  private rmwLine(line: number): void {
    this.lines!.rmw(line);
    const recent = this.recentLine;
    const count = this.recentCount;
    for (let i = 0; i < count; i++) {
      if (recent[i] === line) {
        this.recentMode[i] = WRITE;
        return;
      }
    }
    this.recentMode[this.remember(line)] = WRITE;
  }

  /** Instruction cycles of the current core (a cost-table entry). */
  charge(cycles: number): void {
    if (this.lines !== null) this.machine!.clocks[this.machine!.current] += cycles;
  }

  /** Struct-page line ids allocated so far (for tests of the lazy scheme). */
  structPageLines(): number {
    let count = 0;
    for (const first of this.chunkLine) if (first !== NONE) count += CHUNK_MASK + 1;
    return count;
  }
}
