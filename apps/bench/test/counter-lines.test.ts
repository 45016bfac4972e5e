import { describe, expect, it } from 'vitest';
import type { Point } from '../src/api.js';
import { counterLines } from '../src/report/counter-lines.js';
import type { Figure } from '../src/report/figures.js';

function point(cores: number, ops: number, counters: Record<string, number>): Point {
  return {
    bench: 'b',
    system: 's',
    cores,
    metric: 'm',
    value: 1,
    unit: 'cycles',
    counters,
    ops,
    order: null,
    variant: null,
    seed: 1,
    params: {},
    case: 0,
  } as Point;
}

function figure(series: Array<[string, Point[]]>): Figure {
  return {
    id: 'f',
    bench: 'b',
    metric: 'm',
    unit: 'cycles',
    title: 't',
    kind: 'lines',
    xLabel: 'cores',
    yLabel: 'y',
    xs: [1, 64],
    series: series.map(([name, points]) => ({
      name,
      points: points.map((p) => ({ x: p.cores, y: p.value, point: p, replicas: [p] })),
    })),
  };
}

describe('counterLines', () => {
  it('shows the non-zero contention counters per operation at the largest x', () => {
    const lines = counterLines(
      figure([
        ['locked', [point(1, 10, {}), point(64, 100, { lockWaitCycles: 5000, casFailures: 0 })]],
        ['lock-free', [point(64, 100, { lockWaitCycles: 0, casFailures: 25, ipisSent: 0 })]],
      ]),
      String,
    );
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/per op at 64 +lock wait +CAS failures$/);
    expect(lines[1]).toMatch(/^ {2}locked +50(\.0)? +0$/);
    expect(lines[2]).toMatch(/^ {2}lock-free +0 +0\.250?$/);
  });

  it('prints nothing when no contention counter is non-zero', () => {
    expect(counterLines(figure([['a', [point(64, 10, { lineAccesses: 40 })]]]), String)).toEqual(
      [],
    );
  });
});
