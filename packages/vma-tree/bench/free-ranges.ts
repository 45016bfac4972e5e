// The free-range set (run from bench/index.ts): remove a range and insert it back at a random
// place among n ranges, FreeRanges (sorted Float64Arrays) vs an array of {start, end} objects with
// splice (object-ranges.ts). Host time, ns per remove + insert pair (median batch); the numbers
// behind the header of src/free-ranges.ts.

import { mulberry32 } from '@unimem/core';
import { nullTracer } from '@unimem/hw';
import { Bench } from 'tinybench';
import { FreeRanges } from '../src/index.js';
import { ObjectRanges } from './object-ranges.js';

const PAGE = 4096;
const BATCH = 256;

/** n ranges of one page with one-page gaps; a step removes one at random and puts it back. */
function rangeSet(structure: 'typed' | 'objects', n: number) {
  const set = structure === 'typed' ? new FreeRanges(nullTracer, 0) : new ObjectRanges();
  for (let i = 0; i < n; i++) set.insert(i * 2 * PAGE, PAGE);
  const next = mulberry32(7);
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const at = Math.floor(next() * n) * 2 * PAGE;
      set.remove(at, PAGE);
      set.insert(at, PAGE);
    }
  };
}

export async function benchFreeRanges(quick: boolean): Promise<void> {
  const bench = new Bench({ time: quick ? 100 : 500, warmup: true });
  for (const n of quick ? [256] : [16, 256, 4096]) {
    bench.add(`FreeRanges (typed arrays), n=${n}`, rangeSet('typed', n));
    bench.add(`baseline objects + splice, n=${n}`, rangeSet('objects', n));
  }
  await bench.run();
  const rows = bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    return { case: task.name, 'ns/op': Number(((result.latency.p50 * 1e6) / BATCH).toFixed(1)) };
  });
  console.log('\nfree-range set: remove + insert (one pair per op)');
  console.table(rows);
}
