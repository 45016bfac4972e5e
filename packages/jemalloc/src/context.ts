// What every part of one Jemalloc instance shares: the size classes, the extent table and map,
// the OS interface, the line tracer and the charging of per-operation costs, the lock factory,
// the clock, and the settings resolved from the options. Invariant: the machine's current core
// is the calling core for the whole of a public operation (jemalloc.ts sets it), so line
// accesses and `steps` charge the caller.
//
// Stores and RMWs on jemalloc's lines are `placed` (CacheLines.writePlaced/rmwPlaced): they pay
// transfers and move ownership like any store but do not queue on the line's busy-until, which
// follows scheduler-step order. Almost every line here is touched under a mutex whose holds the
// MallocMutex orders in simulated time; queuing on busy-until as well would make a hold placed in a
// gap before a later-processed hold wait for that hold's lines, stretch, and push every following
// hold back — a feedback that grows waits without bound (the same reasoning as
// @unimem/osv's range-lines.ts). Loads then never wait either.

import type { Lock } from '@unimem/core';
import {
  type CacheLines,
  freeLock,
  type LineTracer,
  type Machine,
  MallocMutex,
  nullTracer,
} from '@unimem/hw';
import type { JemallocOptions } from './api.js';
import type { Base } from './base.js';
import type { JemallocCosts } from './costs.js';
import type { ExtentMap } from './emap.js';
import type { ExtentTable } from './extent.js';
import type { Pages } from './pages.js';
import { LARGE_MINCLASS, type SizeClasses } from './size-classes.js';

export interface Settings {
  dirtyDecayMs: number;
  muzzyDecayMs: number;
  oversizeThreshold: number;
  decayTicks: number;
  tcache: boolean;
  tcacheMax: number;
}

export interface Context {
  readonly classes: SizeClasses;
  readonly table: ExtentTable;
  readonly emap: ExtentMap;
  /** Base 0: global metadata (the extent map's leaves). */
  readonly base0: Base;
  readonly pages: Pages;
  readonly tracer: LineTracer;
  readonly costs: JemallocCosts;
  readonly settings: Settings;
  /** Charges `count` L1-hit steps of work to the current core (no-op without a machine). */
  steps(count: number): void;
  /** Makes one of jemalloc's mutexes. */
  lock(name: string): Lock;
  /** Seconds on `core`'s clock. */
  clock(core: number): number;
  /** Deterministic uniform [0, 1). */
  random(): number;
}

/** Lock factory, step charging and clock for an optional machine. */
export function machineHooks(
  machine: Machine | undefined,
  mutex: ((name: string) => Lock) | undefined,
  clock: ((core: number) => number) | undefined,
) {
  const locks: Lock[] = [];
  const l1Hit = machine?.costs.l1Hit ?? 0;
  return {
    locks,
    tracer: machine === undefined ? nullTracer : placedTracer(machine.lines),
    steps:
      machine === undefined
        ? (_count: number) => {}
        : (count: number) => machine.charge(count * l1Hit),
    lock: (name: string): Lock => {
      const made = mutex?.(name) ?? (machine ? new MallocMutex(machine, name) : freeLock(name));
      locks.push(made);
      return made;
    },
    clock: clock ?? (machine ? (core: number) => machine.seconds(machine.now(core)) : () => 0),
  };
}

/** A LineTracer whose stores and RMWs are placed by the caller's locks (see the header). */
function placedTracer(lines: CacheLines): LineTracer {
  return {
    allocLines: (count, label) => lines.allocLines(count, label),
    read: (line) => lines.read(line),
    write: (line) => lines.writePlaced(line),
    rmw: (line) => lines.rmwPlaced(line),
  };
}

const TCACHE_MAXCLASS_LIMIT = 8 * 1024 * 1024;

/** The settings of `options`; throws a RangeError naming a bad value. */
export function resolveSettings(options: JemallocOptions, cores: number): Settings {
  if (!Number.isInteger(cores) || cores < 1) {
    throw new RangeError(`memory.cores ${cores} must be a positive integer`);
  }
  const decayMs = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < -1) {
      throw new RangeError(`${name} ${value} must be an integer >= -1 (-1: never purge)`);
    }
    return value;
  };
  const oversizeThreshold = options.oversizeThreshold ?? 8 * 1024 * 1024;
  if (
    !Number.isSafeInteger(oversizeThreshold) ||
    (oversizeThreshold !== 0 && oversizeThreshold < LARGE_MINCLASS)
  ) {
    throw new RangeError(
      `oversizeThreshold ${oversizeThreshold} must be 0 (no huge arena) or >= ${LARGE_MINCLASS}`,
    );
  }
  const tcacheMax = options.tcacheMax ?? 32 * 1024;
  if (!Number.isSafeInteger(tcacheMax) || tcacheMax < 8 || tcacheMax > TCACHE_MAXCLASS_LIMIT) {
    throw new RangeError(
      `tcacheMax ${tcacheMax} must be an integer in 8..${TCACHE_MAXCLASS_LIMIT}`,
    );
  }
  const decayTicks = options.decayTicks ?? 1000;
  if (!Number.isInteger(decayTicks) || decayTicks < 1) {
    throw new RangeError(`decayTicks ${decayTicks} must be a positive integer`);
  }
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new RangeError(`seed ${seed} must be an integer`);
  return {
    dirtyDecayMs: decayMs('dirtyDecayMs', options.dirtyDecayMs ?? 10_000),
    muzzyDecayMs: decayMs('muzzyDecayMs', options.muzzyDecayMs ?? 0),
    oversizeThreshold,
    decayTicks,
    tcache: options.tcache ?? false,
    tcacheMax,
  };
}
