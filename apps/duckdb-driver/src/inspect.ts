// Summarises traces: per query (and per phase: open, run1, run2, ...) the counts and sizes of
// mmaps, munmaps, mprotects, madvises by advice, brk and mremap calls, page faults and distinct
// faulted pages, bytes mapped, the peak of address space mapped during the trace (successful
// mmaps minus munmaps, overlaps counted once) and the number of threads with events.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes, PAGE_SIZE } from '@unimem/core';
import { IntervalSet } from './interval-set.js';
import { adviceName, type TraceEvent } from './trace/format.js';
import type { TraceMetadata } from './trace/metadata.js';
import { openTrace } from './trace/reader.js';

export interface PhaseStats {
  phase: string;
  durationNs: number;
  mmaps: number;
  mmapBytes: number;
  munmaps: number;
  munmapBytes: number;
  mprotects: number;
  madvises: Record<string, { calls: number; bytes: number }>;
  brks: number;
  mremaps: number;
  faults: number;
  faultPages: number;
  threads: number;
}

export interface TraceStats {
  file: string;
  metadata: TraceMetadata;
  total: PhaseStats;
  phases: PhaseStats[];
  /** Largest address space mapped by the trace's own mmaps at any moment (bytes). */
  peakMappedBytes: number;
}

function emptyPhase(phase: string, startNs: number): PhaseStats & { startNs: number } {
  return {
    phase,
    startNs,
    durationNs: 0,
    mmaps: 0,
    mmapBytes: 0,
    munmaps: 0,
    munmapBytes: 0,
    mprotects: 0,
    madvises: {},
    brks: 0,
    mremaps: 0,
    faults: 0,
    faultPages: 0,
    threads: 0,
  };
}

const pageUp = (bytes: number) => Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE;

class StatsBuilder {
  readonly stats: PhaseStats & { startNs: number };
  private readonly threads = new Set<number>();
  private readonly pages = new Set<number>();

  constructor(phase: string, startNs: number) {
    this.stats = emptyPhase(phase, startNs);
  }

  add(event: TraceEvent): void {
    const s = this.stats;
    this.threads.add(event.thread);
    s.durationNs = event.timeNs - s.startNs;
    switch (event.kind) {
      case 'mmap':
        s.mmaps++;
        if (event.result >= 0) s.mmapBytes += pageUp(event.length);
        break;
      case 'munmap':
        s.munmaps++;
        s.munmapBytes += pageUp(event.length);
        break;
      case 'mprotect':
        s.mprotects++;
        break;
      case 'madvise': {
        const entry = (s.madvises[adviceName(event.advice)] ??= { calls: 0, bytes: 0 });
        entry.calls++;
        entry.bytes += event.length;
        break;
      }
      case 'brk':
        s.brks++;
        break;
      case 'mremap':
        s.mremaps++;
        break;
      case 'fault':
        s.faults++;
        this.pages.add(Math.floor(event.addr / PAGE_SIZE));
        break;
    }
  }

  finish(): PhaseStats {
    const { startNs: _, ...stats } = this.stats;
    return { ...stats, threads: this.threads.size, faultPages: this.pages.size };
  }
}

/** Streams one trace and computes its statistics. */
export async function inspectTrace(file: string): Promise<TraceStats> {
  const trace = await openTrace(file);
  const total = new StatsBuilder('total', 0);
  const phases: StatsBuilder[] = [];
  let phase: StatsBuilder | undefined;
  const mapped = new IntervalSet();
  let peak = 0;
  for await (const event of trace.events()) {
    total.add(event);
    if (event.kind === 'marker' && event.label.endsWith('-start')) {
      phase = new StatsBuilder(event.label.slice(0, -'-start'.length), event.timeNs);
      phases.push(phase);
    }
    phase?.add(event);
    if (event.kind === 'marker' && event.label.endsWith('-end')) phase = undefined;
    if (event.kind === 'mmap' && event.result >= 0) {
      mapped.add(event.result, event.result + pageUp(event.length));
    } else if (event.kind === 'munmap' && event.result === 0) {
      mapped.remove(event.addr, event.addr + pageUp(event.length));
    } else if (event.kind === 'mremap' && event.result >= 0) {
      mapped.remove(event.addr, event.addr + pageUp(event.length));
      mapped.add(event.result, event.result + pageUp(event.newLength));
    }
    peak = Math.max(peak, mapped.bytes);
  }
  return {
    file,
    metadata: trace.metadata,
    total: total.finish(),
    phases: phases.map((p) => p.finish()),
    peakMappedBytes: peak,
  };
}

/** The trace files at `path`: the file itself, or every `*.trace.gz` in a directory, sorted. */
export function traceFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.trace.gz'))
    .sort()
    .map((f) => join(path, f));
}

function madviseSummary(madvises: PhaseStats['madvises']): string {
  const entries = Object.entries(madvises).sort();
  if (entries.length === 0) return '-';
  return entries.map(([name, m]) => `${name}:${m.calls}/${formatBytes(m.bytes)}`).join(' ');
}

/**
 * Faults of a phase: counted events with perf; with strace (no fault events) the query process'
 * own counters from the metadata, marked with `c`.
 */
function faultCell(t: TraceStats, p: PhaseStats): string {
  if (t.metadata.tracer.faults === 'addresses') return String(p.faults);
  const phases = t.metadata.phases.filter((m) => p.phase === 'total' || m.phase === p.phase);
  return `${phases.reduce((a, m) => a + m.minorFaults + m.majorFaults, 0)}c`;
}

/** A text table: one row per trace (and per phase when `byPhase`); `c` marks counter values. */
export function formatStats(all: readonly TraceStats[], byPhase: boolean): string {
  const head = ['trace', 'phase', 'ms', 'mmap', 'mapped', 'munmap', 'unmapped', 'mprot', 'faults'];
  head.push('pages', 'peak', 'thr', 'madvise');
  const rows: string[][] = [];
  for (const t of all) {
    const name = `q${String(t.metadata.query).padStart(2, '0')} t${t.metadata.duckdbThreads}`;
    const list = byPhase ? [...t.phases, t.total] : [t.total];
    for (const p of list) {
      rows.push([
        name,
        p.phase,
        (p.durationNs / 1e6).toFixed(1),
        String(p.mmaps),
        formatBytes(p.mmapBytes),
        String(p.munmaps),
        formatBytes(p.munmapBytes),
        String(p.mprotects),
        faultCell(t, p),
        t.metadata.tracer.faults === 'addresses' ? String(p.faultPages) : 'n/a',
        p.phase === 'total' ? formatBytes(t.peakMappedBytes) : '',
        String(p.threads),
        madviseSummary(p.madvises),
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i < 2 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])));
  return [head, ...rows].map((r) => line(r).join('  ').trimEnd()).join('\n');
}
