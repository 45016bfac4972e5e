// Chooses the VmaIndex structure: insert, erase, find and findIntersecting at 100, 10k and 100k
// VMAs for the B+ tree (several node sizes), the AVL tree and the sorted-array baseline.
// Prints ns per operation, then the cache lines each structure charges a tracer per operation
// (what the hardware model will see); then the free-range set (free-ranges.ts).
// Run: pnpm --filter @unimem/vma-tree bench [--quick]

import { mulberry32, type Vma, type VmaIndex } from '@unimem/core';
import { SortedVmaIndex } from '@unimem/core/testing';
import type { LineTracer } from '@unimem/hw';
import { Bench } from 'tinybench';
import type { VmaTreeOptions } from '../src/index.js';
import { AvlVmaTree, VmaTree } from '../src/index.js';
import { benchFreeRanges } from './free-ranges.js';

const PAGE = 0x1000;
const SLOT_PAGES = 32;
const BASE = 0x2000_0000_0000;
const SIZES = [100, 10_000, 100_000];
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 3;

type Factory = (options?: VmaTreeOptions) => VmaIndex;
const structures: [string, Factory][] = [
  ['sorted array', () => new SortedVmaIndex()],
  ['avl', (o) => new AvlVmaTree(o)],
  ['btree-8', (o) => new VmaTree({ ...o, nodeSlots: 8 })],
  ['btree-16', (o) => new VmaTree({ ...o, nodeSlots: 16 })],
  ['btree-32', (o) => new VmaTree({ ...o, nodeSlots: 32 })],
  ['btree-64', (o) => new VmaTree({ ...o, nodeSlots: 64 })],
];

function shuffle<T>(list: T[], rand: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/**
 * n resident VMAs in the even slots of a 2n-slot area (1..16 pages each, so gaps vary), a batch
 * of VMAs for the odd slots to insert and erase, and lookup addresses over the whole area.
 */
function workload(n: number) {
  const rand = mulberry32(n);
  const at = (slot: number): Vma => {
    const start = BASE + slot * SLOT_PAGES * PAGE;
    return { start, end: start + (1 + Math.floor(rand() * 16)) * PAGE, prot: 3, flags: 0x22 };
  };
  const resident = shuffle(
    Array.from({ length: n }, (_, i) => at(2 * i)),
    rand,
  );
  const batch = shuffle(
    Array.from({ length: n }, (_, i) => at(2 * i + 1)),
    rand,
  ).slice(0, Math.min(n, 1000));
  const span = 2 * n * SLOT_PAGES * PAGE;
  const addrs = Array.from({ length: 1000 }, () => BASE + Math.floor(rand() * span));
  return { resident, batch, addrs, rangeBytes: 4 * SLOT_PAGES * PAGE };
}

function build(create: Factory, vmas: Vma[], options?: VmaTreeOptions): VmaIndex {
  const index = create(options);
  if (index instanceof SortedVmaIndex) {
    // Splicing 100k VMAs in random order takes minutes; insert them in order instead.
    for (const v of [...vmas].sort((a, b) => a.start - b.start)) index.insert(v);
  } else {
    for (const v of vmas) index.insert(v);
  }
  return index;
}

let sink = 0;
const results = new Map<string, Map<string, number>>();
const record = (row: string, column: string, value: number) => {
  if (!results.has(row)) results.set(row, new Map());
  results.get(row)!.set(column, value);
};

// Other processes on the machine disturb single runs: every case runs in several rounds and
// the table keeps the best median per case.
for (let round = 0; round < ROUNDS; round++) {
  for (const n of SIZES) {
    const bench = new Bench({ time: quick ? 50 : 150, warmupTime: quick ? 20 : 50 });
    const perOp = addCases(bench, n);
    await bench.run();
    for (const task of bench.tasks) {
      const [op, name] = task.name.split('/');
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
      const ns = (result.latency.p50 * 1e6) / perOp.get(task.name)!;
      const row = `${op} @${n}`;
      record(row, name, Math.min(ns, results.get(row)?.get(name) ?? Number.POSITIVE_INFINITY));
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS}: ${n} VMAs\n`);
  }
}

/** Adds the four cases of every structure at n VMAs; returns the operations per iteration. */
function addCases(bench: Bench, n: number): Map<string, number> {
  const { resident, batch, addrs, rangeBytes } = workload(n);
  const perOp = new Map<string, number>();
  for (const [name, create] of structures) {
    const index = build(create, resident);
    perOp.set(`insert/${name}`, batch.length);
    bench.add(
      `insert/${name}`,
      () => {
        for (const v of batch) index.insert(v);
      },
      {
        afterEach: () => {
          for (const v of batch) index.erase(v);
        },
      },
    );
    perOp.set(`erase/${name}`, batch.length);
    bench.add(
      `erase/${name}`,
      () => {
        for (const v of batch) index.erase(v);
      },
      {
        beforeEach: () => {
          for (const v of batch) index.insert(v);
        },
      },
    );
    perOp.set(`find/${name}`, addrs.length);
    bench.add(`find/${name}`, () => {
      for (const a of addrs) if (index.find(a) !== undefined) sink++;
    });
    perOp.set(`findIntersecting/${name}`, addrs.length);
    bench.add(`findIntersecting/${name}`, () => {
      for (const a of addrs) sink += index.findIntersecting(a, rangeBytes).length;
    });
  }
  return perOp;
}

console.log('\nns per operation (best of rounds of the median batch; lower is better)\n');
printTable((v) => v.toFixed(0));

// Cache lines charged per operation, counted with a tracer.
class CountingTracer implements LineTracer {
  reads = 0;
  writes = 0;
  private next = 0;
  allocLines(count: number): number {
    this.next += count;
    return this.next - count;
  }
  read(): void {
    this.reads++;
  }
  write(): void {
    this.writes++;
  }
  rmw(): void {
    this.writes++;
  }
}
results.clear();
for (const n of SIZES) {
  const { resident, batch, addrs } = workload(n);
  for (const [name, create] of structures.slice(1)) {
    const tracer = new CountingTracer();
    const index = build(create, resident, { tracer });
    const count = (row: string, run: () => void, per: number) => {
      tracer.reads = tracer.writes = 0;
      run();
      record(`${row} @${n}`, name, (tracer.reads + tracer.writes) / per);
    };
    count(
      'find',
      () => {
        for (const a of addrs) index.find(a);
      },
      addrs.length,
    );
    count(
      'insert',
      () => {
        for (const v of batch) index.insert(v);
      },
      batch.length,
    );
    count(
      'erase',
      () => {
        for (const v of batch) index.erase(v);
      },
      batch.length,
    );
  }
}
console.log('\nlines charged per operation (reads + writes)\n');
printTable((v) => v.toFixed(1));
if (sink < 0) console.log(sink);

await benchFreeRanges(quick);

function printTable(format: (value: number) => string): void {
  const columns = [...new Set([...results.values()].flatMap((row) => [...row.keys()]))];
  const lines = [
    `| op @ VMAs | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
  ];
  for (const [row, values] of results) {
    lines.push(
      `| ${row} | ${columns.map((c) => (values.has(c) ? format(values.get(c)!) : '')).join(' | ')} |`,
    );
  }
  console.log(lines.join('\n'));
}
