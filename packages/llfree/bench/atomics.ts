// The price of each kind of JavaScript atomic, in the unit of the LLFree targets: chunks of 1024
// uncontended operations of each kind (compareExchange, add, or, and, exchange, load, store) on
// a private line, timed one after the other in every round, each divided by the cas chunk of the
// same round; the median over rounds. Every loop keeps its result in a local, as the cas loop of
// bench/ops.ts does. In V8 every one of them is a call to a builtin, so a load
// is not free: it costs the call without the locked instruction. LLFree's "where the time goes"
// (README, Performance) counts its operations in these units.
// Run: pnpm --filter @unimem/llfree exec tsx bench/atomics.ts [rounds]

const CHUNK = 1024;
const words = new Int32Array(new SharedArrayBuffer(256));
let sink = 0;

const kinds: Record<string, () => void> = {
  cas: () => {
    let value = Atomics.load(words, 16);
    for (let i = 0; i < CHUNK; i++)
      value = Atomics.compareExchange(words, 16, value, value + 1) + 1;
    sink += value;
  },
  add: () => {
    let value = 0;
    for (let i = 0; i < CHUNK; i++) value += Atomics.add(words, 32, 1);
    sink += value;
  },
  or: () => {
    let value = 0;
    for (let i = 0; i < CHUNK; i++) value += Atomics.or(words, 48, i & 1);
    sink += value;
  },
  and: () => {
    let value = 0;
    for (let i = 0; i < CHUNK; i++) value += Atomics.and(words, 48, -1);
    sink += value;
  },
  exchange: () => {
    let value = 0;
    for (let i = 0; i < CHUNK; i++) value += Atomics.exchange(words, 56, i);
    sink += value;
  },
  load: () => {
    let value = 0;
    for (let i = 0; i < CHUNK; i++) value += Atomics.load(words, 40);
    sink += value;
  },
  store: () => {
    for (let i = 0; i < CHUNK; i++) Atomics.store(words, 40, i);
  },
};

const rounds = Number(process.argv[2] ?? 3000);
const warm = rounds / 10;
const ratios = new Map(Object.keys(kinds).map((kind) => [kind, [] as number[]]));
const ns = new Map<string, number>();
for (let round = 0; round < rounds; round++) {
  for (const [kind, run] of Object.entries(kinds)) {
    const start = process.hrtime.bigint();
    run();
    ns.set(kind, Number(process.hrtime.bigint() - start) / CHUNK);
  }
  if (round < warm) continue;
  for (const kind of Object.keys(kinds)) ratios.get(kind)?.push(ns.get(kind)! / ns.get('cas')!);
}
console.log(`one atomic of each kind / one cas, median of ${rounds - warm} rounds of ${CHUNK}:`);
for (const [kind, values] of ratios) {
  values.sort((a, b) => a - b);
  console.log(`  ${kind.padEnd(8)} ${values[values.length >> 1].toFixed(2)}`);
}
if (sink === 0.5) console.log(sink); // keeps the loops' results alive
