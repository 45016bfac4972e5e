// The cache-line model. A line is a resource with an owner (the core that last held it
// exclusively), the last other core that read it since, a version bumped by every write, and a
// busy-until time. Each core has a private cache (direct-mapped, privateCacheLines slots) that
// remembers which line and which version it holds, so that a write by one core invalidates every
// other core's copy without visiting them.
//
// Costs (the only place line costs are decided):
// - hit (slot holds this line at its current version): l1Hit; a write or RMW additionally needs
//   exclusive ownership, otherwise it pays the transfer/invalidation below.
// - never touched by anyone: dram.
// - held by another core: lineSameCcd or lineCrossCcd by topology distance, and the access waits
//   for the line's busy-until time (an exclusive access in flight): accesses to one line from
//   several cores serialise, one transfer at a time.
// - this core's own line fallen out of its private cache (capacity conflict): l3Hit.
// - RMW: plus atomicRmw.
// Nothing here depends on the number of cores; contention comes from owners and busy times.
//
// The busy window is one interval per line: the last exclusive access in scheduler-step order.
// An access that ends before that window starts (its core reached the line earlier in simulated
// time than the operation processed before it) goes first without waiting and leaves the window
// as it is; otherwise it queues behind the window. So a long operation that touches a line late
// (a fault that zeroes a 2 MiB page, then writes a page-table entry) does not make cores whose
// accesses come earlier in simulated time wait for it.
// A component that orders the accesses to its own line in simulated time itself (the simulated
// locks, whose line is touched at both ends of long critical sections) uses writePlaced/rmwPlaced:
// same costs, ownership and counters, but no wait for busy-until and no update of it.

import type { LineTracer } from './api.js';
import type { Machine } from './machine.js';
import { Distance } from './topology.js';

const NONE = -1;

export interface LineRegion {
  label: string;
  first: number;
  count: number;
}

export class CacheLines implements LineTracer {
  /** Lines allocated so far (ids 0..allocated-1). */
  allocated = 0;
  readonly regions: LineRegion[] = [];
  private owner: Int32Array;
  private sharer: Int32Array;
  private version: Uint32Array;
  private busyUntil: Float64Array;
  /** Start of the access busyUntil ends. */
  private busyFrom: Float64Array;
  /** The access being charged was placed before the line's recorded window (queueStart). */
  private before = false;
  /** Per-core private cache: line tag and version per slot (core * slots + line & mask). */
  private readonly tags: Int32Array;
  private readonly tagVersions: Uint32Array;
  private readonly slotShift: number;
  private readonly slotMask: number;
  private readonly clocks: Float64Array;
  private readonly ccdOf: Int32Array;
  private readonly hitCost: number;
  private readonly l3Cost: number;
  private readonly dramCost: number;
  private readonly rmwCost: number;
  private readonly transferCost: Float64Array;
  private readonly cAccess: number;
  private readonly cMiss: number;
  private readonly cTransfer: number;
  private readonly cWait: number;

  constructor(private readonly machine: Machine) {
    const { costs, cores, counters, topology } = machine;
    const slots = 2 ** Math.floor(Math.log2(machine.profile.privateCacheLines.value));
    this.slotShift = Math.log2(slots);
    this.slotMask = slots - 1;
    this.tags = new Int32Array(cores * slots).fill(NONE);
    this.tagVersions = new Uint32Array(cores * slots);
    this.owner = new Int32Array(0);
    this.sharer = new Int32Array(0);
    this.version = new Uint32Array(0);
    this.busyUntil = new Float64Array(0);
    this.busyFrom = new Float64Array(0);
    this.clocks = machine.clocks;
    this.ccdOf = new Int32Array(cores);
    for (let core = 0; core < cores; core++) this.ccdOf[core] = topology.ccd(core);
    this.hitCost = costs.l1Hit;
    this.l3Cost = costs.l3Hit;
    this.dramCost = costs.dram;
    this.rmwCost = costs.atomicRmw;
    this.transferCost = new Float64Array([costs.l1Hit, costs.lineSameCcd, costs.lineCrossCcd]);
    this.cAccess = counters.define('lineAccesses');
    this.cMiss = counters.define('lineMisses');
    this.cTransfer = counters.define('lineTransfers');
    this.cWait = counters.define('lineWaitCycles');
  }

