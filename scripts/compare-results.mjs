// Compares two unimem result sets (a results folder, its results.json, or a `--json FILE`) and
// exits 1 on any difference, 0 when they are identical: the check that a refactor changes no
// number. Invariant: every field is compared exactly (numbers with ===) except the ones below,
// which differ between two runs of the same sweep on the same code:
//
//   meta.startedAt, meta.finishedAt   wall-clock timestamps
//   meta.caseHostMs                   host milliseconds per case (durations)
//   meta.host                         host name, CPU model, memory, Node version
//   meta.jobs                         number of worker threads (`--jobs`)
//   meta.command, meta.argv, meta.cwd the command line and where it ran (`--out`, `--json` paths)
//   meta.versions                     the git commit (and package versions: a refactor may add a
//                                     workspace dependency to @unimem/bench)
//   meta.mergedFrom                   paths of the result sets `unimem merge` read
//
// Points are matched by what they measure (bench, system, cores, metric, variant, seed,
// iteration), so a point missing on one side is named; then every other field (value, counters,
// ops, params, case, ...) and the order of the points are compared.
//
//   node scripts/compare-results.mjs A B [--ignore meta.FIELD|FIELD]... [--max N]
//
// Prints the first N differences (default 20), one per line, then a summary line. Exit codes:
// 0 identical, 1 different, 2 bad usage or an unreadable / invalid file (one line on stderr).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const FORMAT = 'unimem-results/1';
const IGNORED_META = [
  'startedAt',
  'finishedAt',
  'caseHostMs',
  'host',
  'jobs',
  'command',
  'argv',
  'cwd',
  'versions',
  'mergedFrom',
];
const IDENTITY = ['bench', 'system', 'cores', 'metric', 'variant', 'seed', 'iteration'];

class Usage extends Error {}

function parseArgs(argv) {
  const files = [];
  const ignore = new Set();
  let max = 20;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--ignore' || arg === '--max') {
      const value = argv[++i];
      if (value === undefined) throw new Usage(`${arg} needs a value`);
      if (arg === '--ignore') ignore.add(value);
      else {
        max = Number(value);
        if (!Number.isInteger(max) || max < 1)
          throw new Usage(`--max ${value}: expected a positive integer`);
      }
    } else if (arg === '-h' || arg === '--help') {
      throw new Usage('usage: node scripts/compare-results.mjs A B [--ignore FIELD]... [--max N]');
    } else if (arg.startsWith('-')) throw new Usage(`unknown option ${arg}`);
    else files.push(arg);
  }
  if (files.length !== 2)
    throw new Usage(
      `expected two result sets (got ${files.length}); usage: node scripts/compare-results.mjs A B`,
    );
  return { files, ignore, max };
}

/** Reads a result set from a folder (its results.json) or a file; throws one line on failure. */
function readResultSet(path) {
  if (!existsSync(path)) throw new Usage(`"${path}" does not exist`);
  const file = statSync(path).isDirectory() ? join(path, 'results.json') : path;
  let data;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error.code === 'ENOENT' ? 'no such file' : error.message;
    throw new Usage(`cannot read result set "${file}": ${reason}`);
  }
  const problem =
    typeof data !== 'object' || data === null
      ? 'not an object'
      : !Array.isArray(data.points)
        ? 'field "points" is not an array'
        : typeof data.meta !== 'object' || data.meta === null
          ? 'field "meta" is missing'
          : data.meta.format !== FORMAT
            ? `meta.format is ${JSON.stringify(data.meta.format)}, expected "${FORMAT}"`
            : undefined;
  if (problem) throw new Usage(`"${file}" is not a unimem result set: ${problem}`);
  return data;
}

const show = (value) => (value === undefined ? 'absent' : JSON.stringify(value));

/** Every path below `path` where `a` and `b` differ, depth first, as [path, a, b]. */
function* diff(a, b, path, ignore) {
  if (ignore.has(path)) return;
  if (a === b) return;
  const bothObjects = typeof a === 'object' && typeof b === 'object' && a !== null && b !== null;
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    yield [path, a, b];
    return;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const sub = Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    yield* diff(a[key], b[key], sub, ignore);
  }
}

function identity(point) {
  return IDENTITY.map((field) => show(point[field])).join('|');
}

function label(point) {
  const variant = point.variant == null ? '' : ` ${JSON.stringify(point.variant)}`;
  const iteration = point.iteration === undefined ? '' : ` iteration ${point.iteration}`;
  return `${point.bench} / ${point.system} / ${point.cores} cores / ${point.metric}${variant} (seed ${point.seed}${iteration})`;
}

/** Points keyed by identity; a repeated identity gets `#n` so that it is still compared. */
function keyed(points) {
  const map = new Map();
  for (const point of points) {
    let key = identity(point);
    for (let n = 2; map.has(key); n++) key = `${identity(point)}#${n}`;
    map.set(key, point);
  }
  return map;
}

function* comparePoints(a, b, ignore) {
  const left = keyed(a);
  const right = keyed(b);
  for (const [key, point] of left) {
    const other = right.get(key);
    if (!other) {
      yield `only in A: ${label(point)} = ${point.value}`;
      continue;
    }
    for (const [path, x, y] of diff(point, other, '', ignore))
      yield `${label(point)}: ${path} ${show(x)} vs ${show(y)}`;
  }
  for (const [key, point] of right)
    if (!left.has(key)) yield `only in B: ${label(point)} = ${point.value}`;
  if (left.size === right.size) {
    const order = [...left.keys()];
    const otherOrder = [...right.keys()];
    const at = order.findIndex((key, i) => key !== otherOrder[i]);
    if (at >= 0 && order.every((key) => right.has(key)))
      yield `points are in a different order from index ${at}: ${label(left.get(order[at]))} vs ${label(right.get(otherOrder[at]))}`;
  }
}

function main(argv) {
  const { files, ignore, max } = parseArgs(argv);
  const [a, b] = files.map(readResultSet);
  const metaIgnore = new Set(IGNORED_META.map((field) => `meta.${field}`));
  const pointIgnore = new Set();
  for (const field of ignore) (field.startsWith('meta.') ? metaIgnore : pointIgnore).add(field);
  const differences = [
    ...comparePoints(a.points, b.points, pointIgnore),
    ...[...diff(a.meta, b.meta, 'meta', metaIgnore)].map(
      ([path, x, y]) => `${path}: ${show(x)} vs ${show(y)}`,
    ),
  ];
  const ignored = [...metaIgnore, ...pointIgnore].join(', ');
  if (differences.length === 0) {
    console.log(`identical: ${a.points.length} points (ignored: ${ignored})`);
    return 0;
  }
  for (const line of differences.slice(0, max)) console.log(line);
  const shown = differences.length > max ? `, first ${max} shown` : '';
  console.log(
    `different: ${differences.length} difference${differences.length === 1 ? '' : 's'}${shown} (A ${files[0]}: ${a.points.length} points, B ${files[1]}: ${b.points.length} points)`,
  );
  return 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof Usage)) throw error;
  console.error(`compare-results: ${error.message}`);
  process.exitCode = 2;
}
