// The mem_map's interleaved list links against the plain version they replaced (one next and one
// prev array): random list_add / list_add_tail / list_del sequences over a few lists must leave
// the same links, report the same first and last entries and charge the same node lines in the
// same order.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemMap } from '../src/buddy/mem-map.js';
import type { BuddyMeter } from '../src/buddy/meter.js';

const FRAMES = 24;
const HEADS = 3;

/** list.h over two arrays, charging what MemMap charges (the layout before). */
class PlainLists {
  readonly next = new Int32Array(FRAMES + HEADS);
  readonly prev = new Int32Array(FRAMES + HEADS);
  constructor(private readonly log: string[]) {
    for (let h = FRAMES; h < FRAMES + HEADS; h++) this.next[h] = this.prev[h] = h;
  }
  isEmpty(head: number): boolean {
    this.log.push(`r${head}`);
    return this.next[head] === head;
  }
  addHead(head: number, frame: number): void {
    this.insert(frame, head, this.next[head]);
  }
  addTail(head: number, frame: number): void {
    this.insert(frame, this.prev[head], head);
  }
  remove(frame: number): void {
    const before = this.prev[frame];
    const after = this.next[frame];
    this.next[before] = after;
    this.prev[after] = before;
    this.next[frame] = this.prev[frame] = frame;
    this.log.push(`w${before}`);
    if (after !== before) this.log.push(`w${after}`);
    this.log.push(`w${frame}`);
  }
  private insert(frame: number, before: number, after: number): void {
    this.next[frame] = after;
    this.prev[frame] = before;
    this.prev[after] = frame;
    this.next[before] = frame;
    this.log.push(`w${frame}`, `w${before}`);
    if (after !== before) this.log.push(`w${after}`);
  }
}

function loggingMeter(log: string[]): BuddyMeter {
  return {
    readNode: (node: number) => log.push(`r${node}`),
    writeNode: (node: number) => log.push(`w${node}`),
  } as unknown as BuddyMeter;
}

describe('MemMap links', () => {
  it('agree with separate next/prev arrays under random list operations', () => {
    const op = fc.record({
      kind: fc.constantFrom('head', 'tail', 'remove', 'empty'),
      list: fc.integer({ min: 0, max: HEADS - 1 }),
      frame: fc.integer({ min: 0, max: FRAMES - 1 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const logA: string[] = [];
        const logB: string[] = [];
        const map = new MemMap(FRAMES, HEADS, loggingMeter(logA));
        const plain = new PlainLists(logB);
        const listed = new Set<number>();
        for (const { kind, list, frame } of ops) {
          const head = map.head(list);
          if (kind === 'empty') {
            expect(map.isEmpty(head)).toBe(plain.isEmpty(head));
          } else if (kind === 'remove') {
            if (!listed.has(frame)) continue;
            map.remove(frame);
            plain.remove(frame);
            listed.delete(frame);
          } else {
            if (listed.has(frame)) continue;
            if (kind === 'head') {
              map.addHead(head, frame);
              plain.addHead(head, frame);
            } else {
              map.addTail(head, frame);
              plain.addTail(head, frame);
            }
            listed.add(frame);
          }
          const empty = map.isEmpty(head);
          expect(plain.isEmpty(head)).toBe(empty);
          if (!empty) {
            expect([map.first(head), map.last(head)]).toEqual([plain.next[head], plain.prev[head]]);
          }
        }
        const { next, prev } = map.linkArrays();
        expect(Array.from(next)).toEqual(Array.from(plain.next));
        expect(Array.from(prev)).toEqual(Array.from(plain.prev));
        for (let node = 0; node < FRAMES + HEADS; node++) {
          expect([map.next(node), map.prev(node)]).toEqual([plain.next[node], plain.prev[node]]);
        }
        expect(logA).toEqual(logB);
      }),
    );
  });
});
