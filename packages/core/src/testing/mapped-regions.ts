// The mapped address space of a test double or an observer: sorted, disjoint [start, end)
// regions. Invariant: `list` is sorted by start and no two regions overlap; mapping adds a region,
// unmapping cuts [start, end) out of whatever regions it touches.

/** `regions` ([start, end) pairs) with [start, end) cut out, splitting regions it falls inside. */
export function subtractRange(
  regions: ReadonlyArray<[number, number]>,
  start: number,
  end: number,
): Array<[number, number]> {
  const next: Array<[number, number]> = [];
  for (const [s, e] of regions) {
    if (e <= start || end <= s) next.push([s, e]);
    else {
      if (s < start) next.push([s, start]);
      if (end < e) next.push([end, e]);
    }
  }
  return next;
}

export class MappedRegions {
  /** The regions, sorted and disjoint: [start, end). */
  list: Array<[number, number]> = [];

  /** Records [start, end) as mapped (it must not overlap a mapped region). */
  map(start: number, end: number): void {
    this.list.push([start, end]);
    this.list.sort((a, b) => a[0] - b[0]);
  }

  /** Records [start, end) as unmapped. */
  unmap(start: number, end: number): void {
    this.list = subtractRange(this.list, start, end);
  }

  /** True when [addr, addr + length) lies inside mapped regions. */
  covers(addr: number, length: number): boolean {
    let at = addr;
    const end = addr + length;
    for (const [s, e] of this.list) {
      if (e <= at) continue;
      if (s > at) return false;
      at = e;
      if (at >= end) return true;
    }
    return at >= end;
  }

  /** Bytes mapped. */
  bytes(): number {
    let mapped = 0;
    for (const [s, e] of this.list) mapped += e - s;
    return mapped;
  }
}
