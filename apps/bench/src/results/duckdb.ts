// The result set as an embedded DuckDB database (`results.duckdb`): table `runs` (one row per
// result set: sweep, profile, seed, command, host, versions, times, the whole meta as JSON) and
// table `points` (one row per point and replica — seed, iteration —, counters and params as
// JSON), joined on run_id. The file is
// built under a temporary name, checkpointed (no .wal left) and renamed into place.
//
//   SELECT system, cores, value FROM points WHERE bench = 'frames.bulk' AND metric = 'alloc';
//   SELECT system, cores, counters->>'lineTransfers' FROM points;

import { DuckDBInstance } from '@duckdb/node-api';
import type { ResultSet } from '../api.js';
import { produceAtomic } from './atomic.js';

export const RESULTS_DUCKDB = 'results.duckdb';

export const SCHEMA = `
CREATE TABLE runs (
  run_id VARCHAR PRIMARY KEY,
  sweep_id VARCHAR NOT NULL,
  complete BOOLEAN NOT NULL,
  interrupted BOOLEAN NOT NULL,
  shard VARCHAR,
  profile VARCHAR NOT NULL,
  seed BIGINT NOT NULL,
  scale DOUBLE NOT NULL,
  full_size BOOLEAN NOT NULL,
  frame_order INTEGER NOT NULL,
  jobs INTEGER NOT NULL,
  command VARCHAR NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ NOT NULL,
  host JSON NOT NULL,
  versions JSON NOT NULL,
  meta JSON NOT NULL
);
CREATE TABLE points (
  run_id VARCHAR NOT NULL REFERENCES runs (run_id),
  case_index INTEGER NOT NULL,
  bench VARCHAR NOT NULL,
  system VARCHAR NOT NULL,
  cores INTEGER NOT NULL,
  metric VARCHAR NOT NULL,
  value DOUBLE NOT NULL,
  unit VARCHAR NOT NULL,
  ops DOUBLE NOT NULL,
  frame_order INTEGER,
  variant VARCHAR,
  seed BIGINT NOT NULL,
  iteration INTEGER NOT NULL,
  params JSON NOT NULL,
  counters JSON NOT NULL
);
`;

/** Identifies one result set among others (e.g. after several databases are attached). */
export function runId(set: ResultSet): string {
  return `${set.meta.sweep.id}@${set.meta.startedAt}`;
}

export async function writeDuckDb(path: string, set: ResultSet): Promise<void> {
  await produceAtomic(path, async (temp) => {
    const instance = await DuckDBInstance.create(temp);
    const connection = await instance.connect();
    try {
      await connection.run(SCHEMA);
      const { meta } = set;
      const id = runId(set);
      await connection.run(
        `INSERT INTO runs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
          CAST($13 AS TIMESTAMPTZ), CAST($14 AS TIMESTAMPTZ), $15, $16, $17)`,
        [
          id,
          meta.sweep.id,
          meta.complete,
          meta.interrupted,
          meta.shard ? `${meta.shard.index}/${meta.shard.count}` : null,
          meta.sweep.profile.name,
          meta.sweep.seed,
          meta.sweep.scale,
          meta.sweep.full,
          meta.sweep.order,
          meta.jobs,
          meta.command,
          meta.startedAt,
          meta.finishedAt,
          JSON.stringify(meta.host),
          JSON.stringify(meta.versions),
          JSON.stringify(meta),
        ],
      );
      await connection.run('BEGIN TRANSACTION');
      const insert = await connection.prepare(
        'INSERT INTO points VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)',
      );
      for (const point of set.points) {
        insert.bind([
          id,
          point.case,
          point.bench,
          point.system,
          point.cores,
          point.metric,
          point.value,
          point.unit,
          point.ops,
          point.order,
          point.variant === null ? null : String(point.variant),
          point.seed,
          point.iteration ?? 0,
          JSON.stringify(point.params),
          JSON.stringify(point.counters),
        ]);
        await insert.run();
      }
      await connection.run('COMMIT');
      await connection.run('CHECKPOINT');
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
}
