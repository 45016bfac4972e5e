// Page-access streams for buffer-pool experiments: uniform random page ids, Zipf-distributed ones
// (skew theta, YCSB's generator after Gray et al., "Quickly generating billion-record synthetic
// databases", SIGMOD 1994: zeta(n, theta) once, then O(1) per draw), and a sequential scan that
// wraps around; each access is a write with a given probability. Deterministic for a seed.
// Invariant: every page id drawn is in 0..pages-1. Zipf ranks are scattered over the page ids by
// a fixed multiplicative permutation, so hot pages are not neighbours (as in a B-tree's leaves).

import { mulberry32 } from '@unimem/core';

export type Workload = 'uniform' | 'zipf' | 'scan';

export interface WorkloadOptions {
  workload: Workload;
  /** Page ids are drawn from 0..pages-1. */
  pages: number;
  /** Zipf skew (default 0.99, YCSB's and vmcache's). */
  theta?: number;
  /** Probability that an access writes (default 0). */
  writeRatio?: number;
  seed?: number;
  /** First page of a scan (default 0; give each core its own start). */
  scanStart?: number;
}

/** An odd multiplier: p → (p × M) mod n is a permutation when gcd(M, n) = 1. */
const SCATTER = 0x9e37_79b1;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class WorkloadGenerator {
  /** Whether the last `next()` drew a write. */
  write = false;
  private readonly random: () => number;
  private readonly pages: number;
  private readonly writeRatio: number;
  private readonly kind: Workload;
  private position: number;
  private readonly theta: number;
  private readonly zetan: number;
  private readonly alpha: number;
  private readonly eta: number;
  private readonly multiplier: number;

  constructor(options: WorkloadOptions) {
    const { pages, workload } = options;
    if (!(Number.isSafeInteger(pages) && pages > 0)) {
      throw new RangeError(`workload pages ${pages} must be a positive integer`);
    }
    if (workload !== 'uniform' && workload !== 'zipf' && workload !== 'scan') {
      throw new RangeError(`workload ${String(workload)} is not uniform, zipf or scan`);
    }
    if (pages >= 2 ** 26) throw new RangeError(`workload pages ${pages} must be below 2^26`);
    const theta = options.theta ?? 0.99;
    if (!(theta > 0 && theta < 1))
      throw new RangeError(`workload theta ${theta} must be in (0, 1)`);
    const writeRatio = options.writeRatio ?? 0;
    if (!(writeRatio >= 0 && writeRatio <= 1)) {
      throw new RangeError(`workload writeRatio ${writeRatio} must be in [0, 1]`);
    }
    this.kind = workload;
    this.pages = pages;
    this.writeRatio = writeRatio;
    this.random = mulberry32(options.seed ?? 1);
    this.position = (options.scanStart ?? 0) % pages;
    this.theta = theta;
    let zetan = 0;
    if (workload === 'zipf') for (let i = 1; i <= pages; i++) zetan += 1 / i ** theta;
    this.zetan = zetan;
    const zeta2 = 1 + 1 / 2 ** theta;
    this.alpha = 1 / (1 - theta);
    this.eta = (1 - (2 / pages) ** (1 - theta)) / (1 - zeta2 / zetan);
    let multiplier = SCATTER % pages;
    while (multiplier === 0 || gcd(multiplier, pages) !== 1) multiplier = (multiplier + 1) % pages;
    this.multiplier = pages === 1 ? 0 : multiplier;
  }

  /** The next page id; sets `write`. */
  next(): number {
    this.write = this.writeRatio > 0 && this.random() < this.writeRatio;
    if (this.kind === 'scan') {
      const pid = this.position;
      this.position = (this.position + 1) % this.pages;
      return pid;
    }
    if (this.kind === 'uniform') return Math.floor(this.random() * this.pages);
    return this.scatter(this.zipfRank());
  }

  /**
   * The page of popularity rank `rank` (0 = hottest): for Zipf the scattered rank, else the
   * page id itself (uniform and scan have no hot pages). Prefill a pool with ranks 0..pool-1 to
   * start from the steady state.
   */
  pageOfRank(rank: number): number {
    return this.kind === 'zipf' ? this.scatter(rank % this.pages) : rank % this.pages;
  }

  private zipfRank(): number {
    const u = this.random();
    const uz = u * this.zetan;
    if (uz < 1) return 0;
    if (uz < 1 + 0.5 ** this.theta) return Math.min(1, this.pages - 1);
    const rank = Math.floor(this.pages * (this.eta * u - this.eta + 1) ** this.alpha);
    return Math.min(rank, this.pages - 1);
  }

  private scatter(rank: number): number {
    return (rank * this.multiplier) % this.pages; // < 2^52: pages < 2^26
  }
}
