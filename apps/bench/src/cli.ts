// The `unimem` command line (bin.ts runs it). From the repository root: `pnpm unimem <command>`.
// Every bad input ends in one line naming the value and what is allowed, and exit code 2.

import { parseArgs } from 'node:util';
import { builtinProfiles, resolveProfile } from '@unimem/hw';
import { runDemo } from './demo.js';

export const USAGE = `unimem — DBMS-aware memory management for unikernels, on a modelled multicore machine

Usage: pnpm unimem <command> [options]

Commands:
  demo [--profile NAME|FILE] [--cores LIST]
                    Demonstrates the hardware model: one shared cache line vs private
                    lines vs one mutex, over core counts (default 1,2,4,...,64)
  list              Lists profiles (benchmarks and systems arrive with the runner)
  help              Prints this text

Options:
  --profile NAME|FILE   machine profile: a built-in name or a JSON file (default epyc-9654p-guest)
  --cores LIST          comma-separated core counts, e.g. 1,4,16,64
`;

export class UsageError extends Error {}

export function parseCoreList(text: string, maxCores: number): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const cores = parts.map((part) => Number(part));
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === '' || !Number.isInteger(cores[i]) || cores[i] < 1 || cores[i] > maxCores) {
      throw new UsageError(
        `--cores "${text}": "${parts[i]}" is not a core count in 1..${maxCores} (example: 1,4,16,64)`,
      );
    }
  }
  return cores;
}

export function main(argv: string[], out: (line: string) => void = console.log): number {
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return 0;
      case 'list':
        for (const profile of builtinProfiles)
          out(`profile  ${profile.name}  ${profile.description}`);
        return 0;
      case 'demo': {
        const { values } = parseArgs({
          args: rest,
          options: { profile: { type: 'string' }, cores: { type: 'string' } },
          strict: true,
        });
        const profile = resolveProfile(values.profile ?? 'epyc-9654p-guest');
        const cores = parseCoreList(values.cores ?? '1,2,4,8,16,32,64', 1024);
        runDemo(profile, cores, out);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}" (commands: demo, list, help)`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof RangeError || isArgError(error)) {
      console.error(`unimem: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

function isArgError(error: unknown): boolean {
  return (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS') ?? false;
}
