// @unimem/hw/frame-bench: the LLFree artifact's frame benchmarks (bulk, repeat, rand) over any
// FrameAllocator on a Machine, and the calibration of per-operation costs against published
// single-core figures. One loop, one warm-up policy, one calibration row type for the whole tree.

export * from './calibration.js';
export * from './fit.js';
export * from './loop.js';
export * from './run.js';
