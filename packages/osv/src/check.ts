// Consistency check of a quiescent page-range structure, for tests and debugging: walks every
// list and the huge set and verifies the invariants page-ranges.ts promises — class membership,
// list links, back-pointers, boundary bits, sorted huge set, `notEmpty`, the free page count,
// disjoint and never adjacent ranges (every free coalesced), and agreement with the block table.
// Returns the problems found (empty when consistent). Not charged; O(frames) in the worst case.

import type { BlockTable } from './block-table.js';
import { LIST_CLASSES, NIL } from './free-lists.js';
import { HUGE_PAGES } from './huge-set.js';
import { ilog2, type PageRanges } from './page-ranges.js';

export function checkPageRanges(ranges: PageRanges, blocks?: BlockTable): string[] {
  const problems: string[] = [];
  const found: Array<[number, number]> = [];
  const { lists, huge, size, back, bitmap } = ranges;
  const checkRange = (range: number, where: string) => {
    const pages = size.get(range);
    if (!(pages > 0) || range + pages > ranges.frames) {
      problems.push(`${where}: range ${range} has bad size ${pages}`);
      return;
    }
    const last = range + pages - 1;
    if (back.get(last) !== range) problems.push(`${where}: back-pointer of ${range} is wrong`);
    if (!bitmap.get(range) || !bitmap.get(last)) {
      problems.push(`${where}: boundary bits of range ${range} (${pages} pages) not set`);
    }
    found.push([range, pages]);
  };
  for (let order = 0; order < LIST_CLASSES; order++) {
    for (let r = lists.first(order); r !== NIL; r = lists.after(r)) {
      checkRange(r, `list ${order}`);
      if (ilog2(size.get(r)) !== order)
        problems.push(`list ${order}: range ${r} is in the wrong class`);
      if (found.length > ranges.frames) {
        problems.push(`list ${order} has a cycle`);
        return problems;
      }
    }
    const nonEmpty = (lists.notEmpty & (1 << order)) !== 0;
    if (nonEmpty !== (lists.first(order) !== NIL)) problems.push(`notEmpty bit ${order} is wrong`);
  }
  let previousSize = 0;
  for (let i = 0; i < huge.count; i++) {
    const r = huge.at(i);
    checkRange(r, 'huge set');
    if (size.get(r) < HUGE_PAGES) problems.push(`huge set: range ${r} is not huge`);
    if (size.get(r) < previousSize) problems.push('huge set is not sorted by size');
    previousSize = size.get(r);
  }
  if (((lists.notEmpty >>> LIST_CLASSES) & 1) !== (huge.count > 0 ? 1 : 0)) {
    problems.push('notEmpty bit of the huge set is wrong');
  }
  found.sort((a, b) => a[0] - b[0]);
  let total = 0;
  for (let i = 0; i < found.length; i++) {
    const [start, pages] = found[i];
    total += pages;
    if (i > 0) {
      const [prevStart, prevPages] = found[i - 1];
      if (prevStart + prevPages > start) problems.push(`ranges ${prevStart} and ${start} overlap`);
      else if (prevStart + prevPages === start) {
        problems.push(`ranges ${prevStart} and ${start} are adjacent (not coalesced)`);
      }
    }
    if (blocks?.used.anySet(start, pages)) {
      problems.push(`free range ${start} (${pages} pages) contains handed-out frames`);
    }
  }
  if (total !== ranges.freePages) {
    problems.push(`free pages ${ranges.freePages} but the ranges hold ${total}`);
  }
  if (blocks !== undefined && blocks.usedFrames + total !== ranges.frames) {
    problems.push(`handed out ${blocks.usedFrames} + free ${total} != ${ranges.frames} frames`);
  }
  return problems;
}
