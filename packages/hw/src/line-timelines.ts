// Where each cache line's exclusive accesses go in simulated time (the placement of the line
// model, lines.ts, which decides what an access costs and calls this for when it starts).
//
// The scheduler runs one operation at a time (the core with the smallest clock first), so an
// operation processed later may reach a line at an earlier simulated time than accesses already
// recorded by operations processed before it. Every line therefore keeps where its exclusive
// accesses may no longer go: a `floor` (everything before it counts as busy) and its latest busy
// window [busyFrom, busyUntil). A new exclusive access starts at the earliest time >= max(now,
// floor) that does not overlap the window: in the gap before the window if it fits there entirely
// (the floor then moves to its end), else at or after the window's end. A read never occupies
// the line; one that lands inside the window waits for its end.
// Invariant: every exclusive access placed so far lies before `floor` or inside the window, so two
// exclusive accesses to one line never overlap, whatever the step lengths (a line's accesses take
// at least the sum of their durations: the serialisation bound). Forgetting the gaps below the
// floor can only add waiting, never overlap (the limit this leaves: packages/hw/README.md,
// "Operation granularity").
//
// Storage: 32 bytes per line (busyFrom, busyUntil and floor as doubles, one slot unused), in
// chunks of LINE_CHUNK lines shared with the line state of lines.ts (the first chunk starts at
// FIRST_CHUNK lines and doubles). Only an exclusive access placed on the timeline and a read
// transfer outside an exclusive hold read the times, so they are kept apart from the state that
// every access reads. The views start TIMES_OFFSET bytes into their buffers because glibc's mapped
// chunks begin 16 bytes past a page boundary: so a line's times never straddle a host cache line.

export const CHUNK_SHIFT = 19;
export const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;
/** Lines per storage chunk (exported for the storage tests). */
export const LINE_CHUNK = 1 << CHUNK_SHIFT;
/** Lines of the first chunk at first: it doubles up to LINE_CHUNK (CacheLines.reserve). */
export const FIRST_CHUNK = 1 << 12;
/** Bytes skipped at the start of a times buffer: 16 (glibc's header) + 48 = 64. */
const TIMES_OFFSET = 48;
// Float64 slots of a line's times (index (line & CHUNK_MASK) << TIME_SHIFT).
const TIME_SHIFT = 2; // 4 doubles per line (32 bytes: never straddling a host line)
const BUSY_FROM = 1;
const BUSY_UNTIL = 2;
const FLOOR = 3;

export class LineTimelines {
  /** Line times by chunk (see Storage). */
  private readonly times: Float64Array[] = [];

  /**
   * Where an exclusive access of `cost` cycles to `line` that can start at `now` goes (see the
   * header), recording it. Returns its start.
   */
  place(line: number, now: number, cost: number): number {
    const state = this.times[line >>> CHUNK_SHIFT];
    const record = (line & CHUNK_MASK) << TIME_SHIFT;
    const floor = state[record + FLOOR];
    const until = state[record + BUSY_UNTIL];
    const time = Math.max(now, floor);
    if (time >= until) {
      if (time > until) {
        // A new window after an idle stretch: the old one sinks below the floor.
        state[record + FLOOR] = until;
        state[record + BUSY_FROM] = time;
      }
      state[record + BUSY_UNTIL] = time + cost;
      return time;
    }
    if (time + cost <= state[record + BUSY_FROM]) {
      // Fits entirely in the gap before the window (reached earlier in simulated time by an
      // operation processed later).
      state[record + FLOOR] = time + cost;
      return time;
    }
    // Overlaps the window: queue behind it.
    state[record + BUSY_UNTIL] = until + cost;
    return until;
  }

  /** When a read of `line` at `now` can take it: the window's end if `now` lies inside it. */
  readFrom(line: number, now: number): number {
    const state = this.times[line >>> CHUNK_SHIFT];
    const record = (line & CHUNK_MASK) << TIME_SHIFT;
    const until = state[record + BUSY_UNTIL];
    return now >= state[record + BUSY_FROM] && now < until ? until : now;
  }

  /** The first chunk becomes `size` lines, keeping what it held. */
  growFirst(size: number): void {
    const times = timesChunk(size);
    if (this.times.length > 0) times.set(this.times[0]);
    this.times[0] = times;
  }

  /** Adds a full chunk (no busy window). */
  addChunk(): void {
    this.times.push(timesChunk(LINE_CHUNK));
  }
}

/** Zeroed times of `size` lines, starting TIMES_OFFSET bytes into their buffer (see Storage). */
function timesChunk(size: number): Float64Array {
  return new Float64Array(
    new ArrayBuffer(TIMES_OFFSET + (size << TIME_SHIFT) * 8),
    TIMES_OFFSET,
    size << TIME_SHIFT,
  );
}
