// What two threads share, counted rather than timed: the bench's bulk, repeat and rand run with
// two cores in the hardware model (@unimem/hw), over one TracedWords that both cores' LLFree
// views use, so every access is placed on its 64-byte line and every line transfer between the
// cores is counted. Each access is attributed to the region of the buffer it falls in (reservation
// words, tree counters, child entries, bitfields), so the output says, per operation, which
// shared lines cost transfers and CAS failures. The count depends on the interleaving of the two
// cores (the model's scheduler, deterministic) and not on the load of the machine it runs on:
// evidence for the 2-thread rows of `pnpm --filter @unimem/llfree bench` on a noisy machine.
// Run: pnpm --filter @unimem/llfree exec tsx bench/sharing.ts [gib]

import { type AtomicWords, Machine, type Program, TracedWords } from '@unimem/hw';
import { LLFree } from '../src/index.js';
import { shuffle } from './ops.js';

const REGIONS = ['header', 'reservations', 'trees', 'children', 'bitfields'] as const;
const THREADS = 2;

/** Counts accesses, line transfers and CAS failures per region of the LLFree buffer. */
class RegionCounts implements AtomicWords {
  readonly length: number;
  readonly buffer: ArrayBufferLike;
  /** Per region: accesses (of which loads), transfers, CAS failures. */
  readonly accesses = new Float64Array(REGIONS.length);
  readonly loads = new Float64Array(REGIONS.length);
  readonly transfers = new Float64Array(REGIONS.length);
  readonly failures = new Float64Array(REGIONS.length);
  private bounds: number[] = [];
  private readonly transferId: number;
  private readonly failureId: number;
  private before = 0;
  private failuresBefore = 0;

  constructor(
    private readonly inner: TracedWords,
    private readonly machine: Machine,
  ) {
    this.length = inner.length;
    this.buffer = inner.buffer;
    this.transferId = machine.counters.define('lineTransfers');
    this.failureId = machine.counters.define('casFailures');
  }

  /** Word offsets where the regions after the header start (from the allocator's layout). */
  setBounds(bounds: number[]): void {
    this.bounds = bounds;
  }

  reset(): void {
    this.accesses.fill(0);
    this.loads.fill(0);
    this.transfers.fill(0);
    this.failures.fill(0);
  }

  load(index: number): number {
    this.start();
    const value = this.count(index, this.inner.load(index));
    this.loads[this.region(index)]++;
    return value;
  }
  store(index: number, value: number): void {
    this.start();
    this.inner.store(index, value);
    this.count(index, 0);
  }
  cas(index: number, expected: number, value: number): number {
    this.start();
    return this.count(index, this.inner.cas(index, expected, value));
  }
  add(index: number, value: number): number {
    this.start();
    return this.count(index, this.inner.add(index, value));
  }
  sub(index: number, value: number): number {
    this.start();
    return this.count(index, this.inner.sub(index, value));
  }
  and(index: number, value: number): number {
    this.start();
    return this.count(index, this.inner.and(index, value));
  }
  or(index: number, value: number): number {
    this.start();
    return this.count(index, this.inner.or(index, value));
  }
  exchange(index: number, value: number): number {
    this.start();
    return this.count(index, this.inner.exchange(index, value));
  }

  private start(): void {
    this.before = this.machine.counters.total(this.transferId);
    this.failuresBefore = this.machine.counters.total(this.failureId);
  }

  private region(index: number): number {
    let region = 0;
    while (region < this.bounds.length && index >= this.bounds[region]) region++;
    return region;
  }

  private count(index: number, result: number): number {
    const region = this.region(index);
    this.accesses[region]++;
    this.transfers[region] += this.machine.counters.total(this.transferId) - this.before;
    this.failures[region] += this.machine.counters.total(this.failureId) - this.failuresBefore;
    return result;
  }
}

/** Gets `held.length` blocks into `held`, yielding after each (one operation). */
function* gets(alloc: LLFree, core: number, order: number, held: Int32Array): Program {
  for (let i = 0; i < held.length; i++) {
    held[i] = alloc.get(core, order);
    if (held[i] < 0) throw new Error(`get failed: ${held[i]}`);
    yield;
  }
}

/** Puts every block of `held`, yielding after each. */
function* puts(alloc: LLFree, core: number, order: number, held: Int32Array): Program {
  for (let i = 0; i < held.length; i++) {
    if (alloc.put(core, held[i], order) !== 0) throw new Error(`put of ${held[i]} failed`);
    yield;
  }
}

