// The machine's shared memory resources: the socket's DRAM bandwidth (dram.ts) and a finite L3
// per CCD (l3.ts), drawn on by page zeroing, struct-page initialisation and line misses. Costs
// that the code charges per operation (zeroPage, zeroHugePage, dram) stay the calibrated
// single-core figures; what is new is that they are placed on the shared DRAM channel, so a core
// waits when the other cores have used up the bandwidth of the moment.
//
// Invariant: every byte charged through `stream`/`transfer`/`missCycles` is placed on the one
// DRAM channel, so the machine's aggregate DRAM throughput never exceeds the profile's
// `dramBandwidthMBps`; a core alone pays exactly the cycles it would pay without the channel.

import { DramChannel, type DramOptions } from './dram.js';
import { L3Caches, LINE_BYTES } from './l3.js';
import type { Machine } from './machine.js';

export class SharedMemory {
  /** The socket's DRAM channel (both built-in profiles model one socket, NPS1). */
  readonly dram: DramChannel;
  /** One L3 per CCD. */
  readonly l3: L3Caches;
  /** A core's own streaming rate in bytes per cycle (profile `coreStreamMBps`). */
  readonly coreBytesPerCycle: number;
  private readonly clocks: Float64Array;
  private readonly dramCycles: number;
  private readonly l3HitCycles: number;
  private readonly cBytes: number;
  private readonly cWait: number;
  // The L3 counters' per-core values (Counters.valuesOf: the miss path adds to them directly).
  private readonly l3Hits: Float64Array;
  private readonly l3Misses: Float64Array;
  /** CCD of each core (the L3 a miss looks in). */
  private readonly ccdOf: Int32Array;

  constructor(
    private readonly machine: Machine,
    options: DramOptions = {},
  ) {
    const { profile } = machine;
    const hz = profile.frequencyGhz.value * 1e9;
    this.dram = new DramChannel((profile.dramBandwidthMBps.value * 1e6) / hz, options);
    this.coreBytesPerCycle = (profile.coreStreamMBps.value * 1e6) / hz;
    const ccds = machine.topology.ccd(machine.cores - 1) + 1;
    this.l3 = new L3Caches(ccds, profile.l3BytesPerCcd.value);
    this.clocks = machine.clocks;
    this.dramCycles = machine.costs.dram;
    this.l3HitCycles = machine.costs.l3Hit;
    const { counters } = machine;
    this.cBytes = counters.define('dramBytes');
    this.cWait = counters.define('dramWaitCycles');
    this.l3Hits = counters.valuesOf(counters.define('l3Hits'));
    this.l3Misses = counters.valuesOf(counters.define('l3Misses'));
    this.ccdOf = Int32Array.from({ length: machine.cores }, (_, core) =>
      machine.topology.ccd(core),
    );
  }

  /**
   * Charges `core` for moving `bytes` through DRAM (zeroing, copying, initialising metadata)
   * from its clock on: `ownCycles` (default: bytes at the core's own streaming rate) plus any
   * wait for bandwidth the other cores hold. Returns the cycles charged.
   */
  stream(core: number, bytes: number, ownCycles = bytes / this.coreBytesPerCycle): number {
    const cycles = this.transfer(core, bytes, ownCycles);
    this.clocks[core] += cycles;
    return cycles;
  }

  /**
   * The cycles a transfer of `bytes` by `core` starting at its clock takes (≥ ownCycles), with
   * the bytes placed on the DRAM channel, but without charging the core: for callers that
   * charge the cycles themselves.
   */
  transfer(core: number, bytes: number, ownCycles: number): number {
    const start = this.clocks[core];
    const cycles = this.dram.place(start, bytes, ownCycles) - start;
    const counters = this.machine.counters;
    counters.add(core, this.cBytes, bytes);
    if (cycles > ownCycles) counters.add(core, this.cWait, cycles - ownCycles);
    return cycles;
  }

  /**
   * The miss path below the private cache, for the line model: the cycles `core` pays to fetch
   * `line` from its CCD's L3 (`l3Hit`) or, when the L3 does not hold it (then it is inserted),
   * from DRAM (`dram` latency, drawing one line of bandwidth and waiting if the channel is
   * full). Not charged: the caller adds the result to the core's clock.
   */
  missCycles(core: number, line: number): number {
    if (this.l3.lookup(this.ccdOf[core], line)) {
      this.l3Hits[core]++;
      return this.l3HitCycles;
    }
    this.l3Misses[core]++;
    return this.transfer(core, LINE_BYTES, this.dramCycles);
  }
}
