// Writing files so that a reader never sees half of one: every file is written to a temporary
// name beside its target and renamed over it (a rename within one directory is atomic on POSIX).
// A crash or Ctrl-C leaves at most a stray `.tmp-*` file, never a truncated result.

import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A fresh temporary path beside `path`. */
export function tempPathFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Runs `write(temp)` to produce a file, then renames it to `path`. */
export async function produceAtomic(path: string, write: (temp: string) => Promise<void>) {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    await write(temp);
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
    rmSync(`${temp}.wal`, { force: true });
  }
}
