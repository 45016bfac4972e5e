// What the paired speed comparisons (compare-speed.ts, compare-locks.ts) share: loading another
// checkout's model into this process, timing a case in host CPU seconds, and the table of medians
// over rounds that alternate between the two models, so that the load of a shared host falls on
// both. The ratio column is this / other in operations per host CPU second (> 1: this is faster).

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as here from '../src/index.js';

export type Hw = typeof here;

/** One measured case: `body` runs `perCall` operations. */
export interface PairedCase {
  name: string;
  body: () => void;
  perCall: number;
}

/** The other checkout's model and the number of rounds, from `script OTHER_CHECKOUT [rounds]`. */
export async function otherFromArgv(script: string): Promise<{ other: Hw; rounds: number }> {
  const [otherRoot, roundsText = '7'] = process.argv.slice(2);
  if (otherRoot === undefined) {
    throw new RangeError(`usage: tsx bench/${script} OTHER_CHECKOUT [rounds]`);
  }
  const rounds = Number(roundsText);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new RangeError(`rounds ${roundsText} must be a positive integer`);
  }
  const url = pathToFileURL(resolve(otherRoot, 'packages/hw/src/index.ts')).href;
  return { other: (await import(url)) as Hw, rounds };
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Operations per host CPU second of one round (~0.2 s). */
function rate({ body, perCall }: PairedCase): number {
  const start = cpuSeconds();
  let calls = 0;
  do {
    body();
    calls++;
  } while (cpuSeconds() - start < 0.2);
  return (calls * perCall) / (cpuSeconds() - start);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Warms both sides up, then prints, per case, the medians of `rounds` alternating rounds. */
export function printPaired(
  title: string,
  mine: readonly PairedCase[],
  theirs: readonly PairedCase[],
  rounds: number,
): void {
  const sides = [mine, theirs];
  for (const side of sides) for (const c of side) c.body(); // warm-up
  console.log(`${title}, medians of ${rounds} alternating rounds (M operations per host CPU s)`);
  console.log(
    `  ${'case'.padEnd(36)} ${'this'.padStart(8)} ${'other'.padStart(8)} ${'this/other'.padStart(11)}`,
  );
  for (let k = 0; k < mine.length; k++) {
    const rates: number[][] = [[], []];
    for (let round = 0; round < rounds; round++) {
      for (const j of round % 2 === 0 ? [0, 1] : [1, 0]) rates[j].push(rate(sides[j][k]));
    }
    const [a, b] = rates.map(median);
    console.log(
      `  ${mine[k].name.padEnd(36)} ${(a / 1e6).toFixed(2).padStart(8)} ${(b / 1e6).toFixed(2).padStart(8)} ${(a / b).toFixed(2).padStart(11)}`,
    );
  }
}
