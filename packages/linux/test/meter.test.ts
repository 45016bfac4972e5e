// The buddy meter's memory of the lines an operation touched (meter.ts), against the plain ring
// it replaced: eight slots cleared at every operation, searched whole, the next slot taken
// round-robin (with a pointer that is not reset). Random operations of reads, writes and locked
// RMWs over a few struct pages and list heads must charge exactly the same accesses, in the same
// order, to the same lines; a stub stands in for the machine's lines and records every charge.

import type { Machine } from '@unimem/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BuddyMeter } from '../src/buddy/meter.js';

const FRAMES = 4096;
const HEADS = 4;
const RECENT = 8;

type Kind = 'read' | 'write' | 'rmw';
type Step = { op: 'begin' } | { op: Kind; node: number };

/** The machine's lines as far as the meter uses them: every charge is logged. */
function stubMachine(log: Array<[Kind, number]>): Machine {
  let next = 0;
  const lines = {
    allocLines: (count: number) => {
      const first = next;
      next += count;
      return first;
    },
    read: (line: number) => log.push(['read', line]),
    write: (line: number) => log.push(['write', line]),
    rmw: (line: number) => log.push(['rmw', line]),
    rmwPlaced: (line: number) => log.push(['rmw', line]),
  };
  return { lines, clocks: new Float64Array(1), current: 0 } as unknown as Machine;
}

/** The replaced scheme, keyed by node (every node here has a line of its own). */
class PlainRing {
  private readonly node = new Array<number>(RECENT).fill(-1);
  private readonly mode = new Array<Kind>(RECENT).fill('read');
  private next = 0;

  begin(): void {
    this.node.fill(-1);
  }

  /** Whether the access is charged. */
  touch(kind: Kind, node: number): boolean {
    let slot = this.node.indexOf(node);
    if (kind === 'rmw') {
      if (slot < 0) slot = this.take(node);
      this.mode[slot] = 'write';
      return true;
    }
    if (slot >= 0 && (kind === 'read' || this.mode[slot] === 'write')) return false;
    if (slot < 0) slot = this.take(node);
    this.mode[slot] = kind;
    return true;
  }

  private take(node: number): number {
    const slot = this.next;
    this.next = (slot + 1) % RECENT;
    this.node[slot] = node;
    return slot;
  }
}

// Up to 12 nodes (more than the ring holds, so evictions happen): frames in two line chunks
// (512 struct pages each) and the list heads.
const nodeArb = fc.constantFrom(0, 1, 2, 7, 511, 512, 513, 1000, FRAMES, FRAMES + 1, FRAMES + 3);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ op: 'begin' as const }) },
  {
    weight: 24,
    arbitrary: fc.record({
      op: fc.constantFrom('read', 'write', 'rmw') as fc.Arbitrary<Kind>,
      node: nodeArb,
    }),
  },
);

describe('BuddyMeter', () => {
  it('charges what the plain eight-slot ring charged, line for line', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 300 }), (steps) => {
        const log: Array<[Kind, number]> = [];
        const headLines = Int32Array.from({ length: HEADS }, (_, i) => i);
        const meter = new BuddyMeter(stubMachine(log), FRAMES, headLines, HEADS);
        const plain = new PlainRing();
        const lineOf = new Map<number, number>();
        const linesSeen = new Map<number, number>();
        meter.beginOperation();
        for (const step of steps) {
          if (step.op === 'begin') {
            meter.beginOperation();
            plain.begin();
            continue;
          }
          const before = log.length;
          if (step.op === 'read') meter.readNode(step.node);
          else if (step.op === 'write') meter.writeNode(step.node);
          else meter.rmwNode(step.node);
          const charged = plain.touch(step.op, step.node);
          expect(log.length - before, `${step.op} ${step.node}`).toBe(charged ? 1 : 0);
          if (!charged) continue;
          const [kind, line] = log[log.length - 1];
          expect(kind).toBe(step.op);
          // One line per node, and no two nodes on one line.
          expect(lineOf.get(step.node) ?? line).toBe(line);
          expect(linesSeen.get(line) ?? step.node).toBe(step.node);
          lineOf.set(step.node, line);
          linesSeen.set(line, step.node);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('forgets the lines of the previous operation', () => {
    const log: Array<[Kind, number]> = [];
    const meter = new BuddyMeter(stubMachine(log), FRAMES, Int32Array.of(0), 1);
    meter.beginOperation();
    meter.readNode(5);
    meter.readNode(5); // a repeated read: not charged
    meter.beginOperation();
    meter.readNode(5); // a new operation: charged again
    expect(log.map(([kind]) => kind)).toEqual(['read', 'read']);
  });

  it('remembers eight lines, then forgets the oldest first', () => {
    const log: Array<[Kind, number]> = [];
    const meter = new BuddyMeter(stubMachine(log), FRAMES, Int32Array.of(0), 1);
    meter.beginOperation();
    for (let node = 0; node < 8; node++) meter.readNode(node);
    for (let node = 0; node < 8; node++) meter.readNode(node); // all eight remembered
    expect(log.length).toBe(8);
    meter.readNode(8); // replaces node 0
    meter.readNode(7);
    meter.readNode(0);
    expect(log.length).toBe(10);
  });
});
