import { planOneCase } from './one-case.ts';
const [bench, ...systems] = process.argv.slice(2);
const { createRegistry } = await import('/work/main/apps/bench/src/registry.ts');
const { planSweep } = await import('/work/main/apps/bench/src/plan.ts');
const { resolveProfile } = await import('/work/main/packages/hw/src/index.ts');
const registry = createRegistry();
for (const system of systems) {
  const { info } = planSweep(registry, { names: registry.parseBenchmarkNames([bench]), systems: [system], cores: [64], scale: 1, seed: 1, order: 0, full: false, profile: resolveProfile('epyc-9654p-guest') });
  const variants = [...new Set(info.cases.map((c: any) => c.variant))];
  for (const variant of variants) {
    const one = await planOneCase('/work/main', bench, system, 64, variant as string | undefined);
    const points = one.run({ onMachine: (m: any) => m.lines.countByRegion(true) });
    for (const p of points) {
      const rows: Record<string, { w: number; t: number }> = {};
      for (const [k, v] of Object.entries(p.counters)) {
        const m = /^line(Transfers|WaitCycles)\[(.*)\]$/.exec(k);
        if (!m) continue;
        const label = m[2].replace(/\d+/g, '#');
        rows[label] ??= { w: 0, t: 0 };
        if (m[1] === 'Transfers') rows[label].t += v; else rows[label].w += v;
      }
      const top = Object.entries(rows).sort((a, b) => b[1].w - a[1].w)[0];
      const lw = (p.counters.lineWaitCycles ?? 0) / p.ops;
      if (!top) continue;
      console.log(`${bench} ${system} ${variant ?? ''} ${p.metric}: value ${p.value.toFixed(0)} lineWait/op ${lw.toFixed(0)} top ${top[0]} wait/op ${(top[1].w / p.ops).toFixed(0)} transfers/op ${(top[1].t / p.ops).toFixed(3)} wait/transfer ${top[1].t ? (top[1].w / top[1].t).toFixed(0) : '-'}`);
    }
  }
}
