// Baseline for FreeRanges: the same address-ordered, coalescing set of free ranges as an array
// of {start, end} objects with binary search and splice (the obvious JavaScript shape).

interface Range {
  start: number;
  end: number;
}

export class ObjectRanges {
  private readonly list: Range[] = [];

  /** Adds [addr, addr + size), coalescing; false on overlap. */
  insert(addr: number, size: number): boolean {
    const end = addr + size;
    const i = this.floor(addr);
    const prev = i >= 0 ? this.list[i] : undefined;
    const next = this.list[i + 1];
    if ((prev && prev.end > addr) || (next && next.start < end)) return false;
    const left = prev !== undefined && prev.end === addr;
    const right = next !== undefined && next.start === end;
    if (left && right) {
      prev.end = next.end;
      this.list.splice(i + 1, 1);
    } else if (left) prev.end = end;
    else if (right) next.start = addr;
    else this.list.splice(i + 1, 0, { start: addr, end });
    return true;
  }

  /** Removes [addr, addr + size) if one range holds it. */
  remove(addr: number, size: number): boolean {
    const end = addr + size;
    const i = this.floor(addr);
    const r = this.list[i];
    if (r === undefined || r.end < end) return false;
    if (r.start === addr && r.end === end) this.list.splice(i, 1);
    else if (r.start === addr) r.start = end;
    else if (r.end === end) r.end = addr;
    else {
      this.list.splice(i + 1, 0, { start: end, end: r.end });
      r.end = addr;
    }
    return true;
  }

  private floor(addr: number): number {
    let low = 0;
    let high = this.list.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (this.list[mid].start <= addr) {
        found = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    return found;
  }
}
