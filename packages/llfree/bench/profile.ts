// Single-thread profile driver: runs one benchmark of bench/ops.ts in the main thread many
// times, for `node --cpu-prof` (see the README's Performance section).
// Run: pnpm --filter @unimem/llfree exec node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts bulk 0
import { LLFree } from '../src/index.js';
import { bulk, cas, repeat } from './ops.js';

const FRAMES = 16 * 512 * 512;
const [bench = 'bulk', orderText = '0', roundsText = '20'] = process.argv.slice(2);
const order = Number(orderText);
const rounds = Number(roundsText);
const allocs = FRAMES / 4 / 2 ** order;
const none = () => {};
for (let round = 0; round < rounds; round++) {
  const alloc = LLFree.create({ frames: FRAMES, cores: 2 });
  const c = cas(allocs, none);
  if (bench === 'bulk') {
    const r = bulk(alloc, 0, order, new Int32Array(allocs), none);
    console.log(
      `cas ${(c.cas / allocs).toFixed(1)} get ${(r.get / allocs).toFixed(1)} put ${(r.put / allocs).toFixed(1)} ns`,
    );
  } else {
    const r = repeat(alloc, 0, order, allocs, none);
    console.log(`cas ${(c.cas / allocs).toFixed(1)} pair ${(r.pair / allocs).toFixed(1)} ns`);
  }
}
