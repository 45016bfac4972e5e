// Report defects that misled a reader, each checked on the rendered SVG/HTML: legend labels were
// clipped at the chart's edge (`osv-superblock+jemalloc`), a series drawn exactly under another
// was invisible without a word, wide tables widened the page, a metric equal for every system
// (TPC-H's measured time) was drawn as if it were a per-system result, boot bars on a linear axis
// flattened small values to nothing, and footprint overheads below zero had no explanation.

import { describe, expect, it } from 'vitest';
import type { Point, ResultSet } from '../src/api.js';
import { buildFigures } from '../src/report/figures.js';
import { renderHtml } from '../src/report/html.js';
import { renderBars } from '../src/report/svg-bars.js';
import { renderChart, textWidth } from '../src/report/svg-chart.js';
import { summaryLines } from '../src/report/text-table.js';

const line = (name: string, ys: number[]) => ({
  name,
  points: ys.map((y, i) => ({ x: 2 ** i, y })),
});

function widthOf(svg: string): number {
  return Number(/<svg[^>]* width="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
}

describe('report defects', () => {
  it('the legend column is as wide as its longest label', () => {
    const name = 'osv+jemalloc (under osv-superblock+jemalloc)';
    const chart = renderChart({
      title: 't',
      xLabel: 'cores',
      yLabel: 'cycles/op',
      series: [line('osv+jemalloc', [1, 2, 3]), line('osv-superblock+jemalloc', [1, 2, 3])],
    });
    const x = Number(/<text class="legend" x="([\d.]+)"/.exec(chart.svg)![1]);
    // Before, the chart was 560 px wide whatever the labels: this one ran ~100 px past the edge.
    expect(x + textWidth(name, 11)).toBeGreaterThan(560);
    expect(chart.svg).toContain(name);
    expect(widthOf(chart.svg)).toBeGreaterThanOrEqual(x + textWidth(name, 11));
  });

  it('a series hidden under an equal one is named in the legend', () => {
    const chart = renderChart({
      title: 't',
      xLabel: 'cores',
      yLabel: 'cycles/op',
      series: [
        line('osv-llfree', [5, 6, 7]),
        line('osv-superblock', [5, 6, 7]),
        line('osv', [9, 8, 7]),
      ],
    });
    expect(chart.hidden).toEqual([['osv-llfree', 'osv-superblock']]);
    expect(chart.svg).toContain('osv-llfree (under osv-superblock)');
    expect(chart.svg).not.toContain('osv (under');
  });

  it('boot bars spanning more than 20× get a log axis and value labels', () => {
    const bars = renderBars({
      title: 'boot',
      xLabel: 'cores',
      yLabel: 'ms',
      series: [line('osv', [0.2, 0.2]), line('linux+jemalloc', [40, 41])],
    });
    expect(bars.logY).toBe(true);
    expect(bars.svg.match(/class="bar-label"/g)).toHaveLength(4);
    expect(bars.svg).toContain('ms (log scale)');
    const linear = renderBars({
      title: 'b',
      xLabel: 'x',
      yLabel: 'ms',
      series: [line('a', [1, 2])],
    });
    expect(linear.logY).toBe(false);
  });

  const point = (
    bench: string,
    system: string,
    metric: string,
    value: number,
    variant: number | null = null,
  ): Point => ({
    bench,
    system,
    cores: 1,
    metric,
    value,
    unit: 'u',
    counters: {},
    ops: 1,
    order: null,
    variant,
    seed: 1,
    params: {},
    case: 0,
  });
  const set = (points: Point[], xAxis = 'cores'): ResultSet =>
    ({
      points,
      meta: {
        format: 'unimem-results/1',
        complete: true,
        interrupted: false,
        sweep: {
          id: 'x',
          benchmarks: [...new Set(points.map((p) => p.bench))].map((name) => ({
            name,
            description: name,
            target: 'memory-system',
            params: {},
            metrics: [],
            xAxis,
          })),
          systems: [],
          cores: [1],
          seed: 1,
          order: 0,
          scale: 1,
          full: false,
          profile: { name: 'p', description: 'p' },
          cases: [],
        },
        selected: [],
        missing: [],
        shard: null,
        mergedFrom: [],
        command: 'c',
        argv: [],
        cwd: '/',
        host: {
          hostname: 'h',
          platform: 'l',
          arch: 'x',
          cpus: 1,
          cpuModel: 'c',
          memoryBytes: 1,
          node: '20',
        },
        versions: {},
        startedAt: 's',
        finishedAt: 'f',
        jobs: 1,
        caseHostMs: {},
      },
    }) as unknown as ResultSet;

  it('a metric equal for every system is drawn once, and says why', () => {
    const [figure] = buildFigures(
      set([
        point('tpch', 'osv', 'coldMeasuredMs', 12),
        point('tpch', 'linux+jemalloc', 'coldMeasuredMs', 12),
      ]),
    );
    expect(figure.series.map((s) => s.name)).toEqual(['every system']);
    expect(figure.shared).toMatch(/does not depend on the system/);
    const [different] = buildFigures(
      set([point('tpch', 'osv', 'm', 12), point('tpch', 'b', 'm', 13)]),
    );
    expect(different.series).toHaveLength(2);
  });

  it('a run at another --scale says that its ranking is unchecked', () => {
    const scaled = set([point('bulk', 'osv', 'alloc', 1)]);
    expect(summaryLines(scaled).some((l) => l.startsWith('note:'))).toBe(false);
    (scaled.meta.sweep as { scale: number }).scale = 0.1;
    expect(summaryLines(scaled).at(-1)).toMatch(
      /^note: --scale 0.1 .*ranking-check.ts --scale 0.1/,
    );
    expect(renderHtml(scaled)).toMatch(/class="banner">--scale 0.1/);
  });

  it('a --full run names the exact command that checks its ranking, with its scale', () => {
    const full = set([point('bulk', 'osv', 'alloc', 1)]);
    const sweep = full.meta.sweep as { scale: number; full: boolean };
    sweep.full = true;
    for (const scale of [1, 0.25]) {
      sweep.scale = scale;
      const note = summaryLines(full).at(-1)!;
      expect(note).toMatch(/^note: --full --scale .*unchecked/);
      expect(note).toContain(
        `(pnpm exec tsx scripts/ranking-check.ts --full --scale ${scale} checks it)`,
      );
    }
  });

  it('tables scroll inside their own box, and negative footprints are explained', () => {
    const html = renderHtml(
      set(
        [
          point('footprint', 'osv', 'overhead', -0.18, 256),
          point('footprint', 'osv-llfree', 'overhead', 0.07, 256),
        ],
        'size (bytes)',
      ),
    );
    expect(html).toContain('.table-box{max-width:100%;overflow-x:auto');
    expect(html).toMatch(/<div class="table-box"><table class="summary"/);
    expect(html).toMatch(/Values below zero \(osv\) are not an error of the run/);
  });
});
