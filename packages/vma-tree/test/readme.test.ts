import { MapFlags, Prot } from '@unimem/core';
import { expect, it } from 'vitest';
import { carve, isolate, mergeAdjacent, VmaTree } from '../src/index.js';

it('runs the README example as documented', () => {
  const vmas = new VmaTree();
  const flags = MapFlags.PRIVATE | MapFlags.ANONYMOUS;
  vmas.insert({ start: 0x10000, end: 0x20000, prot: Prot.READ | Prot.WRITE, flags });
  expect(vmas.find(0x1f000)?.start).toBe(0x10000);
  expect(vmas.find(0x20000)).toBeUndefined();
  for (const vma of isolate(vmas, 0x14000, 0x4000)) vma.prot = Prot.READ;
  expect(mergeAdjacent(vmas, 0x14000, 0x4000)).toBe(0);
  const unmapped = carve(vmas, 0x10000, 0x8000);
  expect(unmapped.map((v) => [v.start, v.end, v.prot])).toEqual([
    [0x10000, 0x14000, Prot.READ | Prot.WRITE],
    [0x14000, 0x18000, Prot.READ],
  ]);
  expect([...vmas].map((v) => [v.start, v.end])).toEqual([[0x18000, 0x20000]]);
});
