// Writing a result set to its folder: results.json, results.duckdb and report.html, each
// atomically (temporary name, then rename), plus a copy of the JSON wherever --json asks.

import { join } from 'node:path';
import type { ResultSet } from '../api.js';
import { renderHtml } from '../report/html.js';
import { writeFileAtomic } from './atomic.js';
import { RESULTS_DUCKDB, writeDuckDb } from './duckdb.js';
import { RESULTS_JSON, toJson } from './json.js';

export const REPORT_HTML = 'report.html';

export interface Written {
  json: string;
  duckdb: string;
  report: string;
  extraJson?: string;
}

export async function writeResultSet(
  dir: string,
  set: ResultSet,
  jsonCopy?: string,
): Promise<Written> {
  const json = toJson(set);
  const written: Written = {
    json: join(dir, RESULTS_JSON),
    duckdb: join(dir, RESULTS_DUCKDB),
    report: join(dir, REPORT_HTML),
  };
  writeFileAtomic(written.json, json);
  await writeDuckDb(written.duckdb, set);
  writeFileAtomic(written.report, renderHtml(set));
  if (jsonCopy) {
    writeFileAtomic(jsonCopy, json);
    written.extraJson = jsonCopy;
  }
  return written;
}

/** Re-renders report.html of a folder from its result set. */
export function writeReport(dir: string, set: ResultSet): string {
  const path = join(dir, REPORT_HTML);
  writeFileAtomic(path, renderHtml(set));
  return path;
}
