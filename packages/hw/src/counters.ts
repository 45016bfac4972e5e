// Named event counters kept per core (one Float64Array per counter), so that every result can be
// explained by the model's own events: lock waits, line transfers, IPIs, faults, TLB misses.
// A counter is defined once by name and then addressed by a small integer id on the hot path.

export class Counters {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly values: Float64Array[] = [];

  constructor(readonly cores: number) {}

  /** Id of the counter `name`, defining it on first use (idempotent). */
  define(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
      this.values.push(new Float64Array(this.cores));
    }
    return id;
  }

  /**
   * The per-core values of counter `id` itself, for a hot path that adds to them directly
   * (`values[core] += n`: one load fewer per event than `add`). The array is the counter's for
   * its whole life (`reset` zeroes it in place).
   */
  valuesOf(id: number): Float64Array {
    const values = this.values[id];
    if (values === undefined) throw new RangeError(`counter id ${id} was never defined`);
    return values;
  }

  add(core: number, id: number, amount = 1): void {
    this.values[id][core] += amount;
  }

  get(core: number, id: number): number {
    return this.values[id][core];
  }

  /** Sum of a counter over all cores. */
  total(id: number): number {
    let sum = 0;
    for (const value of this.values[id]) sum += value;
    return sum;
  }

  /** Value of `name` summed over cores (0 when never defined). */
  totalOf(name: string): number {
    const id = this.ids.get(name);
    return id === undefined ? 0 : this.total(id);
  }

  /** All counters of one core by name. */
  perCore(core: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (let id = 0; id < this.names.length; id++) out[this.names[id]] = this.values[id][core];
    return out;
  }

  /** All counters summed over cores, by name. */
  totals(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let id = 0; id < this.names.length; id++) out[this.names[id]] = this.total(id);
    return out;
  }

  /** Sets every counter of every core to zero (definitions stay). */
  reset(): void {
    for (const value of this.values) value.fill(0);
  }
}

/**
 * Adds, counter by counter, what happened between two snapshots (`after − before`, a counter
 * missing from `before` counting from 0) to `into`: the events of a measured phase.
 */
export function addCounterDifference(
  into: Record<string, number>,
  after: Record<string, number>,
  before: Record<string, number>,
): void {
  for (const [name, value] of Object.entries(after)) {
    into[name] = (into[name] ?? 0) + value - (before[name] ?? 0);
  }
}
