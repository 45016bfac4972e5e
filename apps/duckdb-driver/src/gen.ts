// TPC-H data generation with the offline pure-SQL generator (sql/tpch_gen.sql, copied from the
// project's reference) into a cached DuckDB database file. A cache is valid only for the same
// scale factor, generator version (hash of the SQL) and DuckDB version; generation writes to a
// temporary file and renames it when every spec check passed, so a failure or an interrupted run
// never leaves a half database where the cache is looked up.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, version } from '@duckdb/node-api';
import { type CheckResult, runChecks } from './checks.js';
import { splitStatements } from './sql-script.js';

const GENERATOR_SQL = readFileSync(new URL('./sql/tpch_gen.sql', import.meta.url), 'utf8');
const META_TABLE = 'unimem_tpch_meta';

/** The TPC-H tables in generation order. */
export const TABLES = [
  'region',
  'nation',
  'supplier',
  'part',
  'partsupp',
  'customer',
  'lineitem',
  'orders',
] as const;

/** Version of the generator: a hash of its SQL text, so any edit invalidates caches. */
export const GENERATOR_VERSION = `tpch_gen-${createHash('sha256').update(GENERATOR_SQL).digest('hex').slice(0, 12)}`;

export interface GenProgress {
  /** A table name, or 'text pool' / 'checks' for the other long steps. */
  step: string;
  rows?: number;
  seconds: number;
}

export interface GenOptions {
  sf: number;
  /** Database file; default `defaultDatabasePath(sf)`. */
  out?: string;
  /** Regenerate even when a valid cache exists. */
  force?: boolean;
  /** DuckDB threads for generation (default: DuckDB's choice, the core count). */
  threads?: number;
  onProgress?: (progress: GenProgress) => void;
}

/** What a database file says about itself (stored in its `unimem_tpch_meta` table). */
export interface CacheInfo {
  sf: number;
  generatorVersion: string;
  duckdbVersion: string;
  generatedAt: string;
  seconds: number;
}

export interface GenResult extends CacheInfo {
  path: string;
  /** True when an existing valid file was reused. */
  cached: boolean;
  sizeBytes: number;
  tables: GenProgress[];
  checks: CheckResult[];
}

/** Throws a RangeError naming `sf` unless it is a positive finite number. */
export function validateScaleFactor(sf: number): number {
  if (!Number.isFinite(sf) || sf <= 0) {
    throw new RangeError(`scale factor ${sf} is not a positive number (examples: 0.01, 0.1, 1)`);
  }
  return sf;
}

/** `$XDG_CACHE_HOME/unimem/tpch-sf<sf>.duckdb` (default cache dir `~/.cache`). */
export function defaultDatabasePath(sf: number): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'unimem', `tpch-sf${validateScaleFactor(sf)}.duckdb`);
}

/** Reads the cache metadata of a database file; undefined when it is missing or not ours. */
export async function readCacheInfo(path: string): Promise<CacheInfo | undefined> {
  if (!existsSync(path)) return undefined;
  let instance: DuckDBInstance | undefined;
  try {
    instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(`SELECT key, value FROM ${META_TABLE}`);
    const meta = Object.fromEntries(reader.getRows().map(([k, v]) => [String(k), String(v)]));
    connection.closeSync();
    return {
      sf: Number(meta.sf),
      generatorVersion: meta.generatorVersion,
      duckdbVersion: meta.duckdbVersion,
      generatedAt: meta.generatedAt,
      seconds: Number(meta.seconds),
    };
  } catch {
    return undefined;
  } finally {
    instance?.closeSync();
  }
}

function cacheMatches(info: CacheInfo | undefined, sf: number): info is CacheInfo {
  return (
    info !== undefined &&
    info.sf === sf &&
    info.generatorVersion === GENERATOR_VERSION &&
    info.duckdbVersion === version()
  );
}

