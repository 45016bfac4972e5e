// Consistency check of a quiescent buddy allocator, for tests: walks every list and the whole
// mem_map and reports each broken invariant in words (empty when consistent). O(frames).

import { MAX_ORDER } from '@unimem/core';
import { KIND_MASK, Kind, type MemMap, ORDER_MASK } from './mem-map.js';
import { PCP_LISTS, PCP_ORDERS, type PerCpuPages } from './pcp.js';
import type { Zone } from './zone.js';

const MAX_PROBLEMS = 20;

export function checkBuddy(
  map: MemMap,
  zone: Zone,
  pcp: PerCpuPages,
  cores: number,
  freeFrames: number,
): string[] {
  const problems: string[] = [];
  const report = (message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(message);
  };
  const { state, next, prev, frames } = map;
  const listed = new Uint8Array(frames);

  /** Walks one list; each entry must head a block of `kind` and `order`. Returns its blocks. */
  const walk = (head: number, kind: number, order: number, what: string): number => {
    let blocks = 0;
    for (let node = next[head], before = head; node !== head; before = node, node = next[node]) {
      if (node < 0 || node >= frames) {
        report(`${what}: link to node ${node}, not a frame`);
        return blocks;
      }
      if (prev[node] !== before)
        report(`${what}: frame ${node} has prev ${prev[node]}, not ${before}`);
      if (listed[node]) {
        report(`${what}: frame ${node} is on a list twice`);
        return blocks;
      }
      listed[node] = 1;
      if (state[node] !== (kind | order)) {
        report(
          `${what}: frame ${node} has state 0x${state[node].toString(16)}, ` +
            `not 0x${(kind | order).toString(16)}`,
        );
      }
      if (node % 2 ** order !== 0)
        report(`${what}: frame ${node} is misaligned for order ${order}`);
      blocks++;
    }
    return blocks;
  };

  let buddyPages = 0;
  for (let order = 0; order <= MAX_ORDER; order++) {
    const blocks = walk(zone.areaHead(order), Kind.Buddy, order, `free_area[${order}]`);
    if (blocks !== zone.nrFree[order]) {
      report(`free_area[${order}] holds ${blocks} blocks but nr_free is ${zone.nrFree[order]}`);
    }
    buddyPages += blocks * 2 ** order;
  }
  if (buddyPages !== zone.freePages) {
    report(`buddy lists hold ${buddyPages} pages but the zone counts ${zone.freePages}`);
  }
  let pcpPages = 0;
  for (let core = 0; core < cores; core++) {
    let pages = 0;
    for (let pindex = 0; pindex < PCP_LISTS; pindex++) {
      const order = PCP_ORDERS[pindex];
      pages +=
        walk(pcp.listHead(core, pindex), Kind.Pcp, order, `pcp[${core}][${order}]`) * 2 ** order;
    }
    if (pages !== pcp.count[core])
      report(`pcp[${core}] holds ${pages} pages but count is ${pcp.count[core]}`);
    pcpPages += pages;
  }
  if (buddyPages + pcpPages !== freeFrames) {
    report(`lists hold ${buddyPages + pcpPages} free pages but freeFrames() is ${freeFrames}`);
  }

  // Every frame in exactly one block; free blocks listed; no mergeable buddy pair on the lists.
  for (let frame = 0; frame < frames; ) {
    const s = state[frame];
    const kind = s & KIND_MASK;
    const order = s & ORDER_MASK;
    if (kind === Kind.None || order > MAX_ORDER || frame + 2 ** order > frames) {
      report(`frame ${frame} should head a block but has state 0x${s.toString(16)}`);
      return problems;
    }
    for (let inside = frame + 1; inside < frame + 2 ** order; inside++) {
      if (state[inside] !== Kind.None) {
        report(`frame ${inside} inside block ${frame} (order ${order}) heads a block`);
        break;
      }
    }
    if (kind !== Kind.Used && !listed[frame]) report(`free block ${frame} is on no list`);
    if (kind === Kind.Buddy && order < MAX_ORDER) {
      const buddy = frame ^ (2 ** order);
      if (state[buddy] === (Kind.Buddy | order)) {
        report(
          `buddies ${Math.min(frame, buddy)} and ${Math.max(frame, buddy)} of order ${order} ` +
            'are both free but not merged',
        );
      }
    }
    frame += 2 ** order;
  }
  return problems;
}
