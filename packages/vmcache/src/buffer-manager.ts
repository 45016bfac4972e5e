// The vmcache buffer manager (Leis et al., SIGMOD 2023, §3): page id p is always at
// base + p × 4 KiB; a page-state word per page (page-state.ts) holds its latch and version;
// pages are faulted in explicitly (fix on an evicted page: exclusive latch, make room, back end
// page-in, storage read) and evicted in batches found by a clock over the resident set
// (resident-set.ts: unlocked → marked on one pass, marked → evicted on the next unless someone
// used it in between). Operations are generators for simulated programs: they yield while a
// core waits for the device or for another core's latch, so those waits are points where other
// cores act. Invariants (check()): a page is resident at most once; the resident set, the
// count of used pool pages and the back end's mapped pages agree; an evicted page is mapped
// nowhere and, with the kernel-api back end, translated by no TLB.

import { Errno, type MemorySystem } from '@unimem/core';
import { type Machine, TracedWords, waitUntil } from '@unimem/hw';
import { UnikernelMemory } from '@unimem/kernel-api';
import {
  type BufferManagerOptions,
  type BufferStats,
  PAGE_BYTES,
  type PageBackend,
  type PoolCounts,
  type Step,
} from './api.js';
import { CoreSets } from './core-sets.js';
import { ClockEviction } from './eviction.js';
import { poolProblems } from './invariants.js';
import { KernelApiBackend } from './kernel-api-backend.js';
import {
  EVICTED,
  LOCKED,
  MARKED,
  PageStates,
  pack,
  STATE_STRIDE,
  stateOf,
  UNLOCKED,
  versionOf,
} from './page-state.js';
import { PosixBackend } from './posix-backend.js';
import { ResidentSet, residentSlots } from './resident-set.js';
import { StorageDevice } from './storage.js';

/** Cycles of one spin iteration on a latched page (a PAUSE loop around a line re-read). */
const SPIN_CYCLES = 100;
/** Longest backoff between two re-reads of a latched page's state. */
const MAX_SPIN_CYCLES = 6400;

function words(machine: Machine, count: number, label: string): [TracedWords, Int32Array] {
  const buffer = new SharedArrayBuffer(Math.max(16, count) * 4);
  return [new TracedWords(machine, buffer, 0, undefined, label), new Int32Array(buffer)];
}

function positiveInteger(name: string, value: unknown): number {
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value > 0)) {
    throw new RangeError(`vmcache ${name} ${String(value)} must be a positive integer`);
  }
  return value;
}

/** Whether `memory` exposes the Kernel API the kernel-api back end needs (a UnikernelMemory). */
export function exposesKernelApi(memory: MemorySystem): boolean {
  return memory instanceof UnikernelMemory;
}

/**
 * The memory system's Kernel API, or a RangeError saying why the kernel-api back end cannot run
 * on it (only @unimem/kernel-api's UnikernelMemory — the OSv presets — exposes one).
 */
function kernelOf(memory: MemorySystem) {
  if (!exposesKernelApi(memory)) {
    throw new RangeError(
      `vmcache backend 'kernel-api' needs a memory system that exposes the Kernel API (a booted UnikernelMemory, e.g. an OSv preset); ${memory.name} does not: use backend 'posix'`,
    );
  }
  return (memory as UnikernelMemory).kernel;
}

export class BufferManager {
  readonly machine: Machine;
  readonly memory: MemorySystem;
  readonly backend: PageBackend;
  readonly storage: StorageDevice;
  readonly dataPages: number;
  readonly poolPages: number;
  readonly evictBatch: number;
  readonly states: PageStates;
  readonly resident: ResidentSet;
  private readonly statePeek: Int32Array;
  private readonly residentPeek: Int32Array;
  private readonly used: TracedWords;
  private readonly usedPeek: Int32Array;
  private readonly dirty: Uint8Array;
  private readonly eviction: ClockEviction;
  /** Cycles of one pread/pwrite call beyond the device time (a syscall outside a unikernel). */
  private readonly ioCallCycles: number;
  private readonly counts: PoolCounts = {
    pageIns: 0,
    evictions: 0,
    writeBacks: 0,
    evictBatches: 0,
    optimisticRetries: 0,
    latchWaits: 0,
    ioWaitCycles: 0,
  };
  private closed = false;

