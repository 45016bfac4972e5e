// @unimem/duckdb-driver: TPC-H data generation and queries on DuckDB, memory-trace capture, and
// the trace format with its streaming reader (what the replay in apps/bench builds on).

export type { CapturedQuery, CaptureMode, CaptureOptions } from './capture/capture.js';
export { captureQueries, chooseTracer } from './capture/capture.js';
export type { CheckResult } from './checks.js';
export { expectedCardinalities } from './checks.js';
export type { CacheInfo, GenOptions, GenProgress, GenResult } from './gen.js';
export { defaultDatabasePath, GENERATOR_VERSION, generate, TABLES, tableChecksums } from './gen.js';
export type { PhaseStats, TraceStats } from './inspect.js';
export { inspectTrace, traceFiles } from './inspect.js';
export type { Query } from './queries.js';
export { loadQuery, parseQueryList, QUERY_NUMBERS, queryName } from './queries.js';
export type { QueryTiming, RunOptions } from './run.js';
export { runQueries } from './run.js';
export * from './trace/index.js';
