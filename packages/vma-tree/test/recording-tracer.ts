// A LineTracer that records what a structure charges (counts, the lines touched, and the order of
// the reads and writes), and fails on lines it never handed out.

import type { LineTracer } from '@unimem/hw';

export class RecordingTracer implements LineTracer {
  reads = 0;
  writes = 0;
  allocations = 0;
  readonly linesRead = new Set<number>();
  readonly linesWritten = new Set<number>();
  readonly labels = new Set<string>();
  /** Lines read, in order. */
  readonly readOrder: number[] = [];
  /** Lines written, in order (an rmw counts as a write). */
  readonly writeOrder: number[] = [];
  private nextLine = 100;

  allocLines(count: number, label = ''): number {
    this.allocations++;
    this.labels.add(label);
    const first = this.nextLine;
    this.nextLine += count;
    return first;
  }
  read(line: number): void {
    this.check(line);
    this.reads++;
    this.linesRead.add(line);
    this.readOrder.push(line);
  }
  write(line: number): void {
    this.check(line);
    this.writes++;
    this.linesWritten.add(line);
    this.writeOrder.push(line);
  }
  rmw(line: number): void {
    this.write(line);
  }
  reset(): void {
    this.reads = this.writes = 0;
    this.linesRead.clear();
    this.linesWritten.clear();
    this.readOrder.length = 0;
    this.writeOrder.length = 0;
  }
  /** Line ids handed out so far. */
  get linesAllocated(): number {
    return this.nextLine - 100;
  }
  private check(line: number): void {
    if (!Number.isInteger(line) || line < 100 || line >= this.nextLine) {
      throw new Error(`line ${line} was never allocated`);
    }
  }
}
