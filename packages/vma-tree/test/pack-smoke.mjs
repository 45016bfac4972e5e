// Run by scripts/pack-check.mjs in an empty project where the packed @unimem/vma-tree is installed.

import { nullTracer } from '@unimem/hw';
import { carve, FreeRanges, VmaTree } from '@unimem/vma-tree';

const tree = new VmaTree();
for (let i = 0; i < 1000; i++)
  tree.insert({ start: i * 0x3000, end: i * 0x3000 + 0x2000, prot: 3, flags: 0x22 });
const hit = tree.find(0x3000 * 500 + 0x1000);
if (!hit || hit.start !== 0x3000 * 500) throw new Error('find');
// Cuts the top of VMA 0, VMAs 1..9 and the bottom of VMA 10: 11 pieces, 9 VMAs fewer.
const removed = carve(tree, 0x1000, 0x3000 * 10);
if (tree.size !== 991 || removed.length !== 11) {
  throw new Error(`carve: size ${tree.size}, removed ${removed.length}`);
}
const free = new FreeRanges(nullTracer, 0);
free.insert(0x1000, 0x4000);
free.insert(0x5000, 0x1000); // coalesces: one range [0x1000, 0x6000)
if (free.size !== 1 || free.takeFirstFit(0x2000, 0x1000) !== 0x4000) throw new Error('FreeRanges');
console.log('@unimem/vma-tree smoke: ok');