  /**
   * Sets up a pool on a booted memory system, outside a run: charged to `options.core` (default
   * 0), after which every core's clock is moved up to that core's (the workers start after it).
   */
  static create(options: BufferManagerOptions): BufferManager {
    return new BufferManager(options);
  }

  private constructor(options: BufferManagerOptions) {
    const { machine, memory } = options;
    this.machine = machine;
    this.memory = memory;
    this.dataPages = positiveInteger('dataPages', options.dataPages);
    this.poolPages = positiveInteger('poolPages', options.poolPages);
    this.evictBatch = positiveInteger(
      'evictBatch',
      options.evictBatch ?? Math.min(64, this.poolPages),
    );
    if (this.evictBatch > this.poolPages) {
      throw new RangeError(
        `vmcache evictBatch ${this.evictBatch} exceeds poolPages ${this.poolPages}`,
      );
    }
    if (options.backend !== 'posix' && options.backend !== 'kernel-api') {
      throw new RangeError(
        `vmcache backend ${String(options.backend)} is not 'posix' or 'kernel-api'`,
      );
    }
    const shootdown = options.shootdown ?? 'tracked';
    if (shootdown !== 'tracked' && shootdown !== 'all') {
      throw new RangeError(`vmcache shootdown ${String(shootdown)} is not 'tracked' or 'all'`);
    }
    const core = options.core ?? 0;
    if (!(Number.isInteger(core) && core >= 0 && core < machine.cores)) {
      throw new RangeError(`vmcache core ${core} is out of range 0..${machine.cores - 1}`);
    }
    const kernel = options.backend === 'kernel-api' ? kernelOf(memory) : null;
    this.storage = new StorageDevice(machine, options.storage, PAGE_BYTES);
    // pread/pwrite enter the kernel on a conventional OS; in a unikernel they are calls.
    this.ioCallCycles = exposesKernelApi(memory) ? 0 : machine.costs.syscall;
    const slots = residentSlots(this.poolPages);
    const handle = machine.core(core);
    const outer = handle.bind(); // the shared words' initialisation is `core`'s
    try {
      const [stateWords, statePeek] = words(
        machine,
        this.dataPages * STATE_STRIDE,
        'vmcache-states',
      );
      this.statePeek = statePeek;
      this.states = new PageStates(stateWords, statePeek, this.dataPages);
      this.states.init();
      const [entries, residentPeek] = words(machine, slots, 'vmcache-resident');
      this.residentPeek = residentPeek;
      this.resident = new ResidentSet(entries, words(machine, 16, 'vmcache-clock')[0], slots);
      [this.used, this.usedPeek] = words(machine, 16, 'vmcache-used');
      this.dirty = new Uint8Array(this.dataPages);
      if (kernel) {
        const sets =
          shootdown === 'tracked'
            ? new CoreSets(
                words(machine, this.dataPages * Math.ceil(machine.cores / 32), 'vmcache-cores')[0],
                this.dataPages,
                machine.cores,
              )
            : null;
        this.backend = new KernelApiBackend(machine, kernel, this.dataPages, sets, core);
      } else {
        this.backend = new PosixBackend(machine, memory, this.dataPages, core);
      }
    } finally {
      handle.unbind(outer);
    }
    this.eviction = new ClockEviction({
      machine,
      states: this.states,
      resident: this.resident,
      backend: this.backend,
      storage: this.storage,
      used: this.used,
      dirty: this.dirty,
      evictBatch: this.evictBatch,
      sweepRounds: Math.ceil((2 * slots) / this.evictBatch) + 1,
      ioCallCycles: this.ioCallCycles,
      counts: this.counts,
    });
    // The workers start after the setup: their loads must see what it wrote (traced words show
    // a write only to cores whose clock has passed it), as after a barrier.
    const ready = machine.now(core);
    for (let c = 0; c < machine.cores; c++) machine.advanceTo(ready, c);
  }

