// The runner's old names for sizes, now only re-exported from @unimem/core (the one definition
// of units in the tree: GiB, PAGE_SIZE, framesOf, formatBytes). Kept while src/systems/*.ts,
// benchmarks/random.ts, benchmarks/repeat.ts and test/tpch-placement.test.ts still import them
// from here; new code imports @unimem/core.

export { framesOf, GiB as GIB } from '@unimem/core';
