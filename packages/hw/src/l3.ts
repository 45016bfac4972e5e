// A finite L3 per cache domain (CCD): a set-associative tag array of the profile's L3 size that
// says whether a line is still in the CCD's L3 or must come from DRAM. `lookup(ccd, line)` is
// the whole interface: a hit returns true; a miss inserts the line (evicting the oldest line of
// its set, FIFO) and returns false. Lines are the model's line ids (`allocLines`), mapped to a
// set by id modulo the number of sets, as consecutive physical lines map to consecutive sets
// (ids must be integers in 0..2^31-2: tags are Int32 holding id + 1, 0 for an empty way).
//
// Invariant: a CCD never holds more than `sets × ways` distinct lines, so a working set larger
// than the L3 misses to DRAM however it is accessed, and each CCD's L3 is separate (a line one
// CCD brought in is a miss for another). Tag arrays are allocated in pages of 256 sets on first
// touch, so a machine pays memory only for the sets its runs use. Not modelled: LRU (Zen's L3 replacement is
// not documented; FIFO within a set is used), the L3 as a victim cache of L2 (a line is inserted
// on every miss, not on L2 eviction), inclusion, and invalidations by other CCDs' writes (the
// line model charges those as transfers).
//
// A set keeps its tags in insertion order, newest first: a miss shifts them down one way and
// writes the new tag at way 0, so the oldest (the FIFO victim) falls off the end. Why not a ring
// with a pointer per set: the pointer lived in another host cache line than the tags, and a
// lookup on a large machine misses the host's caches, so a set that is one run of `ways` tags
// costs one host miss fewer (the same lines are held and evicted: test/l3.test.ts).

/** Bytes per cache line. */
export const LINE_BYTES = 64;

export interface L3Options {
  /** Associativity (default 16, Zen 4's L3). */
  ways?: number;
}

/** Sets per lazily allocated page of a tag array. */
const PAGE_SETS = 256;

export class L3Caches {
  readonly sets: number;
  readonly ways: number;
  /** Lines one CCD's L3 holds. */
  readonly linesPerCcd: number;
  private readonly pagesPerCcd: number;
  /**
   * Tag pages by ccd × pagesPerCcd + page: PAGE_SETS × ways tags (line id + 1, 0 = empty), each
   * set newest first. Allocated on first touch, so a machine pays memory only for the sets its
   * runs use.
   */
  private readonly pages: (Int32Array | undefined)[];

  constructor(
    readonly ccds: number,
    bytesPerCcd: number,
    options: L3Options = {},
  ) {
    if (!(Number.isInteger(ccds) && ccds > 0)) {
      throw new RangeError(`L3 ccds ${ccds} must be a positive integer`);
    }
    const ways = options.ways ?? 16;
    if (!(Number.isInteger(ways) && ways > 0 && ways <= 255)) {
      throw new RangeError(`L3 ways ${ways} must be an integer in 1..255`);
    }
    const lines = Math.floor(bytesPerCcd / LINE_BYTES);
    if (!(Number.isFinite(bytesPerCcd) && lines >= ways)) {
      throw new RangeError(`L3 size ${bytesPerCcd} bytes must hold at least ${ways} lines`);
    }
    this.ways = ways;
    this.sets = Math.floor(lines / ways);
    this.linesPerCcd = this.sets * ways;
    this.pagesPerCcd = Math.ceil(this.sets / PAGE_SETS);
    this.pages = new Array(ccds * this.pagesPerCcd).fill(undefined);
  }

  /** True if `line` is in the L3 of `ccd`; on a miss the line is inserted and false returned. */
  lookup(ccd: number, line: number): boolean {
    const set = line % this.sets;
    const index = ccd * this.pagesPerCcd + Math.floor(set / PAGE_SETS);
    let page = this.pages[index];
    if (page === undefined) page = this.allocate(ccd, index);
    const ways = this.ways;
    const local = set % PAGE_SETS;
    const base = local * ways;
    const tag = line + 1;
    for (let way = 0; way < ways; way++) if (page[base + way] === tag) return true;
    for (let way = base + ways - 1; way > base; way--) page[way] = page[way - 1];
    page[base] = tag;
    return false;
  }

  /** True if `line` is in the L3 of `ccd`, without inserting it. */
  holds(ccd: number, line: number): boolean {
    const set = line % this.sets;
    const page = this.pages[ccd * this.pagesPerCcd + Math.floor(set / PAGE_SETS)];
    if (page === undefined) return false;
    const base = (set % PAGE_SETS) * this.ways;
    for (let way = 0; way < this.ways; way++) if (page[base + way] === line + 1) return true;
    return false;
  }

  private allocate(ccd: number, index: number): Int32Array {
    if (!(Number.isInteger(ccd) && ccd >= 0 && ccd < this.ccds)) {
      throw new RangeError(`L3 ccd ${ccd} is out of range 0..${this.ccds - 1}`);
    }
    const page = new Int32Array(PAGE_SETS * this.ways);
    this.pages[index] = page;
    return page;
  }
}
