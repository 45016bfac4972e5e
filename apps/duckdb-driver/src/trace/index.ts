// `@unimem/duckdb-driver/trace`: the trace format, its readers and writer, without DuckDB (the
// replay imports this so that loading a trace does not load the database engine).

export * from './format.js';
export type * from './metadata.js';
export { validateMetadata } from './metadata.js';
export type { TraceHandle } from './reader.js';
export { openTrace, openTraceStream, parseHeader, readTrace } from './reader.js';
export * from './reader-sync.js';
export { encodeTrace, encodeTraceText, TraceWriter, writeTrace } from './writer.js';
