// The cache-line model. A line is a resource with an owner (the core that last held it
// exclusively), the last other core that read it since, a version bumped by every write, and a
// busy-until time. Each core has a private cache (direct-mapped, privateCacheLines slots) that
// remembers which line and which version it holds, so that a write by one core invalidates every
// other core's copy without visiting them.
//
// Costs (the only place line costs are decided):
// - hit (slot holds this line at its current version): l1Hit; a write or RMW additionally needs
//   exclusive ownership, otherwise it pays the transfer/invalidation below.
// - never touched by anyone, or this core's own line fallen out of its private cache (capacity
//   conflict): the shared memory's miss path (memory.ts): l3Hit if the CCD's finite L3 still
//   holds it, else dram, drawing one line of the socket's DRAM bandwidth.
// - held by another core: lineSameCcd or lineCrossCcd by topology distance, and the access waits
//   for the line's busy-until time (an exclusive access in flight): accesses to one line from
//   several cores serialise, one transfer at a time.
// - RMW: plus atomicRmw, on a hit or a miss. An RMW that takes the line from another core costs
//   the transfer alone: the profiles' transfer figures are core-to-core CAS-bounce latencies,
//   which include the locked operation (docs/locks.md, Validation).
// Nothing here depends on the number of cores; contention comes from owners and busy times.
//
// Placement in simulated time: each line's exclusive accesses are placed on its timeline so that
// two never overlap, whatever the step lengths (line-timelines.ts).
// Every access is made by a core: the `...By(core, line)` methods name it (a CoreHandle's accesses
// use them); `read`/`write`/`rmw` (the LineTracer interface) and `writePlaced`/`rmwPlaced` charge
// the machine's bound core (core-handle.ts).
// A component that orders the accesses to its own line in simulated time itself (the simulated
// locks, whose line is touched at both ends of long critical sections) uses writePlaced/rmwPlaced:
// same costs, ownership and counters, but no placement on the line's timeline.

import type { LineTracer } from './api.js';
import { type LineRegion, LineRegionCounts } from './line-regions.js';
import {
  CHUNK_MASK,
  CHUNK_SHIFT,
  FIRST_CHUNK,
  LINE_CHUNK,
  LineTimelines,
} from './line-timelines.js';
import type { Machine } from './machine.js';
import { Distance } from './topology.js';

const NONE = -1;
const EMPTY_TAG = 0xffffffff;

// Storage, in two arrays per chunk of 2^19 lines, allocated as lines are (the first chunk starts
// small and doubles):
// - `words` (the state), 8 bytes per line: a 32-bit word with owner + 1 (low 16 bits) and sharer + 1 (high
//   16 bits; 0: none, so a fresh chunk needs no initialisation), then the version (32 bits);
// - the times (line-timelines.ts), 32 bytes per line: busyFrom, busyUntil and floor as doubles.
// Why it is laid out for the host: a frame benchmark's machine holds millions of lines, and its
// accesses land on random records far outside the host's caches, so the host's memory latency
// (and its TLB misses) is most of the model's time (packages/hw/docs/speed.md). Every access
// needs the state; only an exclusive access placed on the line's timeline and a read transfer
// outside an exclusive hold need the times. Most accesses of the components that keep their
// lines under a lock (page ranges, buddy, jemalloc: exclusive holds) touch 8 bytes, and
// neighbouring lines (a frame's first and last line, the next frame's) often share a host line.
// Large chunks let the allocator map them whole, on huge pages where the process allows it
// (glibc's tunables, packages/hw/docs/speed.md). Where the allocator differs this costs speed
// only, never results.
// Uint32 slots of a line's state (index (line & CHUNK_MASK) << STATE_SHIFT).
const STATE_SHIFT = 1; // 2 words per line
const WHO = 0;
const VERSION = 1;
/** Owner and sharer are 16-bit fields holding core + 1. */
const MAX_CORES = 0xffff;

/** Sees one exclusive access placed on a line's timeline: [start, end) in cycles of `core`. */
export type ExclusiveObserver = (line: number, core: number, start: number, end: number) => void;