  allocLines(count: number, label = 'lines'): number {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`allocLines count ${count} must be a non-negative integer`);
    }
    const first = this.allocated;
    this.allocated += count;
    if (this.allocated > this.owner.length) this.grow(this.allocated);
    this.regions.push({ label, first, count });
    return first;
  }

  read(line: number): void {
    const core = this.machine.current;
    const slot = (core << this.slotShift) | (line & this.slotMask);
    const counters = this.machine.counters;
    counters.add(core, this.cAccess);
    if (this.tags[slot] === line && this.tagVersions[slot] === this.version[line]) {
      this.clocks[core] += this.hitCost;
      return;
    }
    this.checkLine(line);
    counters.add(core, this.cMiss);
    const owner = this.owner[line];
    if (owner === NONE) {
      this.owner[line] = core;
      this.clocks[core] += this.dramCost;
    } else if (owner === core) {
      this.clocks[core] += this.l3Cost;
    } else {
      this.transfer(core, owner, line, 0, true);
      this.sharer[line] = core;
    }
    this.tags[slot] = line;
    this.tagVersions[slot] = this.version[line];
  }

  write(line: number): void {
    this.exclusive(line, 0, true);
  }

  rmw(line: number): void {
    this.exclusive(line, this.rmwCost, true);
  }

  /**
   * A store whose place in simulated time the caller has decided (see the header): costs and
   * ownership as `write`, but it neither waits for nor sets the line's busy-until.
   */
  writePlaced(line: number): void {
    this.exclusive(line, 0, false);
  }

  /** A locked RMW placed by the caller: costs and ownership as `rmw`, no busy-until. */
  rmwPlaced(line: number): void {
    this.exclusive(line, this.rmwCost, false);
  }

  /** Distance-based transfer cost between two cores (for components that model a handoff). */
  transferCycles(from: number, to: number): number {
    return this.transferCost[this.distance(from, to)];
  }

  /** Core that last held `line` exclusively, or -1. */
  ownerOf(line: number): number {
    return this.owner[line];
  }

  /** `queue`: wait for and set busy-until (false for accesses the caller places in time). */
  private exclusive(line: number, extra: number, queue: boolean): void {
    const core = this.machine.current;
    const slot = (core << this.slotShift) | (line & this.slotMask);
    const counters = this.machine.counters;
    const clocks = this.clocks;
    counters.add(core, this.cAccess);
    const owner = this.owner[line];
    const sharer = this.sharer[line];
    const cached = this.tags[slot] === line && this.tagVersions[slot] === this.version[line];
    if (cached && owner === core && sharer === NONE) {
      // Exclusive hit; a locked RMW still occupies the line until it completes.
      if (queue) {
        const cost = this.hitCost + extra;
        const start = this.queueStart(core, line, cost);
        if (start > clocks[core]) counters.add(core, this.cWait, start - clocks[core]);
        clocks[core] = start + cost;
        if (extra > 0) this.occupy(line, start, clocks[core]);
      } else {
        clocks[core] += this.hitCost + extra;
      }
    } else {
      this.checkLine(line);
      counters.add(core, this.cMiss);
      let start = clocks[core];
      this.before = false;
      if (owner === NONE && sharer === NONE) {
        clocks[core] += this.dramCost + extra;
      } else if (owner !== core && owner !== NONE) {
        start = this.transfer(core, owner, line, extra, queue);
      } else if (sharer !== NONE && sharer !== core) {
        start = this.transfer(core, sharer, line, extra, queue);
      } else {
        clocks[core] += this.l3Cost + extra;
      }
      if (queue) this.occupy(line, start, clocks[core]);
    }
    this.owner[line] = core;
    this.sharer[line] = NONE;
    const version = (this.version[line] + 1) >>> 0;
    this.version[line] = version;
    this.tags[slot] = line;
    this.tagVersions[slot] = version;
  }

  /**
   * Waits for an in-flight exclusive access (if `queue`), then pays the transfer from `from`.
   * Returns the start of the access.
   */
  private transfer(
    core: number,
    from: number,
    line: number,
    extra: number,
    queue: boolean,
  ): number {
    const clocks = this.clocks;
    const cost = this.transferCost[this.distance(from, core)] + extra;
    this.before = false;
    const start = queue ? this.queueStart(core, line, cost) : clocks[core];
    if (start > clocks[core]) this.machine.counters.add(core, this.cWait, start - clocks[core]);
    this.machine.counters.add(core, this.cTransfer);
    clocks[core] = start + cost;
    return start;
  }

  /**
   * When an access of `cost` cycles by `core` can start: now if the line is idle, or if the
   * access ends before the last recorded exclusive access begins (that access belongs to an
   * operation processed earlier that reached the line later in simulated time: this one comes
   * first, and `before` is set so it does not overwrite that window); otherwise at the end of
   * the recorded access (queueing behind it).
   */
  private queueStart(core: number, line: number, cost: number): number {
    const now = this.clocks[core];
    const until = this.busyUntil[line];
    if (until <= now) return now;
    if (now + cost <= this.busyFrom[line]) {
      this.before = true;
      return now;
    }
    return until;
  }

  /**
   * Records [start, end) as the line's latest exclusive access, unless it was placed before. An
   * access queued right behind the window (or overlapping it) extends the window, so that a
   * chain of queued accesses stays one busy stretch no later access can slip into.
   */
  private occupy(line: number, start: number, end: number): void {
    if (this.before) {
      this.before = false;
      return;
    }
    if (start > this.busyUntil[line]) this.busyFrom[line] = start;
    this.busyUntil[line] = end;
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

  private grow(needed: number): void {
    const capacity = Math.max(needed, this.owner.length * 2, 1024);
    const owner = new Int32Array(capacity).fill(NONE);
    owner.set(this.owner);
    const sharer = new Int32Array(capacity).fill(NONE);
    sharer.set(this.sharer);
    const version = new Uint32Array(capacity);
    version.set(this.version);
    const busyUntil = new Float64Array(capacity);
    busyUntil.set(this.busyUntil);
    const busyFrom = new Float64Array(capacity);
    busyFrom.set(this.busyFrom);
    this.owner = owner;
    this.sharer = sharer;
    this.version = version;
    this.busyUntil = busyUntil;
    this.busyFrom = busyFrom;
  }
}
