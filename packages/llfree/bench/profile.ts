// Single-thread profile driver: runs one benchmark of bench/ops.ts in the main thread, round
// after round on fresh allocators, printing the paired chunk medians (ns per operation, ns per
// cas, ratio), for `node --cpu-prof` and for trying changes quickly.
// Run: pnpm --filter @unimem/llfree exec tsx bench/profile.ts bulk 0 [rounds] [mixed|plain]
// `mixed` first runs LLFree over TracedWords in the same process, so that LLFree's call sites
// see both word classes (polymorphic), to measure what that costs the native path. `plain` runs
// LLFree over PlainWords (below) instead of Atomics: what is left is LLFree's JavaScript alone.
import { type AtomicWords, Machine, TracedWords } from '@unimem/hw';
import { LLFree } from '../src/index.js';
import { bulk, repeat, type Sample } from './ops.js';

/**
 * Shared words read and written with plain typed-array accesses, not Atomics: only for one
 * thread (nothing else touches the buffer), to price the JavaScript around the atomics. Every
 * method does what the atomic one would, so LLFree takes the same paths.
 */
class PlainWords implements AtomicWords {
  readonly length: number;
  private readonly words: Int32Array;
  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer);
    this.length = this.words.length;
  }
  load(index: number): number {
    return this.words[index];
  }
  store(index: number, value: number): void {
    this.words[index] = value;
  }
  cas(index: number, expected: number, value: number): number {
    const old = this.words[index];
    if (old === expected) this.words[index] = value;
    return old;
  }
  add(index: number, value: number): number {
    const old = this.words[index];
    this.words[index] = old + value;
    return old;
  }
  sub(index: number, value: number): number {
    const old = this.words[index];
    this.words[index] = old - value;
    return old;
  }
  and(index: number, value: number): number {
    const old = this.words[index];
    this.words[index] = old & value;
    return old;
  }
  or(index: number, value: number): number {
    const old = this.words[index];
    this.words[index] = old | value;
    return old;
  }
  exchange(index: number, value: number): number {
    const old = this.words[index];
    this.words[index] = value;
    return old;
  }
}

const FRAMES = 16 * 512 * 512;
const [bench = 'bulk', orderText = '0', roundsText = '20', mixed] = process.argv.slice(2);
const order = Number(orderText);
const rounds = Number(roundsText);
const allocs = FRAMES / 4 / 2 ** order;
const none = () => {};
if (mixed === 'mixed') {
  for (let round = 0; round < 50; round++) {
    const machine = new Machine({ cores: 2 });
    const words = (buffer: SharedArrayBuffer) => new TracedWords(machine, buffer);
    const traced = LLFree.create({ frames: 4 * 16_384, cores: 2, words });
    const frames = new Int32Array(2048);
    bulk(traced, 0, order, frames, none);
    repeat(traced, 0, order, 2048, none);
  }
}
const show = (sample: Sample, metric: string) =>
  `${metric} ${sample[`${metric}:ns`].toFixed(1)} ns = ${sample[`${metric}:ratio`].toFixed(2)} cas`;
for (let round = 0; round < rounds; round++) {
  const alloc =
    mixed === 'plain'
      ? LLFree.create({ frames: FRAMES, cores: 2, words: (buffer) => new PlainWords(buffer) })
      : LLFree.create({ frames: FRAMES, cores: 2 });
  const sample =
    bench === 'bulk'
      ? bulk(alloc, 0, order, new Int32Array(allocs), none)
      : repeat(alloc, 0, order, allocs, none);
  const metrics = bench === 'bulk' ? ['get', 'put'] : ['pair'];
  console.log(
    `cas ${sample[`${metrics[0]}:cas`].toFixed(1)} ns, ${metrics.map((m) => show(sample, m)).join(', ')}`,
  );
}