export class CacheLines implements LineTracer {
  /** Lines allocated so far (ids 0..allocated-1). */
  allocated = 0;
  /** Lines the chunks can hold (see `reserve`). */
  private capacity = 0;
  readonly regions: LineRegion[] = [];
  /**
   * Line state by chunk (see Storage): owner and the last other reader (sharer) packed into one
   * word, version (bumped by every write, wrapping at 2^32).
   */
  private readonly words: Uint32Array[] = [];
  /** Where each line's exclusive accesses go in simulated time. */
  private readonly timelines = new LineTimelines();
  /** Exclusive lock holds each core is inside (see `enterExclusive`). */
  private readonly exclusiveHolds: Int32Array;
  /** Test/debug hook: sees every exclusive access placed on a line's timeline. */
  private observer: ExclusiveObserver | null = null;
  /** Diagnostic: misses, transfers and waits by region (see `countByRegion`); null: off. */
  private regionCounts: LineRegionCounts | null = null;
  /**
   * Per-core private cache: line tag and version of each slot, side by side at
   * 2 × (core * slots + line & mask).
   */
  private readonly tags: Uint32Array;
  private readonly slotShift: number;
  private readonly slotMask: number;
  private readonly clocks: Float64Array;
  private readonly ccdOf: Int32Array;
  private readonly hitCost: number;
  private readonly rmwCost: number;
  private readonly transferCost: Float64Array;
  // The line counters' per-core values (Counters.valuesOf: the hot path adds to them directly).
  private readonly accesses: Float64Array;
  private readonly misses: Float64Array;
  private readonly transfers: Float64Array;
  private readonly waits: Float64Array;

  constructor(private readonly machine: Machine) {
    const { costs, cores, counters, topology } = machine;
    if (cores > MAX_CORES) {
      throw new RangeError(
        `cores ${cores} exceed the line model's ${MAX_CORES} (16-bit owner ids)`,
      );
    }
    const slots = 2 ** Math.floor(Math.log2(machine.profile.privateCacheLines.value));
    this.slotShift = Math.log2(slots);
    this.slotMask = slots - 1;
    // No slot holds a line yet: tag 2^32 - 1 is no line id (ids stay below it).
    this.tags = new Uint32Array(2 * cores * slots).fill(EMPTY_TAG);
    this.exclusiveHolds = new Int32Array(cores);
    this.clocks = machine.clocks;
    this.ccdOf = new Int32Array(cores);
    for (let core = 0; core < cores; core++) this.ccdOf[core] = topology.ccd(core);
    this.hitCost = costs.l1Hit;
    this.rmwCost = costs.atomicRmw;
    this.transferCost = new Float64Array([costs.l1Hit, costs.lineSameCcd, costs.lineCrossCcd]);
    this.accesses = counters.valuesOf(counters.define('lineAccesses'));
    this.misses = counters.valuesOf(counters.define('lineMisses'));
    this.transfers = counters.valuesOf(counters.define('lineTransfers'));
    this.waits = counters.valuesOf(counters.define('lineWaitCycles'));
  }

