// Run by scripts/pack-check.mjs in an empty project where the packed @unimem/hw is installed.
import { ReferenceFrameAllocator } from '@unimem/core';
import { builtinProfile, Machine, NativeWords } from '@unimem/hw';
import { phaseOf, runFrameBench } from '@unimem/hw/frame-bench';

const machine = new Machine({ profile: builtinProfile('xeon-gold-5320'), cores: 4 });
const line = machine.lines.allocLines(1, 'shared counter');
const result = machine.run(() =>
  (function* () {
    for (let i = 0; i < 100; i++) {
      machine.lines.rmw(line);
      yield;
    }
  })(),
);
if (!(result.cycles > 0) || machine.counters.totalOf('lineTransfers') === 0) {
  throw new Error(`no contention modelled: ${JSON.stringify(result)}`);
}
const words = new NativeWords(new SharedArrayBuffer(64));
if (words.cas(3, 0, 7) !== 0 || words.load(3) !== 7) throw new Error('NativeWords cas');
const bench = runFrameBench(
  (m, { frames, cores }) => {
    const inner = new ReferenceFrameAllocator({ frames, cores });
    const get = inner.get.bind(inner);
    inner.get = (core, order) => {
      m.charge(10, core); // a fixed cost per get: the bulk alloc phase must measure exactly it
      return get(core, order);
    };
    return inner;
  },
  { bench: 'bulk', order: 0, cores: 2, allocs: 64 },
);
if (phaseOf(bench, 'alloc').cycles !== 10) throw new Error(`frame-bench: ${JSON.stringify(bench)}`);
console.log(`@unimem/hw smoke: ok (${result.cycles} cycles for 400 contended RMWs; frame-bench)`);
