// Running the CLI in-process for tests: output lines captured, progress captured, no SIGINT hook.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli.js';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
  progress: string;
}

export async function runCli(args: string[], signal?: AbortSignal): Promise<CliRun> {
  const run: CliRun = { code: -1, out: [], err: [], progress: '' };
  run.code = await main(args, {
    out: (line) => run.out.push(line),
    err: (line) => run.err.push(line),
    progress: { write: (text) => (run.progress += text), isTTY: false },
    signal: signal ?? new AbortController().signal,
  });
  return run;
}

export function tempDir(prefix = 'unimem-bench-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A small, fast sweep: the default suite on llfree (the frames.* benchmarks) at 1, 2, 4 cores. */
export const SMALL = ['--systems', 'llfree', '--cores', '1,2,4', '--scale', '0.02', '--seeds', '1'];