  allocLines(count: number, label = 'lines'): number {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`allocLines count ${count} must be a non-negative integer`);
    }
    const first = this.allocated;
    this.allocated += count;
    if (this.capacity < this.allocated) this.reserve(this.allocated);
    this.regions.push({ label, first, count });
    return first;
  }

  /** A load by the bound core (machine.current): the LineTracer interface. */
  read(line: number): void {
    this.readBy(this.machine.current, line);
  }

  /** A plain store by the bound core. */
  write(line: number): void {
    this.exclusive(this.machine.current, line, 0, true);
  }

  /** A locked read-modify-write by the bound core. */
  rmw(line: number): void {
    this.exclusive(this.machine.current, line, this.rmwCost, true);
  }

  /** A load by `core` (a CoreHandle's `read`). */
  readBy(core: number, line: number): void {
    const slot = ((core << this.slotShift) | (line & this.slotMask)) << 1;
    this.accesses[core]++;
    const tags = this.tags;
    if (tags[slot] === line) {
      const words = this.words[line >>> CHUNK_SHIFT];
      if (tags[slot + 1] === words[((line & CHUNK_MASK) << STATE_SHIFT) + VERSION]) {
        this.clocks[core] += this.hitCost;
        return;
      }
    }
    this.checkLine(line);
    const words = this.words[line >>> CHUNK_SHIFT];
    const record = (line & CHUNK_MASK) << STATE_SHIFT;
    this.misses[core]++;
    const who = words[record + WHO];
    const owner = (who & 0xffff) - 1;
    // For countByRegion only: the transfer's wait, -1 without a transfer.
    let waited = -1;
    if (owner === NONE) {
      words[record + WHO] = (who & 0xffff0000) | (core + 1);
      this.clocks[core] += this.machine.memory.missCycles(core, line);
    } else if (owner === core) {
      this.clocks[core] += this.machine.memory.missCycles(core, line);
    } else {
      waited = this.transfer(core, owner, line);
      words[record + WHO] = (who & 0xffff) | ((core + 1) << 16);
    }
    if (this.regionCounts !== null) {
      this.regionCounts.add(core, line, true, waited >= 0, Math.max(waited, 0));
    }
    tags[slot] = line;
    tags[slot + 1] = words[record + VERSION];
  }

  /** A plain store by `core`, placed on the line's timeline. */
  writeBy(core: number, line: number): void {
    this.exclusive(core, line, 0, true);
  }

  /** A locked read-modify-write by `core`, placed on the line's timeline. */
  rmwBy(core: number, line: number): void {
    this.exclusive(core, line, this.rmwCost, true);
  }

  /**
   * A store by the bound core whose place in simulated time the caller has decided (see the
   * header): costs and ownership as `write`, but it neither waits for nor sets the line's
   * busy-until.
   */
  writePlaced(line: number): void {
    this.exclusive(this.machine.current, line, 0, false);
  }

  /** A locked RMW by the bound core placed by the caller: costs and ownership as `rmw`. */
  rmwPlaced(line: number): void {
    this.exclusive(this.machine.current, line, this.rmwCost, false);
  }

  /** `writePlaced` by `core`. */
  writePlacedBy(core: number, line: number): void {
    this.exclusive(core, line, 0, false);
  }

  /** `rmwPlaced` by `core`. */
  rmwPlacedBy(core: number, line: number): void {
    this.exclusive(core, line, this.rmwCost, false);
  }

  /** Distance-based transfer cost between two cores (for components that model a handoff). */
  transferCycles(from: number, to: number): number {
    return this.transferCost[this.distance(from, to)];
  }

  /** Core that last held `line` exclusively, or -1. */
  ownerOf(line: number): number {
    if (!(line >= 0 && line < this.allocated)) return NONE;
    return (
      (this.words[line >>> CHUNK_SHIFT][((line & CHUNK_MASK) << STATE_SHIFT) + WHO] & 0xffff) - 1
    );
  }

  /**
   * `core` is inside an exclusive lock hold (a mutex, a spinlock, a write hold) until the matching
   * `leaveExclusive`. The lock serialises its holders on its own timeline, where it places each
   * hold when its length is known (locks/exclusive.ts); the lines a holder touches are therefore
   * not placed on their own timelines meanwhile (costs, ownership and counters stay): placing
   * them as well would serialise the same critical sections a second time, at the times the
   * holds ran before the lock moved them. Lines a critical section shares with code outside the
   * lock are the approximation (their accesses inside the hold are not seen by that code's
   * placement); read holds do not count, since readers overlap.
   */
  enterExclusive(core: number): void {
    this.exclusiveHolds[core]++;
  }

  /** Ends the exclusive hold begun by `enterExclusive`. */
  leaveExclusive(core: number): void {
    if (this.exclusiveHolds[core] > 0) this.exclusiveHolds[core]--;
  }

  /**
   * Counts `cycles` of line wait of `core` on `line` that its caller placed and charged itself
   * (an OSv PlacedLine, whose RMWs keep their own timeline): the line wait of the machine
   * (`lineWaitCycles`) and, while counting by region, of the line's region.
   */
  countWait(core: number, line: number, cycles: number): void {
    this.waits[core] += cycles;
    if (this.regionCounts !== null) this.regionCounts.add(core, line, false, false, cycles);
  }

  /**
   * Counts every miss, transfer and line wait also by the region of the line (its `allocLines`
   * label) in the machine's counters (line-regions.ts), or stops counting (false). A diagnostic:
   * costs one check per access while off, a region lookup per miss while on; costs and the
   * totals are the same either way.
   */
  countByRegion(on: boolean): void {
    this.regionCounts = on ? new LineRegionCounts(this.machine.counters, this.regions) : null;
  }

  /**
   * Calls `observer(line, core, start, end)` for every exclusive access placed on a line's
   * timeline from now on (null stops it). For tests and debugging; costs one check per access.
   */
  observe(observer: ExclusiveObserver | null): void {
    this.observer = observer;
  }

  /**
   * An exclusive access by `core`; `queue`: place it on the line's timeline (false for accesses
   * the caller places).
   */
  private exclusive(core: number, line: number, extra: number, queue: boolean): void {
    const slot = ((core << this.slotShift) | (line & this.slotMask)) << 1;
    const clocks = this.clocks;
    this.accesses[core]++;
    this.checkLine(line);
    const tags = this.tags;
    const words = this.words[line >>> CHUNK_SHIFT];
    const record = (line & CHUNK_MASK) << STATE_SHIFT;
    const who = words[record + WHO];
    let cost: number;
    // For countByRegion only: 0 hit, 1 miss, 2 miss with a transfer.
    let event = 0;
    // The owner first: a line another core holds needs no look at this core's cache (one host
    // cache miss fewer on a large machine's random accesses).
    if (who === core + 1 && tags[slot] === line && tags[slot + 1] === words[record + VERSION]) {
      cost = this.hitCost + extra; // exclusive hit: owner is this core, no sharer
    } else {
      const owner = (who & 0xffff) - 1;
      const sharer = (who >>> 16) - 1;
      this.misses[core]++;
      event = 1;
      if (owner === NONE && sharer === NONE) {
        cost = this.machine.memory.missCycles(core, line) + extra;
      } else if (owner !== core && owner !== NONE) {
        // The transfer figure is a CAS bounce: the locked operation is in it (header).
        cost = this.transferCost[this.distance(owner, core)];
        this.transfers[core]++;
        event = 2;
      } else if (sharer !== NONE && sharer !== core) {
        cost = this.transferCost[this.distance(sharer, core)];
        this.transfers[core]++;
        event = 2;
      } else {
        cost = this.machine.memory.missCycles(core, line) + extra;
      }
    }
    const now = clocks[core];
    const placed = queue && this.exclusiveHolds[core] === 0;
    const start = placed ? this.timelines.place(line, now, cost) : now;
    if (start > now) this.waits[core] += start - now;
    if (this.regionCounts !== null) {
      this.regionCounts.add(core, line, event !== 0, event === 2, start - now);
    }
    clocks[core] = start + cost;
    if (placed && this.observer !== null) this.observer(line, core, start, start + cost);
    words[record + WHO] = core + 1; // sharer: none
    const version = (words[record + VERSION] + 1) >>> 0;
    words[record + VERSION] = version;
    tags[slot] = line;
    tags[slot + 1] = version;
  }

  /**
   * A read's transfer from `from`. A read that lands inside the line's busy window waits for the
   * window to end (the line is held exclusively until then); reads never occupy the line.
   * Returns the cycles it waited.
   */
  private transfer(core: number, from: number, line: number): number {
    const now = this.clocks[core];
    // Inside an exclusive hold the window does not apply (see enterExclusive): the times are not
    // read at all then.
    const start = this.exclusiveHolds[core] === 0 ? this.timelines.readFrom(line, now) : now;
    if (start > now) this.waits[core] += start - now;
    this.transfers[core]++;
    this.clocks[core] = start + this.transferCost[this.distance(from, core)];
    return start - now;
  }

  private distance(a: number, b: number): number {
    if (a === b) return Distance.SameCore;
    return this.ccdOf[a] === this.ccdOf[b] ? Distance.SameCcd : Distance.CrossCcd;
  }

  private checkLine(line: number): void {
    if (!(line >= 0 && line < this.allocated)) {
      throw new RangeError(
        `line ${line} was never allocated (allocLines); ${this.allocated} exist`,
      );
    }
  }

  /**
   * Makes room for `lines` lines. The first chunk starts small (FIRST_CHUNK lines) and doubles,
   * copying, until it is full-size, so a small machine keeps small storage; after that each
   * growth adds a full chunk (all zero: no owner, no sharer, no busy window) and copies nothing.
   */
  private reserve(lines: number): void {
    while (this.capacity < lines) {
      if (this.capacity < LINE_CHUNK) {
        let size = Math.max(FIRST_CHUNK, 2 * this.capacity);
        while (size < lines && size < LINE_CHUNK) size *= 2;
        const words = new Uint32Array(size << STATE_SHIFT);
        if (this.capacity > 0) words.set(this.words[0]);
        this.words[0] = words;
        this.timelines.growFirst(size);
        this.capacity = size;
      } else {
        this.words.push(new Uint32Array(LINE_CHUNK << STATE_SHIFT));
        this.timelines.addChunk();
        this.capacity += LINE_CHUNK;
      }
    }
  }
}
