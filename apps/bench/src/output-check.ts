// Checking, before the first case runs, that the outputs of a run can be written: the --out
// folder is created (one level at a time: Node's recursive mkdir never returns on /proc, where
// mkdir fails with ENOENT for ever) and a probe file is written into it and into the --json
// file's folder. Invariant: a sweep starts only if its results can be written, and a check that
// fails leaves behind no folder it created.

import { existsSync, mkdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './usage-error.js';

/** Folders created by one check, removed again if a later check fails. */
export type Created = string[];

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}` : e.message;
}

/**
 * Creates `dir` and its missing parents one by one; returns the folders it created (outermost
 * first). Throws a UsageError naming `option` if a parent is a file or a folder cannot be made.
 */
export function makeFolders(option: string, given: string, dir: string): Created {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  if (existsSync(at) && !statSync(at).isDirectory()) {
    throw new UsageError(`${option} "${given}" cannot be created: "${at}" is a file, not a folder`);
  }
  const created: Created = [];
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      removeFolders(created);
      throw new UsageError(
        `${option} "${given}" cannot be created: mkdir "${folder}" failed (${reason(error)})`,
      );
    }
    created.push(folder);
  }
  return created;
}

/** Removes folders `makeFolders` created (innermost first), if they are still empty. */
export function removeFolders(created: Created): void {
  for (const folder of [...created].reverse()) {
    try {
      rmdirSync(folder);
    } catch {
      // not empty or gone: leave it
    }
  }
}

/** Writes and removes a probe file in `dir`; throws a UsageError naming `option` if it fails. */
function probe(option: string, given: string, dir: string): void {
  const file = join(dir, `.unimem-write-check-${process.pid}`);
  try {
    writeFileSync(file, 'x');
  } catch (error) {
    throw new UsageError(`${option} "${given}" is not writable: ${reason(error)} in "${dir}"`);
  } finally {
    rmSync(file, { force: true });
  }
}

/** Checks that the file `path` (the value of `option`) can be written, creating its folder. */
export function checkOutputFile(option: string, path: string): Created {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new UsageError(`${option} "${path}" is a folder, not a file`);
  }
  const folder = dirname(resolve(path));
  const created = makeFolders(option, path, folder);
  try {
    probe(option, path, folder);
  } catch (error) {
    removeFolders(created);
    throw error;
  }
  return created;
}

/**
 * Checks that the results folder `out` and the JSON copy `json` can be written, creating `out`.
 * Returns the folders it created. Throws a UsageError (and removes what it created) otherwise.
 */
export function checkOutputs(out: { option: string; given: string; dir: string }, json?: string) {
  if (existsSync(out.dir) && !statSync(out.dir).isDirectory()) {
    throw new UsageError(`${out.option} "${out.given}" is a file, not a folder`);
  }
  if (json !== undefined && existsSync(json) && statSync(json).isDirectory()) {
    throw new UsageError(`--json "${json}" is a folder, not a file`);
  }
  const created = makeFolders(out.option, out.given, out.dir);
  try {
    probe(out.option, out.given, out.dir);
    if (json !== undefined) {
      created.push(...makeFolders('--json', json, dirname(resolve(json))));
      probe('--json', json, dirname(resolve(json)));
    }
  } catch (error) {
    removeFolders(created);
    throw error;
  }
  return created;
}
