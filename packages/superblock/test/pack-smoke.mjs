// Run by scripts/pack-check.mjs in an empty project where the packed @unimem/superblock is installed.
import { Ok } from '@unimem/core';
import { SuperblockAllocator } from '@unimem/superblock';

const lock = (name) => ({ name, readLock() {}, readUnlock() {}, writeLock() {}, writeUnlock() {} });
const index = () => ({
  size: 0,
  insert() {},
  erase: () => false,
  find: () => undefined,
  findIntersecting: () => [],
  [Symbol.iterator]: () => [][Symbol.iterator](),
});
const va = new SuperblockAllocator({ cores: 2, lock, index });
const addr = va.reserveRange(1, 8192, 4096);
if (addr !== 0x2000_0000_0000 + 2 ** 30 - 8192) throw new Error(`bad address ${addr}`);
if (va.ownerOf(addr) !== 1) throw new Error('owner');
if (va.freeRange(addr, 8192) !== Ok) throw new Error('freeRange failed');
if (va.freeBytes() !== 2 ** 47) throw new Error(`freeBytes ${va.freeBytes()}`);
console.log('@unimem/superblock smoke: ok');