/** `count` gets each immediately followed by its put (one operation: the pair). */
function* pairs(alloc: LLFree, core: number, order: number, count: number): Program {
  for (let i = 0; i < count; i++) {
    const frame = alloc.get(core, order);
    if (alloc.put(core, frame, order) !== 0) throw new Error(`repeat put of ${frame} failed`);
    yield;
  }
}

const BENCHES = ['bulk get', 'bulk put', 'repeat', 'rand put', 'rand own put'] as const;
type Bench = (typeof BENCHES)[number];

/** Per region, per operation of the timed phase: accesses, line transfers, CAS failures. */
interface Counted {
  accesses: number[];
  loads: number[];
  transfers: number[];
  failures: number[];
}

/**
 * Runs `bench` on a fresh allocator of `gib` GiB with THREADS cores, as bench/ops.ts does (each
 * thread works on a quarter of memory), and counts only its timed phase.
 */
function measure(bench: Bench, order: number, gib: number): Counted {
  const machine = new Machine({ cores: THREADS });
  let counts: RegionCounts | undefined;
  const words = (buffer: SharedArrayBuffer) => {
    counts ??= new RegionCounts(new TracedWords(machine, buffer), machine);
    return counts;
  };
  const first = LLFree.create({ frames: gib * 512 * 512, cores: THREADS, words });
  const views = [first, LLFree.attach(first.buffer, { words })];
  const { locals, treeWords, children, bitfields } = first.layout;
  const counted = counts as RegionCounts;
  counted.setBounds([locals, treeWords, children, bitfields]);
  const allocs = first.totalFrames() / THREADS / 2 / 2 ** order;
  const held = views.map(() => new Int32Array(allocs));
  const run = (program: (core: number) => Program) => machine.run(program, { cores: THREADS });

  if (bench === 'repeat') {
    counted.reset();
    run((core) => pairs(views[core], core, order, allocs));
  } else {
    if (bench === 'bulk get') counted.reset();
    run((core) => gets(views[core], core, order, held[core]));
    if (bench === 'bulk get') return perOperation(counted, allocs * THREADS);
    if (bench === 'rand put') {
      const all = new Int32Array(allocs * THREADS);
      for (const [core, mine] of held.entries()) all.set(mine, core * allocs);
      shuffle(all);
      for (const [core, mine] of held.entries()) {
        mine.set(all.subarray(core * allocs, (core + 1) * allocs));
      }
    }
    // The control of bench/scaling.ts: the same random order, each core freeing only its own.
    if (bench === 'rand own put') for (const mine of held) shuffle(mine);
    counted.reset();
    run((core) => puts(views[core], core, order, held[core]));
  }
  return perOperation(counted, allocs * THREADS);
}

function perOperation(counts: RegionCounts, ops: number): Counted {
  const per = (values: Float64Array) => Array.from(values, (value) => value / ops);
  return {
    accesses: per(counts.accesses),
    loads: per(counts.loads),
    transfers: per(counts.transfers),
    failures: per(counts.failures),
  };
}

const gib = Number(process.argv[2] ?? 1);
console.log(
  `Two cores in the hardware model, ${gib} GiB; per operation of the timed phase: shared-word accesses (of which loads) / line transfers between the cores / CAS failures, by region of the buffer:`,
);
const shown = REGIONS.slice(1);
console.log(
  `| bench      | order | ${shown.map((r) => r.padEnd(25)).join(' | ')} | all transfers |`,
);
console.log(`|------------|-------|${shown.map(() => '-'.repeat(27)).join('|')}|---------------|`);
for (const order of [0, 9]) {
  for (const bench of BENCHES) {
    const { accesses, loads, transfers, failures } = measure(bench, order, gib);
    const cells = shown.map((_, i) =>
      `${accesses[i + 1].toFixed(2)} (${loads[i + 1].toFixed(2)}) / ${transfers[i + 1].toFixed(2)} / ${failures[i + 1].toFixed(2)}`.padEnd(
        18,
      ),
    );
    const all = transfers.reduce((a, b) => a + b, 0);
    console.log(
      `| ${bench.padEnd(10)} | ${String(order).padStart(5)} | ${cells.join(' | ')} | ${all.toFixed(3).padStart(13)} |`,
    );
  }
}
