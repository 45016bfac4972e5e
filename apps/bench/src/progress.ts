// Progress of a sweep on stderr with an estimate of the time left. Each case has a weight (its
// core count plus a constant, a stand-in for its cost); the estimate is the elapsed wall time
// times the weight left over the weight done, so parallel workers are accounted for. On a TTY it
// redraws one line (at most ten times a second); otherwise it prints one plain line per case.

import type { Case } from './api.js';

export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
}

/** Relative cost of a case: simulated work grows about linearly with cores. */
export function caseWeight(entry: Case): number {
  return entry.cores + 2;
}

export class Progress {
  private readonly started: number;
  private readonly totalWeight: number;
  private doneWeight = 0;
  private done = 0;
  private lastDraw = 0;
  private drawn = false;
  private last = '';
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly cases: readonly Case[],
    private readonly sink: ProgressSink,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    this.totalWeight = cases.reduce((sum, entry) => sum + caseWeight(entry), 0);
  }

  /** A case finished after `hostMs` of worker time. */
  caseDone(entry: Case, hostMs: number): void {
    this.done++;
    this.doneWeight += caseWeight(entry);
    const what = `${entry.bench} ${entry.system}${entry.variant === undefined ? '' : ` ${entry.variant}`} ${entry.cores} core${entry.cores === 1 ? '' : 's'}`;
    this.last = `${what} (${formatDuration(hostMs)})`;
    if (!this.sink.isTTY) {
      this.sink.write(`${this.line()}\n`);
    } else if (this.now() - this.lastDraw >= 100 || this.done === this.cases.length) {
      this.draw();
    }
  }

  /** On a TTY, redraws the line every second while cases run (long cases show time passing). */
  start(): void {
    if (!this.sink.isTTY || this.timer) return;
    this.draw();
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
  }

  /** Ends the TTY line (call before printing anything else). */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.sink.write('\n');
    this.drawn = false;
  }

  private draw(): void {
    this.lastDraw = this.now();
    this.sink.write(`\r\x1b[K${this.line()}`);
    this.drawn = true;
  }

  private line(): string {
    const elapsed = this.now() - this.started;
    const head = `[${this.done}/${this.cases.length}]${this.last ? ` ${this.last}` : ''}`;
    if (this.done === this.cases.length) return `${head} done in ${formatDuration(elapsed)}`;
    if (this.done === 0)
      return `${head} elapsed ${formatDuration(elapsed)}, ETA after the first case`;
    const left = (elapsed * (this.totalWeight - this.doneWeight)) / this.doneWeight;
    return `${head} elapsed ${formatDuration(elapsed)}, ETA ${formatDuration(left)}`;
  }
}

/** "850 ms", "12.3 s", "4 min 05 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}