  /** Virtual address of page `pid`. */
  addressOf(pid: number): number {
    return this.backend.base + pid * PAGE_BYTES;
  }

  /** Latches page `pid` exclusively (faulting it in if evicted); returns its address. */
  *fixX(core: number, pid: number): Step<number> {
    this.checkPage(pid);
    const states = this.states;
    for (;;) {
      const word = states.load(pid);
      const state = stateOf(word);
      if (state === EVICTED) {
        if (states.tryLockX(pid, word)) {
          yield* this.load(core, pid);
          this.backend.noteAccess(core, pid);
          return this.addressOf(pid);
        }
      } else if (state === UNLOCKED || state === MARKED) {
        if (states.tryLockX(pid, word)) {
          this.backend.noteAccess(core, pid);
          return this.addressOf(pid);
        }
      } else {
        yield* this.waitForChange(pid, word);
      }
    }
  }

  /** Releases an exclusive latch; `dirty` when the page was written (written back on eviction). */
  unfixX(_core: number, pid: number, dirty = false): void {
    if (dirty) this.dirty[pid] = 1;
    this.states.unlockX(pid);
  }

  /** Latches page `pid` shared (faulting it in if evicted); returns its address. */
  *fixS(core: number, pid: number): Step<number> {
    this.checkPage(pid);
    const states = this.states;
    for (;;) {
      const word = states.load(pid);
      const state = stateOf(word);
      if (state === EVICTED) {
        yield* this.faultIn(core, pid, word);
      } else if (state === LOCKED) {
        yield* this.waitForChange(pid, word);
      } else if (states.tryLockS(pid, word)) {
        this.backend.noteAccess(core, pid);
        return this.addressOf(pid);
      } else if (stateOf(word) !== UNLOCKED && stateOf(word) !== MARKED) {
        yield* this.waitForChange(pid, word); // the reader count is at its limit
      }
    }
  }

  unfixS(_core: number, pid: number): void {
    this.states.unlockS(pid);
  }

  /**
   * Faults in an evicted page for a shared or optimistic access: latch it exclusively, load it,
   * release it (if another core won the latch, it is loading the page; the caller retries).
   */
  private *faultIn(core: number, pid: number, word: number): Step<void> {
    if (this.states.tryLockX(pid, word)) {
      yield* this.load(core, pid);
      this.states.unlockX(pid);
    }
  }

  /**
   * vmcache's optimistic read: read the version, run `read(address)` without a latch, and
   * validate that the version did not change (else retry). A marked page is unmarked first (its
   * second chance in the clock); an evicted one is faulted in first.
   */
  *optimisticRead(core: number, pid: number, read: (address: number) => void): Step<void> {
    this.checkPage(pid);
    const states = this.states;
    for (;;) {
      const word = states.load(pid);
      const state = stateOf(word);
      if (state === EVICTED) {
        yield* this.faultIn(core, pid, word);
        continue;
      }
      if (state === LOCKED) {
        yield* this.waitForChange(pid, word);
        continue;
      }
      let seen = word;
      if (state === MARKED) {
        const unmarked = pack(versionOf(word), UNLOCKED);
        if (!states.tryUnmark(pid, word, unmarked)) continue;
        seen = unmarked;
      }
      this.backend.noteAccess(core, pid);
      read(this.addressOf(pid));
      const after = states.load(pid);
      const afterState = stateOf(after);
      if (versionOf(after) === versionOf(seen) && afterState !== LOCKED && afterState !== EVICTED) {
        return;
      }
      this.counts.optimisticRetries++;
    }
  }

  /** Event counts (an observation: charges nothing). */
  stats(): BufferStats {
    return { ...this.counts, resident: this.residentCount() };
  }

  /** The back end's own counts (madvise calls, shootdowns, ...). */
  backendStats(): Record<string, number> {
    return this.backend.stats();
  }

  /** Pages resident now (from the state words, uncharged). */
  residentCount(): number {
    let count = 0;
    for (let pid = 0; pid < this.dataPages; pid++) {
      if (stateOf(this.statePeek[pid * STATE_STRIDE]) !== EVICTED) count++;
    }
    return count;
  }

