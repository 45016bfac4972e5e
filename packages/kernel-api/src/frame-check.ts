// Checked frees, as Linux's DEBUG_PAGEALLOC and page_owner catch a page freed while still in
// use: before frames go back to the frame allocator, the page table is searched for a mapping
// outside the linear map that still points into them. The Kernel API's contract is that the
// caller unmaps (and flushes) before framesFree; unchecked, a violation succeeds and the next
// framesAlloc hands the frames out while the old mapping still reaches them. Invariant (checked
// mode): no frame the page table maps outside the linear map is ever free. The search walks
// every leaf (O(mappings)), so the mode is for tests and debugging (UNIMEM_CHECKED=1).

import { PAGE_SIZE } from '@unimem/core';
import type { Mapping, PageTable } from '@unimem/hw';
import { LINEAR_BASE } from './api.js';

/** Whether checked frees are on by default: UNIMEM_CHECKED=1 in the environment (tests). */
export function checkedByDefault(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  return env?.UNIMEM_CHECKED === '1';
}

/**
 * Distance between the kernel's linear maps of all memory: OSv maps it in its main, page and
 * mempool areas, 0x4000…, 0x5000… and 0x6000… (include/osv/mmu-defs.hh); Linux once.
 */
const LINEAR_AREA_STRIDE = 2 ** 44;

/** Whether `mapping` is part of a linear map: frame f at an area base + f × 4 KiB. */
function isLinear(mapping: Mapping, linearBytes: number): boolean {
  const offset = mapping.va - mapping.frame * PAGE_SIZE;
  return (
    offset >= LINEAR_BASE &&
    (offset - LINEAR_BASE) % LINEAR_AREA_STRIDE === 0 &&
    mapping.va - offset < linearBytes
  );
}

/**
 * The first mapping other than the linear maps that maps any of the `count` frames from
 * `frame`, or undefined.
 */
export function mappingOfFrames(
  pageTable: PageTable,
  linearBytes: number,
  frame: number,
  count: number,
): Mapping | undefined {
  const end = frame + count;
  for (const mapping of pageTable.mappings()) {
    if (isLinear(mapping, linearBytes)) continue;
    const first = mapping.frame;
    const last = first + mapping.size / PAGE_SIZE;
    if (first < end && frame < last) return mapping;
  }
  return undefined;
}
