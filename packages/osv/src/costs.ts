// The per-operation cost table of the OSv models: the instructions an operation executes besides
// its memory accesses. Memory accesses (list heads, range headers, bitmap words, pool arrays,
// stack heads, the mutex) are charged separately through the cache-line model, and they are
// where nearly all of the cost comes from, as the hw model intends.
//
// Calibration: there are no published single-core figures for OSv's page_range_allocator or its
// page pools in docs/reference (docs/reference/costs.md §4 lists their structure, not their speed), so these
// numbers are instruction-count estimates [E], kept small on purpose, and nothing is fitted.
// Cycles are of the default profile's clock (2.4 GHz); a run on another profile may override
// any figure through the `costs` option.

import type { Figure } from '@unimem/hw';

export interface OsvCostTable {
  /** page_range_allocator::alloc / alloc_aligned / free: fixed work of one call. */
  rangeOp: Figure;
  /** One range examined by a linear walk (alloc_aligned's for_each, alloc's fallback search). */
  rangeVisit: Figure;
  /** L1 alloc_page_local / free_page_local: preempt_lock, watermark checks, calls. */
  poolOp: Figure;
  /** Moving one page between an L1 array and a batch (per page, besides the lines). */
  batchPage: Figure;
  /** Waking a page-pool worker thread, switching to it, and back when it sleeps again. */
  workerSwitch: Figure;
  /** find_hole: one vma_range looked at (a compare and an in-order successor step). */
  vmaVisit: Figure;
  /** std_malloc/free dispatch and a malloc_pools object alloc or free (preempt_lock, ilog2). */
  mallocOp: Figure;
}

/** Plain numbers (cycles) for hot paths. */
export type OsvCosts = { readonly [K in keyof OsvCostTable]: number };

const SOURCE =
  'estimate: instruction count, no published OSv figure (docs/reference/costs.md §4) [E]';

export const defaultOsvCostTable: OsvCostTable = {
  rangeOp: { value: 30, source: `${SOURCE}: ilog2, ctz, branches, ~30 instructions` },
  rangeVisit: { value: 6, source: `${SOURCE}: align_down and a compare per range` },
  poolOp: { value: 12, source: `${SOURCE}: preempt counter inc/dec, two compares, a call` },
  batchPage: { value: 2, source: `${SOURCE}: one pointer copy per page` },
  workerSwitch: {
    value: 1200,
    source:
      'estimate: wake + two OSv context switches, ~0.25 us each at 2.4 GHz; OSv reports ' +
      'sub-microsecond switches (not in docs/reference, unverified) [E]',
  },
  vmaVisit: {
    value: 8,
    source: `${SOURCE}: start/end loads through vma_range, a compare, rb-tree successor`,
  },
  mallocOp: {
    value: 15,
    source: `${SOURCE}: size dispatch, ilog2_roundup, preempt counter inc/dec, list checks`,
  },
};

/** The cost table as numbers, with `overrides` (cycles) applied. Throws on a bad figure. */
export function resolveOsvCosts(overrides: Partial<Record<keyof OsvCostTable, number>> = {}) {
  const costs: Record<string, number> = {};
  for (const [name, figure] of Object.entries(defaultOsvCostTable)) costs[name] = figure.value;
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in defaultOsvCostTable)) {
      throw new RangeError(`costs.${name} is not an OSv cost (${Object.keys(costs).join(', ')})`);
    }
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`costs.${name} ${value} must be a finite number of cycles >= 0`);
    }
    costs[name] = value;
  }
  return costs as OsvCosts;
}
