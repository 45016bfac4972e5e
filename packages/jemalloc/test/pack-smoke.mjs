// Run by scripts/pack-check.mjs in an empty project where the packed @unimem/jemalloc is installed
// (with @unimem/core and @unimem/hw). A minimal MemorySystem: bump-allocated address space.
import { Advice, Errno, Ok } from '@unimem/core';
import { Machine } from '@unimem/hw';
import { Jemalloc, THESIS_CONFIG } from '@unimem/jemalloc';

let next = 0x10_0000_0000;
const advice = [];
const memory = {
  name: 'smoke',
  cores: 2,
  boot() {},
  mmap(_core, length) {
    next = Math.ceil(next / 2 ** 21) * 2 ** 21;
    const addr = next;
    next += length;
    return addr;
  },
  munmap: () => Ok,
  mprotect: () => Ok,
  madvise(_core, addr, length, kind) {
    advice.push([addr, length, kind]);
    return Ok;
  },
  touch: () => Ok,
  stats: () => ({
    freePhysBytes: 0,
    totalPhysBytes: 0,
    pageTableBytes: 0,
    metadataBytes: 0,
    mappedBytes: 0,
  }),
};
const machine = new Machine({ cores: 2 });
const je = new Jemalloc({ memory, machine, ...THESIS_CONFIG });
const small = je.malloc(0, 100);
if (small < 0 || je.usableSize(small) !== 112) throw new Error(`small ${small}`);
const huge = je.malloc(1, 8 * 1024 * 1024);
if (je.free(0, huge) !== Ok) throw new Error('free huge');
if (advice.length !== 1 || advice[0][2] !== Advice.DONTNEED) throw new Error('no purge');
if (je.free(1, small + 16) !== Errno.EINVAL) throw new Error('interior free accepted');
if (!(machine.now(0) > 0)) throw new Error('nothing charged');
console.log(`@unimem/jemalloc smoke: ok (${je.stats().arenas} arenas, ${machine.now(0)} cycles)`);
