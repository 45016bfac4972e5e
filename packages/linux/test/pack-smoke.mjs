// Run by scripts/pack-check.mjs in an empty project where the packed @unimem/linux is installed.
import { AllocError, Ok } from '@unimem/core';
import { builtinProfile, Machine } from '@unimem/hw';
import { phaseOf, runFrameBench } from '@unimem/hw/frame-bench';
import { BuddyAllocator, buddySubject } from '@unimem/linux';

const buddy = new BuddyAllocator({ frames: 4096, cores: 2 });
const huge = buddy.get(1, 9);
if (huge % 512 !== 0 || buddy.freeFrames() !== 4096 - 512)
  throw new Error(`bad huge frame ${huge}`);
if (buddy.put(0, huge, 9) !== Ok) throw new Error('put failed');
if (buddy.put(0, huge, 9) !== AllocError.Address) throw new Error('double free not detected');

const machine = new Machine({ profile: builtinProfile('xeon-gold-5320'), cores: 1 });
const simulated = new BuddyAllocator({ frames: 4096, cores: 1, machine });
simulated.put(0, simulated.get(0, 0), 0);
if (!(machine.now(0) > 0)) throw new Error('the simulated allocator charged nothing');

const xeon = builtinProfile('xeon-gold-5320');
const result = runFrameBench(buddySubject().create, {
  bench: 'repeat',
  order: 0,
  cores: 1,
  allocs: 1000,
  profile: xeon,
});
const pair = phaseOf(result, 'pair');
console.log(
  `@unimem/linux smoke: ok (repeat o0: ${(pair.cycles / xeon.frequencyGhz.value).toFixed(1)} simulated ns per pair)`,
);
