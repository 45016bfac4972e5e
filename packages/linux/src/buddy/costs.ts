// The buddy allocator's per-operation instruction costs, in cycles. These are what remains of
// Linux's measured single-core latencies once the machine's line model has charged every cache
// line the code paths touch (struct pages, list heads, pcp line, zone lock, vmstat). Fitted on
// the xeon-gold-5320 profile to the FITTED single-core buddy figures of src/published.ts (LLFree
// ATC'23 artifact) by bench/fit-costs.ts with the fit of @unimem/hw/frame-bench;
// test/calibration.test.ts keeps every fitted row within 15 % (docs/calibration.md).
// None depends on the number of cores: multi-core behaviour comes from the lock and the lines.

import type { BuddyCosts } from '../api.js';

export interface CostFigure {
  value: number;
  source: string;
}

const FIT =
  "fitted (bench/fit-costs.ts) to the single-core buddy figures of the LLFree ATC'23 artifact (src/published.ts) on xeon-gold-5320";

/** Every cost with where its value comes from. */
export const buddyCostFigures: { readonly [K in keyof BuddyCosts]: CostFigure } = {
  allocCycles: {
    value: 80,
    source: `${FIT}: bulk o0 alloc 94.0 ns, repeat o0 112 ns, repeat o9 362 ns`,
  },
  freeCycles: {
    value: 66,
    source: `${FIT}: bulk o0 free 90.3 ns, repeat o0 112 ns, repeat o9 362 ns`,
  },
  blockMoveCycles: {
    value: 10,
    source:
      'estimate: ~20-30 instructions per rmqueue_bulk/free_pcppages_bulk iteration, IPC ~2-3 [E]',
  },
  buddyStepCycles: {
    value: 5,
    source:
      'estimate: ~10-15 instructions per expand()/merge step (pfn arithmetic, flags), IPC ~2-3 [E]',
  },
  tailCheckCycles: {
    value: 10.8,
    source: `${FIT}: bulk o9 alloc 2615 ns (check_new_pages() over 511 tail struct pages)`,
  },
  tailFreeCycles: {
    value: 1.25,
    source: `${FIT}: bulk o9 free 443.8 ns, repeat o9 362 ns (free_pages_prepare() tail loop)`,
  },
};

/** The calibrated costs as plain numbers. */
export const defaultBuddyCosts: Readonly<BuddyCosts> = Object.freeze(
  Object.fromEntries(
    Object.entries(buddyCostFigures).map(([name, figure]) => [name, figure.value]),
  ) as unknown as BuddyCosts,
);

/** Merges overrides into the defaults; throws a RangeError naming a bad entry. */
export function resolveBuddyCosts(overrides: Partial<BuddyCosts> = {}): BuddyCosts {
  const costs: BuddyCosts = { ...defaultBuddyCosts };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in defaultBuddyCosts)) {
      throw new RangeError(`costs.${name} is not a buddy cost (${Object.keys(costs).join(', ')})`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`costs.${name} ${value} must be a finite number >= 0`);
    }
    costs[name as keyof BuddyCosts] = value;
  }
  return costs;
}
