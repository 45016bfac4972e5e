// The HTML report of a result set (`report.html`): what was run (profile, sweep, seed, command,
// host, versions, times; a banner when incomplete), one SVG chart per figure with a caption, the
// summary table of every figure (values per core count), and the model's counters per operation
// behind every point. Replicas (`--seeds`, `--iterations`) show as the mean with min..max error
// bars and `mean ±sd%` cells. Wide tables scroll inside their own box instead of widening the
// page; figures are as wide as their legend needs. One self-contained file: inline CSS, inline SVG, no script, no external
// resource, so it opens offline in any browser.

import type { ResultSet } from '../api.js';
import { buildFigures, type Figure, spreadText, xName } from './figures.js';
import { renderBars } from './svg-bars.js';
import { escapeXml as esc, formatNumber, formatValue, renderChart } from './svg-chart.js';
import { scaleNote } from './text-table.js';
import { renderTpchCounters } from './tpch.js';

const CSS = `
body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:0;font-size:13px}
.table-box{max-width:100%;overflow-x:auto;margin:8px 0 16px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f6f6f6}
td.name,th.name{text-align:left}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;font-size:13px}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
figure{margin:0;max-width:100%}figure>svg{max-width:100%;height:auto}figcaption{font-size:13px;color:#555;max-width:560px}\n.figures{display:flex;flex-wrap:wrap;gap:16px 24px}
.banner{background:#fff3cd;border:1px solid #e0c060;padding:8px 12px;margin:12px 0}
details{font-size:13px;margin-bottom:16px}code{font-size:12px}
`;

export function renderHtml(set: ResultSet): string {
  const { meta } = set;
  const figures = buildFigures(set);
  const title = `unimem results: ${meta.sweep.benchmarks.map((b) => b.name).join(', ')}`;
  const body: string[] = [];
  body.push(`<h1>${esc(title)}</h1>`);
  if (!meta.complete) {
    body.push(
      `<p class="banner"><strong>Incomplete:</strong> ${meta.missing.length} of ${meta.selected.length} selected cases have no points${meta.interrupted ? ' (the run was interrupted)' : ''}.</p>`,
    );
  }
  body.push(renderMeta(set));
  const note = scaleNote(set);
  if (note) body.push(`<p class="banner">${esc(note)}</p>`);
  body.push('<h2>Figures</h2>');
  if (figures.length === 0) body.push('<p>No points.</p>');
  body.push(`<div class="figures">${figures.map((f) => renderFigure(set, f)).join('\n')}</div>`);
  body.push('<h2>Summary</h2>');
  for (const figure of figures) body.push(renderTable(figure));
  body.push(renderTpchCounters(set));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}

