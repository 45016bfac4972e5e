// Generator determinism, spec cardinalities and checks, the cache and its atomic write, and that
// every query returns rows at SF 0.1 (in-process, plus one query through the per-query process).
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { expectedCardinalities } from '../src/checks.js';
import { GENERATOR_VERSION, generate, readCacheInfo, tableChecksums } from '../src/gen.js';
import { loadQuery, QUERY_NUMBERS } from '../src/queries.js';
import { runQueries } from '../src/run.js';

const dir = mkdtempSync(join(tmpdir(), 'unimem-gen-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('generate at SF 0.01', () => {
  it('is deterministic, meets the spec cardinalities and passes every check', async () => {
    const a = await generate({ sf: 0.01, out: join(dir, 'a.duckdb') });
    const b = await generate({ sf: 0.01, out: join(dir, 'b.duckdb'), threads: 1 });
    expect(a.cached).toBe(false);
    expect(a.checks.filter((c) => !c.ok)).toEqual([]);
    const sumsA = await tableChecksums(a.path);
    const sumsB = await tableChecksums(b.path);
    expect(sumsB).toEqual(sumsA);
    const expected = expectedCardinalities(0.01);
    expect(expected).toEqual({
      region: 5,
      nation: 25,
      supplier: 100,
      part: 2000,
      partsupp: 8000,
      customer: 1500,
      orders: 15000,
    });
    for (const [table, rows] of Object.entries(expected)) expect(sumsA[table].rows).toBe(rows);
    expect(sumsA.lineitem.rows).toBeGreaterThanOrEqual(15000);
    expect(sumsA.lineitem.rows).toBeLessThanOrEqual(7 * 15000);
    // about 4 lines per order on average (uniform 1..7)
    expect(sumsA.lineitem.rows / 15000).toBeGreaterThan(3.8);
    expect(sumsA.lineitem.rows / 15000).toBeLessThan(4.2);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 120_000);

  it('reuses a matching cache and regenerates for another SF or a foreign file', async () => {
    const path = join(dir, 'a.duckdb');
    const info = await readCacheInfo(path);
    expect(info?.generatorVersion).toBe(GENERATOR_VERSION);
    const again = await generate({ sf: 0.01, out: path });
    expect(again.cached).toBe(true);
    const foreign = join(dir, 'foreign.duckdb');
    writeFileSync(foreign, 'not a database');
    expect(await readCacheInfo(foreign)).toBeUndefined();
  }, 60_000);

  it('rejects a bad scale factor by name', async () => {
    await expect(generate({ sf: 0, out: join(dir, 'x.duckdb') })).rejects.toThrow(/scale factor 0/);
    await expect(generate({ sf: Number.NaN, out: join(dir, 'x.duckdb') })).rejects.toThrow(
      /scale factor NaN/,
    );
    expect(existsSync(join(dir, 'x.duckdb'))).toBe(false);
  });
});

describe('queries at SF 0.1', () => {
  const path = join(dir, 'sf0.1.duckdb');

  it('every one of the 22 queries returns rows', async () => {
    const gen = await generate({ sf: 0.1, out: path });
    expect(gen.checks.filter((c) => !c.ok)).toEqual([]);
    const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    const rows: Record<number, number> = {};
    for (const n of QUERY_NUMBERS) {
      const reader = await connection.runAndReadAll(loadQuery(n, 0.1).sql);
      rows[n] = reader.currentRowCount;
    }
    connection.closeSync();
    instance.closeSync();
    expect(Object.entries(rows).filter(([, count]) => count === 0)).toEqual([]);
    // row limits and fixed-size answers of the spec
    expect(rows[1]).toBe(4);
    expect(rows[3]).toBe(10);
    expect(rows[10]).toBe(20);
    expect(rows[4]).toBe(5);
    expect(rows[6]).toBe(1);
  }, 150_000);

  it('runs a query in its own process with cold and warm timings', async () => {
    const [timing] = await runQueries({ db: path, sf: 0.1, queries: [6], threads: 2, repeat: 3 });
    expect(timing.query).toBe(6);
    expect(timing.rows).toBe(1);
    expect(timing.runsMs).toHaveLength(3);
    expect(timing.runsMs.every((ms) => ms > 0)).toBe(true);
    expect(timing.warmMs).toBeCloseTo((timing.runsMs[1] + timing.runsMs[2]) / 2, 6);
  }, 60_000);
});
