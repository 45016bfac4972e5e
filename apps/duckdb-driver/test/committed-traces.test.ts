// Every committed trace under benchmarks/tpch reads cleanly and keeps the format's invariants.
// Needs neither DuckDB nor a tracer: these files are the replay's input.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTrace } from '../src/trace/reader.js';

const root = join(import.meta.dirname, '../../../benchmarks/tpch');
const dirs = existsSync(root)
  ? readdirSync(root)
      .filter((d) => /^sf[\d.]+-t\d+$/.test(d))
      .sort()
  : [];
/** Scale factors captured for some queries only (benchmarks/tpch/partial). */
const partial = existsSync(join(root, 'partial'))
  ? readdirSync(join(root, 'partial'))
      .filter((d) => /^sf[\d.]+-t\d+$/.test(d))
      .map((d) => `partial/${d}`)
  : [];

describe('committed traces', () => {
  it('exist for SF 0.1 and SF 1 with 8 and 64 DuckDB threads, all 22 queries each', () => {
    expect(dirs).toEqual(expect.arrayContaining(['sf0.1-t8', 'sf0.1-t64', 'sf1-t8', 'sf1-t64']));
    for (const dir of dirs) {
      const files = readdirSync(join(root, dir)).filter((f) => f.endsWith('.trace.gz'));
      expect(files).toHaveLength(22);
    }
  });

  for (const dir of [...dirs, ...partial]) {
    it(`${dir}: every trace keeps the invariants`, async () => {
      const [sf, threads] = /sf([\d.]+)-t(\d+)$/.exec(dir)!.slice(1).map(Number);
      const files = readdirSync(join(root, dir))
        .filter((f) => f.endsWith('.trace.gz'))
        .sort();
      for (const file of files) {
        const trace = await openTrace(join(root, dir, file));
        const m = trace.metadata;
        expect(file).toBe(`q${String(m.query).padStart(2, '0')}.trace.gz`);
        expect([m.sf, m.duckdbThreads]).toEqual([sf, threads]);
        const lastTime = new Map<number, number>();
        const markers: string[] = [];
        const counts: Record<string, number> = {};
        const problems: string[] = [];
        let index = 0;
        for await (const e of trace.events()) {
          counts[e.kind] = (counts[e.kind] ?? 0) + 1;
          if (e.thread >= m.threads.length) problems.push(`${index}: thread ${e.thread} unknown`);
          if (e.timeNs < (lastTime.get(e.thread) ?? 0)) problems.push(`${index}: time decreases`);
          lastTime.set(e.thread, e.timeNs);
          if (e.kind === 'marker') markers.push(e.label);
          if (e.kind === 'munmap' && e.length <= 0) problems.push(`${index}: munmap length`);
          if (e.kind === 'mmap' && e.result >= 0 && e.result % 4096 !== 0) {
            problems.push(`${index}: mmap result not page-aligned`);
          }
          index++;
        }
        expect(problems, `${dir}/${file}`).toEqual([]);
        expect(markers).toEqual(m.markers);
        expect(markers[0]).toBe('open-start');
        expect(markers.at(-1)).toBe(`run${m.repeat}-end`);
        expect(counts).toEqual(m.eventCounts);
        expect(m.rows.every((r) => r > 0)).toBe(true);
        if (m.tracer.faults === 'addresses') expect(counts.fault).toBeGreaterThan(0);
        if (m.version === 2) {
          expect(counts.alloc, `${dir}/${file} allocations`).toBeGreaterThan(0);
          expect(m.allocations?.aggregation.batchEvents ?? 0).toBe(counts.batch ?? 0);
        }
      }
    }, 900_000); // SF 1 directories hold ~5 M events; this machine is shared
  }
});
