// Parsers of the CLI's option values. Each accepts exactly the documented form and otherwise
// throws a UsageError naming the option, the value and what is allowed (never a silent clamp).

import { UsageError } from './usage-error.js';

/** Most cores a simulated machine may have (beyond any profile: what-if runs). */
export const MAX_CORES = 1024;

export function parseCoreList(text: string, maxCores = MAX_CORES): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const seen = new Set<number>();
  for (const part of parts) {
    const cores = /^\d+$/.test(part) ? Number(part) : Number.NaN;
    if (!(cores >= 1 && cores <= maxCores)) {
      throw new UsageError(
        `--cores "${text}": "${part}" is not a core count in 1..${maxCores} (example: --cores 1,4,16,64)`,
      );
    }
    if (seen.has(cores)) throw new UsageError(`--cores "${text}": ${cores} appears twice`);
    seen.add(cores);
  }
  return [...seen];
}

export function parseNameList(option: string, text: string): string[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) {
    throw new UsageError(
      `${option} "${text}" has an empty name (example: ${option} llfree,reference)`,
    );
  }
  return names;
}

/**
 * Largest --scale. The largest memory a benchmark uses at scale 1 is 124 GiB (repeat, --full);
 * a simulated machine holds at most 2^31 - 2^14 frames (8 TiB, the frame allocators' limit);
 * 64 × 124 GiB stays below it. (Work scales too: 64 is already days of host time at --full.)
 */
export const MAX_SCALE = 64;

export function parseScale(text: string): number {
  const value = /^\s*[0-9]*\.?[0-9]+(e[-+]?\d+)?\s*$/i.test(text) ? Number(text) : Number.NaN;
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new UsageError(`--scale "${text}" must be a positive number (example: --scale 0.5)`);
  }
  if (value > MAX_SCALE) {
    throw new UsageError(
      `--scale "${text}" is above ${MAX_SCALE}, the most the simulated memory allows (8 TiB of frames for 124 GiB benchmarks)`,
    );
  }
  return value;
}

/**
 * Joins a long option with a following negative number (`--scale -1` becomes
 * `--scale=-1`), which parseArgs would otherwise take for an option and report as ambiguous;
 * the option's own parser then rejects the value with its range.
 */
export function joinNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (/^--\w[\w-]*$/.test(args[i]) && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else {
      out.push(args[i]);
    }
  }
  return out;
}

export function parseInteger(option: string, text: string, min: number, max: number): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(`${option} "${text}" must be an integer in ${min}..${max}`);
  }
  return value;
}

/** Replicas per point; the default suite (no names, quick) runs 3 seeds, anything else 1. */
export function parseReplicas(
  values: { seeds?: string; iterations?: string },
  defaultSuite: boolean,
): { seeds: number; iterations: number } {
  return {
    seeds:
      values.seeds === undefined
        ? defaultSuite
          ? DEFAULT_SUITE_SEEDS
          : 1
        : parseInteger('--seeds', values.seeds, 1, 1000),
    iterations:
      values.iterations === undefined
        ? 1
        : parseInteger('--iterations', values.iterations, 1, 1000),
  };
}

/** Seeds of the quick default suite (`unimem bench` without names). */
export const DEFAULT_SUITE_SEEDS = 3;
