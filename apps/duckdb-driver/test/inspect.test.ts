// inspect's statistics on a known trace, and the interval set against a page-bitmap model.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { formatStats, inspectTrace } from '../src/inspect.js';
import { IntervalSet } from '../src/interval-set.js';
import { writeTrace } from '../src/trace/writer.js';
import { sampleEvents, sampleMetadata } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'unimem-inspect-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inspectTrace', () => {
  it('counts per phase and tracks the peak mapped bytes', async () => {
    const file = join(dir, 'q06.trace.gz');
    await writeTrace(file, sampleMetadata(), sampleEvents());
    const stats = await inspectTrace(file);
    expect(stats.phases.map((p) => p.phase)).toEqual(['open', 'run1']);
    const [open, run] = stats.phases;
    expect(open).toMatchObject({
      mmaps: 1,
      mmapBytes: 0x200000,
      faults: 2,
      faultPages: 2,
      threads: 2,
    });
    expect(open.durationNs).toBe(40);
    expect(run.madvises).toEqual({
      DONTNEED: { calls: 1, bytes: 0x1000 },
      FREE: { calls: 1, bytes: 0x2000 },
    });
    expect(run).toMatchObject({ mmaps: 1, mmapBytes: 0, brks: 1, mremaps: 1, munmaps: 1 });
    // 2 MiB mapped, remapped to 4 MiB elsewhere, then 1 MiB of it unmapped: peak 4 MiB
    expect(stats.peakMappedBytes).toBe(0x400000);
    expect(stats.total.faults).toBe(2);
    const table = formatStats([stats], true);
    expect(table).toContain('q06 t2  run1');
    expect(table).toContain('DONTNEED:1/4 KiB FREE:1/8 KiB');
  });
});

describe('inspectTrace on a strace-mode trace', () => {
  it('reports the process fault counters, marked c, instead of fault events', async () => {
    const file = join(dir, 'strace.trace.gz');
    const metadata = sampleMetadata();
    metadata.tracer = { ...metadata.tracer, mode: 'strace', faults: 'counters' };
    metadata.phases = [
      { phase: 'open', ms: 1, minorFaults: 100, majorFaults: 1, threadFaults: {} },
      { phase: 'run1', ms: 2, minorFaults: 50, majorFaults: 0, threadFaults: {} },
    ];
    await writeTrace(
      file,
      metadata,
      sampleEvents().filter((e) => e.kind !== 'fault'),
    );
    const table = formatStats([await inspectTrace(file)], true);
    expect(table).toMatch(/open .* 101c /);
    expect(table).toMatch(/run1 .* 50c /);
    expect(table).toMatch(/total .* 151c /);
  });
});

describe('IntervalSet', () => {
  it('covers exactly the pages a bitmap model covers', () => {
    const op = fc.tuple(fc.boolean(), fc.nat(63), fc.integer({ min: 1, max: 16 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const set = new IntervalSet();
        const model = new Array<boolean>(80).fill(false);
        for (const [add, start, length] of ops) {
          const before = model.filter(Boolean).length;
          for (let p = start; p < start + length; p++) model[p] = add;
          const after = model.filter(Boolean).length;
          const delta = add ? set.add(start, start + length) : set.remove(start, start + length);
          expect(delta).toBe(Math.abs(after - before));
          expect(set.bytes).toBe(after);
        }
      }),
    );
  });
});
