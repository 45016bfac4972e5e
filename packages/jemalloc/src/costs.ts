// The per-operation cost table of the jemalloc model: the work between the cache-line accesses
// and lock acquisitions the model charges explicitly (size-to-class lookup, bitmap scans, edata
// field updates, decay arithmetic). There is no published single-core jemalloc figure in
// docs/reference/costs.md to calibrate against, so each entry is DERIVED FROM THE LINE MODEL: a count
// of accesses to data already in L1 (thread-local state, the size-class tables, fields of a line
// just charged), each charged as the profile's l1Hit. All entries are estimates [E]; a run may
// override any of them (options.costs). Without a machine nothing is charged.

export interface JemallocCosts {
  /** malloc/free entry: argument checks, tsd and arena lookup, size2index table (L1 steps). */
  entry: number;
  /** Region allocation in a slab: find-first-set over the bitmap group, pointer arithmetic. */
  regionAlloc: number;
  /** Region free: region index by multiply-shift division, bitmap bit clear, nfree update. */
  regionFree: number;
  /** Large allocation/free bookkeeping: usize, cache-oblivious offset draw, large stats. */
  large: number;
  /** One extent split or merge: edata fields of both halves, emap prepare/commit logic. */
  extent: number;
  /** One extent-set bin probed by a fit (bitmap ffs, heap first, size comparison). */
  esetProbe: number;
  /** One decay epoch advance: backlog shift and the 200-term smoothstep sum. */
  decayEpoch: number;
  /** One thread-cache hit (pop or push on the cache bin's stack). */
  tcacheHit: number;
}

/** Default steps (each one L1 hit of the machine's profile). */
export const DEFAULT_COSTS: Readonly<JemallocCosts> = {
  entry: 6,
  regionAlloc: 5,
  regionFree: 6,
  large: 10,
  extent: 12,
  esetProbe: 3,
  decayEpoch: 60,
  tcacheHit: 3,
};

/** The table with overrides applied; throws a RangeError naming a bad entry. */
export function resolveCosts(overrides: Partial<JemallocCosts> = {}): JemallocCosts {
  const costs = { ...DEFAULT_COSTS };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in DEFAULT_COSTS)) {
      throw new RangeError(`costs.${name} is not a jemalloc cost (known: ${Object.keys(costs)})`);
    }
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`costs.${name} ${value} must be a finite number >= 0`);
    }
    costs[name as keyof JemallocCosts] = value;
  }
  return costs;
}
