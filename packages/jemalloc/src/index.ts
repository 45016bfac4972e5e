export * from './api.js';
export { ARENA_BYTES } from './arena.js';
export { BASE_HEADER_BYTES, EDATA_BYTES, HUGEPAGE } from './base.js';
export { DEFAULT_COSTS, type JemallocCosts, resolveCosts } from './costs.js';
export { H_STEPS, SMOOTHSTEP_NSTEPS } from './decay.js';
export { LG_EXTENT_MAX_ACTIVE_FIT } from './extents.js';
export { Jemalloc } from './jemalloc.js';
export * from './size-classes.js';
export {
  TCACHE_NSLOTS_LARGE,
  TCACHE_NSLOTS_SMALL_MAX,
  TCACHE_NSLOTS_SMALL_MIN,
} from './tcache.js';
