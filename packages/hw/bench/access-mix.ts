// The access mix of the simulator-speed benchmarks (index.ts (a), compare-speed.ts): each of 16
// cores works on its own 256 lines (4096 words) and shares 64 lines with everyone; a fixed stream
// of 90 % private accesses (70 % load, 20 % RMW, 10 % store) and 10 % shared ones (mostly loads,
// some RMWs), drawn from a xorshift generator so every run sees the same mix, in bursts of 16
// accesses per core (about one allocator operation).

import type { AtomicWords, Machine, ProgramFactory } from '../src/index.js';

export const CORES = 16;
const PRIVATE_WORDS = 4096;
const SHARED_WORDS = 64 * 16;
export const WORDS = CORES * PRIVATE_WORDS + SHARED_WORDS;
/** Accesses a core makes before the next core runs. */
export const BURST = 16;
export const STREAM = 1 << 16;

export interface AccessStream {
  index: Int32Array;
  /** 0 load, 1 RMW (add), 2 store. */
  kind: Uint8Array;
}

export function accessStream(): AccessStream {
  const index = new Int32Array(STREAM);
  const kind = new Uint8Array(STREAM);
  let x = 0x9e3779b9;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < STREAM; i++) {
    const core = Math.floor(i / BURST) % CORES;
    const shared = next() < 0.1;
    index[i] = shared
      ? CORES * PRIVATE_WORDS + Math.floor(next() * SHARED_WORDS)
      : core * PRIVATE_WORDS + Math.floor(next() * PRIVATE_WORDS);
    const r = next();
    kind[i] = shared ? (r < 0.8 ? 0 : 1) : r < 0.7 ? 0 : r < 0.9 ? 1 : 2;
  }
  return { index, kind };
}

/** Access `i` of the stream on `words`; returns what a load or RMW returned (0 for a store). */
function access(words: AtomicWords, stream: AccessStream, i: number): number {
  const k = stream.kind[i];
  if (k === 0) return words.load(stream.index[i]);
  if (k === 1) return words.add(stream.index[i], 1);
  words.store(stream.index[i], i);
  return 0;
}

/**
 * The whole stream called directly; with a machine, its current core changes every burst (the
 * accesses of burst b are core b % CORES's). Returns a sum so the work cannot be optimised away.
 */
export function runStream(
  words: AtomicWords,
  machine: Machine | undefined,
  stream: AccessStream,
): number {
  let sum = 0;
  for (let i = 0; i < STREAM; i++) {
    if (machine !== undefined && (i & (BURST - 1)) === 0) {
      machine.current = (i / BURST) % CORES;
    }
    sum += access(words, stream, i);
  }
  return sum;
}

/** The same stream through `machine.run`: core c runs bursts c, c + CORES, …, one step each. */
export function streamProgram(words: AtomicWords, stream: AccessStream): ProgramFactory {
  return (core) =>
    (function* () {
      for (let b = core; b < STREAM / BURST; b += CORES) {
        for (let i = b * BURST; i < (b + 1) * BURST; i++) access(words, stream, i);
        yield;
      }
    })();
}
