// Where cores sit relative to each other: same core, same cache domain (CCD: shared L3), or
// another CCD. Line transfer costs are looked up by this distance, so that the cost of sharing
// depends on placement, never on how many cores the run uses.

export const Distance = { SameCore: 0, SameCcd: 1, CrossCcd: 2 } as const;
export type Distance = (typeof Distance)[keyof typeof Distance];

export class Topology {
  /** CCD index of each core. */
  private readonly ccdOf: Int32Array;

  constructor(
    readonly cores: number,
    readonly coresPerCcd: number,
  ) {
    if (!Number.isInteger(cores) || cores < 1) {
      throw new RangeError(`cores ${cores} must be a positive integer`);
    }
    if (!Number.isInteger(coresPerCcd) || coresPerCcd < 1) {
      throw new RangeError(`coresPerCcd ${coresPerCcd} must be a positive integer`);
    }
    this.ccdOf = new Int32Array(cores);
    for (let core = 0; core < cores; core++) this.ccdOf[core] = Math.floor(core / coresPerCcd);
  }

  ccd(core: number): number {
    return this.ccdOf[core];
  }

  distance(a: number, b: number): Distance {
    if (a === b) return Distance.SameCore;
    return this.ccdOf[a] === this.ccdOf[b] ? Distance.SameCcd : Distance.CrossCcd;
  }
}
