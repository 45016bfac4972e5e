// Slicing a sweep for several machines or cluster array tasks: `--shard i/n` (1-based, as in
// Playwright or Jest) runs cases i-1, i-1+n, i-1+2n, ... of the sweep, so every shard gets a mix
// of small and large core counts. Without --shard, a SLURM array task takes its slice from
// SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN (+1) of SLURM_ARRAY_TASK_COUNT. `unimem merge` joins
// the slices' result sets (merge.ts).

import { UsageError } from './usage-error.js';

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string, origin = '--shard'): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`${origin} "${text}" must be i/n with 1 <= i <= n (example: --shard 2/4)`);
  }
  return { index, count };
}

/** The shard named on the command line, else the SLURM array task's, else none. */
export function resolveShard(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Shard | null {
  if (option !== undefined) return parseShard(option);
  const id = env.SLURM_ARRAY_TASK_ID;
  const count = env.SLURM_ARRAY_TASK_COUNT;
  if (id === undefined || count === undefined) return null;
  const min = env.SLURM_ARRAY_TASK_MIN ?? '0';
  const index = Number(id) - Number(min) + 1;
  return parseShard(
    `${index}/${count}`,
    `SLURM_ARRAY_TASK_ID ${id} (min ${min}) of SLURM_ARRAY_TASK_COUNT`,
  );
}

/** Case indices of one shard of a sweep with `cases` cases. */
export function shardCases(cases: number, shard: Shard | null): number[] {
  const all = Array.from({ length: cases }, (_, i) => i);
  return shard === null ? all : all.filter((i) => i % shard.count === shard.index - 1);
}
