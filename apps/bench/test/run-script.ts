// Running one of the repository's node scripts (scripts/*.mjs) from a test: its exit code,
// stdout and stderr, whether it succeeds or fails.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export interface ScriptRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `node scripts/<name> ...args` from the repository root's scripts folder. */
export function runScript(name: string, ...args: string[]): ScriptRun {
  const script = resolve(import.meta.dirname, '../../../scripts', name);
  try {
    const out = execFileSync(process.execPath, [script, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, out, err: '' };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { code: failed.status, out: failed.stdout, err: failed.stderr };
  }
}
