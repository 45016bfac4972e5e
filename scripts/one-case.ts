// One case of a quick sweep (benchmark × system × core count × variant, seed 1), planned from a
// checkout's sources, for the scripts that run a single case in their own process
// (case-cpu.ts: its host CPU time; line-regions.ts: where its line waits are).

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface OneCase {
  /** Runs the case (`runCase` of apps/bench/src/point.ts, with its options). */
  run(options?: { onMachine?: (machine: unknown) => void }): Point[];
  /** sha256 digest of points (apps/bench/src/digest.ts). */
  digest(points: Point[]): string;
}

export interface Point {
  metric: string;
  value: number;
  unit: string;
  ops: number;
  counters: Record<string, number>;
}

/** Plans `bench` on `system` at `cores` (the case of `variant`, else the first) from `checkout`. */
export async function planOneCase(
  checkout: string,
  bench: string,
  system: string,
  cores: number,
  variant?: string,
): Promise<OneCase> {
  const load = (path: string) => import(pathToFileURL(resolve(checkout, path)).href);
  const { createRegistry } = await load('apps/bench/src/registry.ts');
  const { planSweep } = await load('apps/bench/src/plan.ts');
  const { runCase } = await load('apps/bench/src/point.ts');
  const { pointsDigest } = await load('apps/bench/src/digest.ts');
  const { resolveProfile } = await load('packages/hw/src/index.ts');

  const registry = createRegistry();
  const { info } = planSweep(registry, {
    names: registry.parseBenchmarkNames([bench]),
    systems: [system],
    cores: [cores],
    scale: 1,
    seed: 1,
    order: 0,
    full: false,
    profile: resolveProfile('epyc-9654p-guest'),
  });
  const index = info.cases.findIndex(
    (c: { variant?: string }) => !variant || c.variant === variant,
  );
  if (index < 0) {
    throw new UsageError(
      `${bench} has no case of variant "${variant}" on ${system} at ${cores} cores`,
    );
  }
  return {
    run: (options = {}) => runCase(registry, info, index, options),
    digest: (points) => pointsDigest(points),
  };
}

/** A bad argument: the script prints the message and exits with 2. */
export class UsageError extends Error {}
