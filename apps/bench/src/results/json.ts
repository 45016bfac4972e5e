// The JSON form of a result set (`results.json` in the output folder, and `--json FILE`):
// `{ "points": [...], "meta": {...} }` with the fields of Point and ResultMeta (api.ts). Reading
// checks the shape so that `report` and `merge` fail with one line naming the file and the field
// instead of drawing nonsense.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Point, ResultSet } from '../api.js';
import { UsageError } from '../usage-error.js';
import { writeFileAtomic } from './atomic.js';

export const RESULTS_JSON = 'results.json';
export const FORMAT = 'unimem-results/1';

export function toJson(set: ResultSet): string {
  return `${JSON.stringify(set, null, 1)}\n`;
}

export function writeJson(path: string, set: ResultSet): void {
  writeFileAtomic(path, toJson(set));
}

/** `path` itself if it is a file, else `path/results.json`. */
export function resultsFile(path: string): string {
  if (!existsSync(path))
    throw new UsageError(`"${path}" does not exist (expected a results folder or a results.json)`);
  return statSync(path).isDirectory() ? join(path, RESULTS_JSON) : path;
}

/** Reads and checks a result set from a folder or a JSON file. */
export function readResultSet(path: string): ResultSet {
  const file = resultsFile(path);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : (error as Error).message;
    throw new UsageError(`cannot read result set "${file}": ${reason}`);
  }
  const problem = checkShape(data);
  if (problem) throw new UsageError(`"${file}" is not a unimem result set: ${problem}`);
  return data as ResultSet;
}

const POINT_FIELDS: Array<[keyof Point, string]> = [
  ['bench', 'string'],
  ['system', 'string'],
  ['cores', 'number'],
  ['metric', 'string'],
  ['value', 'number'],
  ['unit', 'string'],
  ['counters', 'object'],
  ['case', 'number'],
];

function checkShape(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return 'not an object';
  const { points, meta } = data as Partial<ResultSet>;
  if (!Array.isArray(points)) return 'field "points" is not an array';
  if (typeof meta !== 'object' || meta === null) return 'field "meta" is missing';
  if (meta.format !== FORMAT)
    return `meta.format is ${JSON.stringify(meta.format)}, expected "${FORMAT}"`;
  if (typeof meta.sweep !== 'object' || !Array.isArray(meta.sweep?.cases)) {
    return 'meta.sweep.cases is missing';
  }
  for (let i = 0; i < points.length; i++) {
    for (const [field, type] of POINT_FIELDS) {
      const value = (points[i] as unknown as Record<string, unknown>)[field];
      if (typeof value !== type || value === null) return `points[${i}].${field} is not a ${type}`;
    }
  }
  return undefined;
}
