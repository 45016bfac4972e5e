// Validation and loading of profiles. A profile from a file is checked field by field and
// rejected with a RangeError naming the first bad field, so that a typo never silently turns
// into a default. A file may say `"extends": "<built-in name>"` and override only some figures.

import { readFileSync } from 'node:fs';
import type { CostTable, Figure, Profile } from './api.js';
import { builtinProfiles, defaultProfile } from './profiles.js';

const COST_FIELDS: ReadonlyArray<keyof CostTable> = Object.keys(defaultProfile.costs) as Array<
  keyof CostTable
>;

/** Top-level fields holding a Figure: every one the default profile has (new ones included). */
const TOP_FIGURES: ReadonlyArray<string> = Object.entries(defaultProfile)
  .filter(([, value]) => typeof value === 'object' && value !== null && 'value' in value)
  .map(([field]) => field);

/** The values a figure may take: inclusive bounds, and whether it counts things (an integer). */
export interface FigureRange {
  min: number;
  max: number;
  integer: boolean;
}

const count = (min: number, max: number): FigureRange => ({ min, max, integer: true });
const real = (min: number, max: number): FigureRange => ({ min, max, integer: false });

/**
 * Sane ranges of the figures, wide enough for any real or what-if x86-64 machine and narrow
 * enough that the model's typed arrays can be allocated and cycle sums stay exact integers
 * (below 2^53, which DuckDB's BIGINT columns need). The reasons are in packages/hw/README.md
 * ("Profile ranges").
 */
export const FIGURE_RANGES: Readonly<Record<string, FigureRange>> = {
  cores: count(1, 4096),
  coresPerCcd: count(1, 4096),
  frequencyGhz: real(0.1, 10),
  memoryBytes: count(2 ** 22, 2 ** 42),
  privateCacheLines: count(1, 2 ** 24),
  tlbL1Entries: count(1, 2 ** 12),
  tlbL2Entries: count(1, 2 ** 16),
  'costs.l1Hit': real(0, 100),
  'costs.l2Hit': real(0, 1000),
  'costs.l3Hit': real(0, 10_000),
  'costs.dram': real(0, 100_000),
  'costs.zeroHugePage': real(0, 1e8),
  'costs.zeroHugePageByPages': real(0, 1e8),
};

/** A figure without a specific range: any top-level count, any cost up to 10^7 cycles. */
export const GENERIC_TOP_RANGE: FigureRange = count(1, 2 ** 42);
export const GENERIC_COST_RANGE: FigureRange = real(0, 1e7);

/** The range a figure must lie in (`costs.<name>` for costs). */
export function figureRange(field: string): FigureRange {
  return (
    FIGURE_RANGES[field] ?? (field.startsWith('costs.') ? GENERIC_COST_RANGE : GENERIC_TOP_RANGE)
  );
}

function fail(field: string, message: string, value: unknown): never {
  throw new RangeError(`profile field "${field}" ${message}, got ${JSON.stringify(value)}`);
}

function checkFigure(field: string, figure: unknown): Figure {
  if (typeof figure !== 'object' || figure === null)
    fail(field, 'must be { value, source }', figure);
  const { value, source } = figure as Record<string, unknown>;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(`${field}.value`, 'must be a finite number', value);
  }
  const range = figureRange(field);
  if (range.integer && !Number.isSafeInteger(value)) {
    fail(`${field}.value`, `must be an integer in ${range.min}..${range.max}`, value);
  }
  if (value < range.min || value > range.max) {
    const kind = range.integer ? 'an integer' : 'a number';
    fail(`${field}.value`, `must be ${kind} in ${range.min}..${range.max}`, value);
  }
  if (typeof source !== 'string' || source.trim() === '') {
    fail(`${field}.source`, 'must name where the figure comes from', source);
  }
  return { value, source };
}

/** Checks an untrusted object and returns it as a Profile; throws RangeError naming the field. */
export function validateProfile(data: unknown): Profile {
  if (typeof data !== 'object' || data === null) fail('(root)', 'must be an object', data);
  const raw = data as Record<string, unknown>;
  if (typeof raw.name !== 'string' || raw.name === '') fail('name', 'must be a string', raw.name);
  const description = raw.description ?? '';
  if (typeof description !== 'string') fail('description', 'must be a string', description);
  const profile: Record<string, unknown> = { name: raw.name, description };
  for (const field of TOP_FIGURES) profile[field] = checkFigure(field, raw[field]);
  if (typeof raw.costs !== 'object' || raw.costs === null)
    fail('costs', 'must be an object', raw.costs);
  const rawCosts = raw.costs as Record<string, unknown>;
  const costs: Record<string, Figure> = {};
  for (const field of COST_FIELDS) costs[field] = checkFigure(`costs.${field}`, rawCosts[field]);
  for (const field of Object.keys(rawCosts)) {
    if (!(field in costs))
      fail(`costs.${field}`, `is not a known cost (${COST_FIELDS.join(', ')})`, rawCosts[field]);
  }
  for (const field of Object.keys(raw)) {
    if (!(field in profile) && field !== 'costs' && field !== 'extends') {
      fail(field, 'is not a profile field', raw[field]);
    }
  }
  profile.costs = costs;
  return profile as unknown as Profile;
}

function merge(base: unknown, override: unknown): unknown {
  if (
    typeof base !== 'object' ||
    base === null ||
    typeof override !== 'object' ||
    override === null
  ) {
    return override;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override as Record<string, unknown>)) {
    out[key] = key in out ? merge(out[key], value) : value;
  }
  return out;
}

/** A built-in profile by name; throws RangeError listing the known names. */
export function builtinProfile(name: string): Profile {
  const found = builtinProfiles.find((profile) => profile.name === name);
  if (!found) {
    const known = builtinProfiles.map((profile) => profile.name).join(', ');
    throw new RangeError(
      `unknown profile "${name}" (built-in: ${known}; or a path to a .json file)`,
    );
  }
  return found;
}

/** Parses profile JSON text (supports `"extends": "<built-in>"`). */
export function parseProfile(text: string, origin = 'profile'): Profile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new RangeError(`${origin} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data === 'object' && data !== null && 'extends' in data) {
    const base = (data as { extends: unknown }).extends;
    if (typeof base !== 'string') fail('extends', 'must name a built-in profile', base);
    data = merge(builtinProfile(base), data);
  }
  try {
    return validateProfile(data);
  } catch (error) {
    throw new RangeError(`${origin}: ${(error as Error).message}`);
  }
}

/** Reads and validates a profile file. */
export function loadProfile(path: string): Profile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RangeError(`cannot read profile file "${path}": ${(error as Error).message}`);
  }
  return parseProfile(text, `profile file "${path}"`);
}

/** A built-in name or a path to a JSON file (anything ending in .json or containing a slash). */
export function resolveProfile(nameOrPath: string): Profile {
  if (nameOrPath.endsWith('.json') || nameOrPath.includes('/')) return loadProfile(nameOrPath);
  return builtinProfile(nameOrPath);
}