function renderMeta(set: ResultSet): string {
  const { meta } = set;
  const { sweep } = meta;
  const rows: Array<[string, string]> = [
    ['sweep', `${sweep.id} (${sweep.cases.length} cases, ${set.points.length} points)`],
    ['profile', `${sweep.profile.name}: ${sweep.profile.description}`],
    ['systems', sweep.systems.map((s) => `${s.name} (${s.description})`).join('; ')],
    [
      'benchmarks',
      sweep.benchmarks
        .map(
          (b) =>
            `${b.name}: ${b.description} [${Object.entries(b.params)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}]`,
        )
        .join('; '),
    ],
    [
      'size',
      `${sweep.full ? 'full (published sizes)' : 'quick'}, scale ${sweep.scale}, order ${sweep.order}, seed ${sweep.seed}${(sweep.seeds ?? 1) > 1 ? `..${sweep.seed + sweep.seeds! - 1} (${sweep.seeds} seeds)` : ''}${(sweep.iterations ?? 1) > 1 ? `, ${sweep.iterations} iterations per seed` : ''}`,
    ],
    [
      'shard',
      meta.shard
        ? `${meta.shard.index}/${meta.shard.count}`
        : meta.mergedFrom.length > 0
          ? `merged from ${meta.mergedFrom.length} result sets`
          : 'whole sweep',
    ],
    ['command', meta.command],
    [
      'host',
      `${meta.host.hostname}: ${meta.host.cpuModel}, ${meta.host.cpus} CPUs, ${meta.host.platform}/${meta.host.arch}, Node ${meta.host.node}`,
    ],
    [
      'versions',
      Object.entries(meta.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
    ['time', `${meta.startedAt} – ${meta.finishedAt}, ${meta.jobs} worker threads`],
  ];
  return `<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

function renderFigure(set: ResultSet, figure: Figure): string {
  const spec = {
    title: figure.title,
    xLabel: figure.xLabel,
    yLabel: figure.yLabel,
    series: figure.series.map((s) => ({
      name: s.name,
      points: s.points.map((p) => ({
        x: p.x,
        y: p.y,
        ...(p.spread ? { spread: { min: p.spread.min, max: p.spread.max } } : {}),
      })),
    })),
    ...(figure.logX !== undefined ? { logX: figure.logX } : {}),
    ...(figure.xLabels ? { xLabels: figure.xLabels } : {}),
  };
  const chart = figure.kind === 'bars' ? renderBars(spec) : renderChart(spec);
  const info = set.meta.sweep.benchmarks.find((b) => b.name === figure.bench);
  const metric = info?.metrics.find((m) => m.name === figure.metric);
  const notes = [
    info ? `${info.name}: ${info.description}.` : '',
    metric
      ? `Metric ${metric.name}: ${metric.description} (${metric.unit}), simulated on ${set.meta.sweep.profile.name}; lower is better.`
      : '',
    chart.logY
      ? `The y axis is logarithmic because the values span more than a factor of 20${figure.kind === 'bars' ? '; each bar is labelled with its value' : ''}.`
      : '',
    chart.errorBars
      ? `Error bars: min to max over ${runsOf(figure)} runs (seeds × iterations); the mark is the mean.`
      : '',
    ...chart.hidden.map(
      ([below, over]) => `${below} has the same values as ${over} and is drawn under it.`,
    ),
    figure.shared ? `${figure.shared}` : '',
    figure.note ?? '',
    chart.omitted > 0
      ? `${chart.omitted} points with a value of 0 cannot be drawn on the log axis and are left out (see the table).`
      : '',
  ].filter((note) => note !== '');
  return `<figure id="${figure.id}">${chart.svg}<figcaption>${esc(notes.join(' '))}</figcaption>${renderCounters(set, figure)}</figure>`;
}

/** Most replicas behind one point of a figure. */
function runsOf(figure: Figure): number {
  return Math.max(1, ...figure.series.flatMap((s) => s.points.map((p) => p.spread?.n ?? 1)));
}

function renderTable(figure: Figure): string {
  const runs = runsOf(figure);
  const unit = `${figure.unit}${runs > 1 ? `; mean ±sd over ${runs} runs` : ''}`;
  const head = `<tr><th class="name">${esc(figure.title)} (${esc(unit)})</th>${figure.xs.map((x) => `<th>${esc(figure.xLabel)} ${esc(xName(figure.xLabels, x))}</th>`).join('')}</tr>`;
  const rows = figure.series.map((series) => {
    const cells = figure.xs.map((x) => {
      const found = series.points.find((p) => p.x === x);
      const range = found?.spread
        ? ` title="min ${formatValue(found.spread.min)}, max ${formatValue(found.spread.max)}"`
        : '';
      return `<td${range}>${found ? esc(spreadText(found, formatValue)) : '–'}</td>`;
    });
    return `<tr><td class="name">${esc(series.name)}</td>${cells.join('')}</tr>`;
  });
  return `<div class="table-box"><table class="summary" data-figure="${figure.id}">${head}${rows.join('')}</table></div>`;
}

function renderCounters(set: ResultSet, figure: Figure): string {
  const names = new Set<string>();
  for (const series of figure.series) {
    for (const p of series.points)
      for (const name of Object.keys(p.point.counters)) names.add(name);
  }
  const columns = [...names].sort();
  if (columns.length === 0) return '';
  const head = `<tr><th class="name">series</th><th>${esc(figure.xLabel)}</th><th>ops</th><th>host ms</th>${columns.map((c) => `<th>${esc(c)}/op</th>`).join('')}</tr>`;
  const rows = figure.series.flatMap((series) =>
    series.points.map(({ x, point }) => {
      const perOp = columns.map((c) => {
        const value = point.counters[c];
        return `<td>${value === undefined ? '–' : esc(formatValue(point.ops > 0 ? value / point.ops : value))}</td>`;
      });
      const hostMs = set.meta.caseHostMs[String(point.case)];
      return `<tr><td class="name">${esc(series.name)}</td><td>${esc(xName(figure.xLabels, x))}</td><td>${formatNumber(point.ops)}</td><td>${hostMs === undefined ? '–' : esc(formatValue(hostMs))}</td>${perOp.join('')}</tr>`;
    }),
  );
  return `<details><summary>Model counters per operation behind ${esc(figure.title)}</summary><div class="table-box"><table>${head}${rows.join('')}</table></div></details>`;
}
