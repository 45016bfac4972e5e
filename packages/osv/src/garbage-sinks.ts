// OSv's cross-CPU frees of pool objects (core/mempool.cc: garbage_sink, pcpu_free_list,
// pool::collect_garbage). A free on a CPU other than the page's owner pushes the object onto
// the lock-free MPSC queue pcpu_free_list[owner][freeing CPU]; every 257th push into one sink
// signals the owner's garbage_collector worker item, which pops every sink of the owner and
// frees each object on the owner (free_same_cpu). Objects in a sink stay allocated until then.
//
// Model of the worker: the owner collects at its next malloc after a signal (the pinned worker
// preempts the application thread there), paying a wakeup and two context switches
// (`workerSwitch`), and also when an allocation of it runs out of memory. Lines: the sinks are
// 16-byte objects in one buffer, owner-major (four per line: freeing CPUs next to each other
// share a line, as in OSv); a push is a write of the object's free-list pointer and an RMW on
// the sink's line; a signal is an RMW on the owner's worker-item line; a collection reads every
// sink line of the owner, takes each non-empty sink with one RMW and reads each object's line.

import type { Machine } from '@unimem/hw';
import { type PageLines, pageLines } from './page-lines.js';
import type { PoolPage } from './pool-page.js';

/** garbage_sink::signal_threshold: a signal after more than this many pushes. */
export const SIGNAL_THRESHOLD = 256;
/** sizeof(garbage_sink): the queue's head and the push counter [E]. */
const SINK_BYTES = 16;

/** What a collection frees into (MallocPools). */
export interface SameCpuFree {
  freeSameCpu(core: number, page: PoolPage, k: number): void;
}

export class GarbageSinks {
  /** Objects pushed / collected since construction. */
  pushes = 0;
  collected = 0;
  /** Collections run (signalled or for memory). */
  collections = 0;
  signals = 0;
  private readonly pages: PoolPage[][] = [];
  private readonly objects: number[][] = [];
  private readonly pushed: Int32Array;
  private readonly signalled: Uint8Array;
  private readonly sinkLines: number;
  private readonly workerLines: number;
  private readonly pageLines: PageLines;

  constructor(
    private readonly machine: Machine,
    private readonly cores: number,
    private readonly threshold = SIGNAL_THRESHOLD,
  ) {
    const sinks = cores * cores;
    for (let i = 0; i < sinks; i++) {
      this.pages.push([]);
      this.objects.push([]);
    }
    this.pushed = new Int32Array(sinks);
    this.signalled = new Uint8Array(cores);
    const lines = machine.lines;
    this.sinkLines = lines.allocLines(Math.ceil((sinks * SINK_BYTES) / 64), 'osv.pcpu_free_list');
    this.workerLines = lines.allocLines(cores, 'osv.garbage_collector');
    this.pageLines = pageLines(machine);
  }

  /** Objects waiting in sinks. */
  get queued(): number {
    return this.pushes - this.collected;
  }

  /** Whether `owner`'s collector was signalled and has not run since. */
  pending(owner: number): boolean {
    return this.signalled[owner] === 1;
  }

  /** garbage_sink::free: `freer` queues object k of `page` for the page's owner. */
  push(freer: number, page: PoolPage, k: number): void {
    const owner = page.cpu;
    const sink = owner * this.cores + freer;
    const lines = this.machine.lines;
    lines.write(this.pageLines.line(page.frame, page.offsetOf(k) >> 6));
    lines.rmw(this.sinkLine(sink));
    this.pages[sink].push(page);
    this.objects[sink].push(k);
    this.pushes++;
    if (++this.pushed[sink] > this.threshold) {
      this.pushed[sink] = 0;
      this.signals++;
      lines.rmw(this.workerLines + owner);
      this.signalled[owner] = 1;
    }
  }

  /**
   * pool::collect_garbage on `owner`: every sink of the owner popped, each object freed on the
   * owner with `pools.freeSameCpu`. Returns the objects collected.
   */
  collect(owner: number, pools: SameCpuFree): number {
    const lines = this.machine.lines;
    this.signalled[owner] = 0;
    this.collections++;
    lines.read(this.workerLines + owner);
    let count = 0;
    for (let freer = 0; freer < this.cores; freer++) {
      const sink = owner * this.cores + freer;
      lines.read(this.sinkLine(sink));
      const pages = this.pages[sink];
      if (pages.length === 0) continue;
      lines.rmw(this.sinkLine(sink));
      const objects = this.objects[sink];
      for (let i = 0; i < pages.length; i++) {
        const page = pages[i];
        lines.read(this.pageLines.line(page.frame, page.offsetOf(objects[i]) >> 6));
        pools.freeSameCpu(owner, page, objects[i]);
      }
      count += pages.length;
      pages.length = 0;
      objects.length = 0;
    }
    this.collected += count;
    return count;
  }

  private sinkLine(sink: number): number {
    return this.sinkLines + ((sink * SINK_BYTES) >> 6);
  }
}