/** Generates (or reuses) the TPC-H database for `options.sf`. */
export async function generate(options: GenOptions): Promise<GenResult> {
  const sf = validateScaleFactor(options.sf);
  const path = options.out ?? defaultDatabasePath(sf);
  const existing = await readCacheInfo(path);
  if (!options.force && cacheMatches(existing, sf)) {
    return {
      ...existing,
      path,
      cached: true,
      sizeBytes: statSync(path).size,
      tables: [],
      checks: [],
    };
  }
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  removeDatabase(temp);
  const started = performance.now();
  const instance = await DuckDBInstance.create(
    temp,
    options.threads ? { threads: String(options.threads) } : {},
  );
  try {
    const connection = await instance.connect();
    const tables = await runGenerator(connection, sf, options.onProgress);
    const checksStarted = performance.now();
    const checks = await runChecks(connection, sf);
    options.onProgress?.({ step: 'checks', seconds: (performance.now() - checksStarted) / 1000 });
    const failed = checks.filter((c) => !c.ok);
    if (failed.length > 0) {
      const list = failed.map((c) => `${c.name}: ${c.actual} (expected ${c.expected})`);
      throw new Error(`generated data fails spec checks: ${list.join('; ')}`);
    }
    const info: CacheInfo = {
      sf,
      generatorVersion: GENERATOR_VERSION,
      duckdbVersion: version(),
      generatedAt: new Date().toISOString(),
      seconds: (performance.now() - started) / 1000,
    };
    await writeCacheInfo(connection, info);
    connection.closeSync();
    instance.closeSync();
    rmSync(`${path}.wal`, { force: true }); // a stale log would be replayed into the new file
    renameSync(temp, path);
    rmSync(`${temp}.wal`, { force: true });
    return { ...info, path, cached: false, sizeBytes: statSync(path).size, tables, checks };
  } catch (error) {
    instance.closeSync();
    removeDatabase(temp);
    throw error;
  }
}

async function runGenerator(
  connection: DuckDBConnection,
  sf: number,
  onProgress: GenOptions['onProgress'],
): Promise<GenProgress[]> {
  const tables: GenProgress[] = [];
  await connection.run(`SET VARIABLE sf = ${sf}`);
  for (const statement of splitStatements(GENERATOR_SQL)) {
    const t0 = performance.now();
    await connection.run(statement);
    const seconds = (performance.now() - t0) / 1000;
    const table = /^CREATE OR REPLACE TABLE (\w+)/m.exec(statement)?.[1];
    if (table) {
      const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${table}`);
      const progress = { step: table, rows: Number(reader.getRows()[0][0]), seconds };
      tables.push(progress);
      onProgress?.(progress);
    } else if (/SET VARIABLE tpch_pool =/.test(statement)) {
      onProgress?.({ step: 'text pool', seconds });
    }
  }
  return tables;
}

async function writeCacheInfo(connection: DuckDBConnection, info: CacheInfo): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE ${META_TABLE} (key VARCHAR, value VARCHAR)`);
  const rows = Object.entries(info).map(([k, v]) => `('${k}', '${String(v).replace(/'/g, "''")}')`);
  await connection.run(`INSERT INTO ${META_TABLE} VALUES ${rows.join(', ')}`);
  await connection.run('CHECKPOINT');
}

function removeDatabase(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
}

/** Row count and an order-independent content checksum of every TPC-H table in a file. */
export async function tableChecksums(
  path: string,
): Promise<Record<string, { rows: number; checksum: string }>> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    const out: Record<string, { rows: number; checksum: string }> = {};
    for (const table of TABLES) {
      const reader = await connection.runAndReadAll(
        `SELECT count(*), bit_xor(hash(t)) FROM ${table} t`,
      );
      const [rows, checksum] = reader.getRows()[0];
      out[table] = { rows: Number(rows), checksum: String(checksum) };
    }
    connection.closeSync();
    return out;
  } finally {
    instance.closeSync();
  }
}