  /** The state word of page `pid` (uncharged; tests and checks). */
  stateOf(pid: number): number {
    return stateOf(this.states.peek(pid));
  }

  /**
   * Invariant problems in words (empty when all hold); call when no operation is in flight.
   * `translated(address)` tells whether some page table maps an address, when the caller can.
   */
  check(translated?: (address: number) => boolean): string[] {
    return poolProblems(
      {
        members: this.resident.members(this.residentPeek),
        stateOf: (pid) => this.stateOf(pid),
        used: this.usedPeek[0],
        mapped: this.backend.mappedPages(),
        poolPages: this.poolPages,
        dataPages: this.dataPages,
        addressOf: (pid) => this.addressOf(pid),
      },
      translated,
    );
  }

  /**
   * Evicts every page (dirty ones are written back, charged to the device) and releases the
   * region, so that the memory system holds nothing of the pool. Call outside a run or as one
   * operation of `core`; every page must be unlatched.
   */
  close(core: number): void {
    if (this.closed) throw new Error('vmcache: close() called twice');
    const handle = this.machine.core(core);
    const outer = handle.bind();
    try {
      const pids: number[] = [];
      for (const pid of this.resident.members(this.residentPeek)) {
        const word = this.states.load(pid);
        if (!this.states.tryLockX(pid, word)) {
          throw new Error(`vmcache: close() with page ${pid} latched (state ${stateOf(word)})`);
        }
        pids.push(pid);
      }
      for (let i = 0; i < pids.length; i += this.evictBatch) {
        const steps = this.eviction.retire(core, pids.slice(i, i + this.evictBatch));
        while (!steps.next().done); // outside a run: the steps run back to back
      }
      this.backend.close(core);
      this.closed = true;
    } finally {
      handle.unbind(outer);
    }
  }

  /** Makes room, maps the page and reads it from storage; the caller holds its X latch. */
  private *load(core: number, pid: number): Step<void> {
    for (;;) {
      if (this.used.add(0, 1) < this.poolPages) break;
      this.used.sub(0, 1);
      if (!(yield* this.eviction.evict(core))) {
        // Every resident page is latched or being evicted by others: wait for a free slot.
        const used = this.usedPeek;
        const pool = this.poolPages;
        yield waitUntil(() => used[0] < pool);
      }
    }
    for (let attempt = 0; ; attempt++) {
      const status = this.backend.pageIn(core, pid);
      if (status === 0) break;
      if (status !== Errno.ENOMEM || attempt >= 8) {
        this.used.sub(0, 1);
        throw new Error(
          `vmcache: page-in of page ${pid} on ${this.memory.name} failed (${status})`,
        );
      }
      yield* this.eviction.evict(core); // the memory system is out of frames: give some back
    }
    this.machine.charge(this.ioCallCycles, core); // the pread
    const wait = this.storage.read(core, 1);
    this.counts.ioWaitCycles += wait;
    yield wait;
    this.resident.insert(pid);
    this.counts.pageIns++;
  }

  /**
   * Waits (yields) until page `pid`'s state word differs from `word`. When it differs already,
   * the change is a write that completes in this core's future (traced words show it only
   * then): spin with exponential backoff, re-reading the word, until it shows.
   */
  private *waitForChange(pid: number, word: number): Step<void> {
    this.counts.latchWaits++;
    const states = this.states;
    if (states.peek(pid) === word) {
      yield waitUntil(() => states.peek(pid) !== word);
      return;
    }
    for (
      let spin = SPIN_CYCLES;
      states.load(pid) === word;
      spin = Math.min(2 * spin, MAX_SPIN_CYCLES)
    ) {
      yield spin;
    }
  }

  private checkPage(pid: number): void {
    if (this.closed) throw new Error('vmcache: the pool is closed');
    if (!(Number.isInteger(pid) && pid >= 0 && pid < this.dataPages)) {
      throw new RangeError(`vmcache page id ${pid} is out of range 0..${this.dataPages - 1}`);
    }
  }
}
