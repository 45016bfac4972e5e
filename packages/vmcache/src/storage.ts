// The modelled storage device: an NVMe SSD with a fixed latency per 4 KiB request and a shared
// bandwidth per direction. A request issued at time t occupies the device's transfer timeline
// for bytes / bandwidth (at the earliest free slot at or after t: the bandwidth is shared by
// every core) and completes `latency` after its transfer. Invariant: transfers of one direction
// never overlap in simulated time, so the device never moves more than its bandwidth. The
// default figures are NVME_DEFAULT's, with their sources; I/O is charged, not the point.

import type { Machine } from '@unimem/hw';
import { BusyTimeline } from '@unimem/hw';
import type { StorageOptions } from './api.js';

/**
 * Default device: Samsung PM1733 (PCIe 4.0 U.2), the class of datacenter NVMe SSD vmcache's
 * evaluation targets. Bandwidths from Samsung's specification (6.4 GB/s sequential read,
 * 3.8 GB/s sequential write, U.2; 1.45 M random-read IOPS ≈ 5.9 GB/s of 4 KiB pages), latency
 * from the NAND read time (~100 µs for a NAND flash read; NVMe SSDs 20–100 µs end to end). See
 * the package README, "Storage", for the references.
 */
export const NVME_DEFAULT = {
  readLatencyUs: 100,
  writeLatencyUs: 100,
  readGBps: 6.4,
  writeGBps: 3.8,
} as const;

export class StorageDevice {
  readonly readLatencyCycles: number;
  readonly writeLatencyCycles: number;
  /** Cycles one 4 KiB page occupies the read / write bandwidth. */
  readonly readPageCycles: number;
  readonly writePageCycles: number;
  private readonly reads = new BusyTimeline(256);
  private readonly writes = new BusyTimeline(256);
  private readonly cReads: number;
  private readonly cWrites: number;
  private readonly cWait: number;

  constructor(
    private readonly machine: Machine,
    options: StorageOptions = {},
    pageBytes = 4096,
  ) {
    const figures = { ...NVME_DEFAULT, ...options };
    for (const [name, value] of Object.entries(figures)) {
      if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
        throw new RangeError(`storage ${name} ${value} must be a non-negative number`);
      }
    }
    if (!(figures.readGBps > 0 && figures.writeGBps > 0)) {
      throw new RangeError(
        `storage bandwidth readGBps ${figures.readGBps} / writeGBps ${figures.writeGBps} must be positive`,
      );
    }
    const ghz = machine.profile.frequencyGhz.value;
    this.readLatencyCycles = figures.readLatencyUs * ghz * 1e3;
    this.writeLatencyCycles = figures.writeLatencyUs * ghz * 1e3;
    this.readPageCycles = (pageBytes / figures.readGBps) * ghz;
    this.writePageCycles = (pageBytes / figures.writeGBps) * ghz;
    this.cReads = machine.counters.define('storageReads');
    this.cWrites = machine.counters.define('storageWrites');
    this.cWait = machine.counters.define('storageWaitCycles');
  }

  /**
   * Issues a read of `pages` pages for `core` now; returns the cycles until it completes (the
   * caller sleeps that long), counted as the core's `storageWaitCycles`.
   */
  read(core: number, pages: number): number {
    this.machine.counters.add(core, this.cReads, pages);
    return this.request(core, pages, this.reads, this.readPageCycles, this.readLatencyCycles);
  }

  /** Issues a write of `pages` pages for `core` now; returns the cycles until it completes. */
  write(core: number, pages: number): number {
    this.machine.counters.add(core, this.cWrites, pages);
    return this.request(core, pages, this.writes, this.writePageCycles, this.writeLatencyCycles);
  }

  private request(
    core: number,
    pages: number,
    timeline: BusyTimeline,
    pageCycles: number,
    latency: number,
  ): number {
    const now = this.machine.now(core);
    const duration = pages * pageCycles;
    const start = timeline.fit(now, duration);
    timeline.add(start, start + duration);
    const wait = start + duration + latency - now;
    this.machine.counters.add(core, this.cWait, wait);
    return wait;
  }
}
