import { CANONICAL_FIELDS } from '../core/fields.js';
import { DIMENSIONS } from './quality-config.js';
import type { DimensionScores } from './quality-report.js';
import type { ReportData, ReportRecord } from './report-data.js';
import { barChart, columnChart, esc, heatMap, lineChart, scoreColour } from './svg-charts.js';

const fmt = (x: number): string => x.toFixed(1);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function change(cur: number, prev: number | undefined): string {
  if (prev === undefined) return '';
  const d = Math.round((cur - prev) * 10) / 10;
  const cls = d > 0 ? 'up' : d < 0 ? 'down' : 'same';
  return ` <span class="change ${cls}">${d > 0 ? '+' : d < 0 ? '−' : '±'}${fmt(Math.abs(d))}</span>`;
}

function dimCells(dims: DimensionScores): string {
  return DIMENSIONS.map((d) => {
    const m = dims[d];
    return m ? `<td class="num" style="background:${scoreColour(m.score)}" title="measured over ${m.measured}">${fmt(m.score)}</td>` : '<td class="num muted">–</td>';
  }).join('');
}

function recordCell(r: ReportRecord): string {
  const name = r.values ? (r.values.full_name ?? ([r.values.given_name, r.values.family_name].filter(Boolean).join(' ') || r.values.company_name || '')) : '';
  const rest = r.values
    ? ['company_name', 'email', 'phone', 'birth_date', 'address_line1', 'city', 'postal_code', 'country']
        .filter((f) => r.values![f] && !(f === 'company_name' && name === r.values![f]))
        .map((f) => `<span class="v" title="${f}">${esc(r.values![f]!)}</span>`)
        .join(' · ')
    : '<span class="muted">no longer staged</span>';
  return `<td><code>${esc(r.source)}:${esc(r.key)}</code></td><td>${esc(name)}</td><td class="small">${rest}</td>`;
}

const STYLE = `
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;color:#1d2329;background:#fafbfc}
body{margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 8px;border-bottom:1px solid #dde2e7;padding-bottom:4px}
.meta{color:#5b6570;font-size:13px}.muted{color:#8a949e}.small{font-size:12px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}.card{background:#fff;border:1px solid #dde2e7;border-radius:6px;padding:10px 14px;min-width:130px}
.card b{display:block;font-size:22px}.card span{font-size:12px;color:#5b6570}
.change{font-size:12px;font-weight:600}.change.up{color:#2a7d46}.change.down{color:#b3261e}.change.same{color:#5b6570}
table{border-collapse:collapse;font-size:13px;background:#fff}th,td{border:1px solid #dde2e7;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f3f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.fail{color:#b3261e}.ok{color:#2a7d46}.flag{color:#a15c00}
ul.flags{padding-left:18px}
svg.chart{display:block;max-width:100%;height:auto;background:#fff;border:1px solid #dde2e7;border-radius:6px;margin:4px 0}
svg .grid{stroke:#e6eaee}svg .axis,svg .legend{font-size:11px;fill:#46505a}svg .cellval{font-size:11px;fill:#1d2329}svg .count{font-size:10px;fill:#46505a}
svg .marker{stroke:#b3261e;stroke-dasharray:4 3}svg .marker-label{font-size:11px;fill:#b3261e}
details{margin:2px 0}summary{cursor:pointer}code{font-size:12px}
`;

/**
 * Renders a report as one self-contained HTML page: inline CSS and SVG, no script, no link to
 * anything (a Content-Security-Policy forbids loading anything, so a slip would show as an error
 * instead of a silent request).
 */
export function renderReportHtml(r: ReportData): string {
  const q = r.quality;
  const prev = r.previousScores;
  const h: string[] = [];
  h.push('<!doctype html><html lang="en"><head><meta charset="utf-8">');
  h.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  h.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  h.push(`<title>crm-etl quality report · run ${esc(r.run.id)}</title><style>${STYLE}</style></head><body>`);
  h.push(`<h1>Data quality and dedupe report</h1>`);
  h.push(
    `<div class="meta">Run <code>${esc(r.run.id)}</code> (${esc(r.run.status)}, started ${esc(r.run.startedAt)})` +
      (r.previous ? `, compared with run <code>${esc(r.previous.id)}</code>` : ', the first run with scores') +
      ` · generated ${esc(r.generatedAt)} · ${r.masked ? 'personal values masked' : '<b class="fail">personal values shown (--unmask)</b>'}</div>`,
  );

  const customers = r.clusterSizes.reduce((n, c) => n + c.customers, 0);
  const records = r.clusterSizes.reduce((n, c) => n + c.customers * c.size, 0);
  h.push('<div class="cards">');
  h.push(`<div class="card" data-card="overall"><span>overall score</span><b>${fmt(q.overall)}${change(q.overall, prev?.overall)}</b></div>`);
  h.push(`<div class="card"><span>rows rejected</span><b>${pct(q.rejectRate)}</b></div>`);
  h.push(`<div class="card"><span>customers / records</span><b>${customers} / ${records}</b></div>`);
  h.push(`<div class="card"><span>pairs for review</span><b>${r.reviewPairCount}</b></div>`);
  h.push(
    `<div class="card"><span>quality gates</span><b class="${q.gates.passed ? 'ok' : 'fail'}">${q.gates.checked === 0 ? 'none set' : q.gates.passed ? `${q.gates.checked} passed` : `${q.gates.failed.length} failed`}</b></div>`,
  );
  h.push('</div>');

  if (!q.gates.passed) {
    h.push('<h2>Failed gates</h2><p>The run stopped before the master: customers and links were not changed; its staged records are kept for inspection.</p><ul class="flags">');
    for (const f of q.gates.failed) h.push(`<li class="fail"><code>${esc(f.gate)}</code>: ${esc(f.message)}</li>`);
    h.push('</ul>');
  }
  if (q.anomalies.length) {
    h.push('<h2>Anomalies since the previous run</h2><ul class="flags">');
    for (const a of q.anomalies) h.push(`<li class="flag">${esc(a.message)}</li>`);
    h.push('</ul>');
  }

  h.push('<h2>Score trend</h2>');
  const sourceNames = [...new Set([...q.sources.map((s) => s.source), ...r.trend.flatMap((t) => Object.keys(t.sources))])];
  h.push(
    lineChart({
      id: 'trend',
      title: 'Overall and per-source score over runs',
      labels: r.trend.map((t) => t.startedAt.slice(0, 16).replace('T', ' ')),
      series: [{ name: 'overall', values: r.trend.map((t) => t.overall) }, ...sourceNames.map((s) => ({ name: s, values: r.trend.map((t) => t.sources[s] ?? null) }))],
    }),
  );
  h.push(`<p class="meta">The last ${r.trend.length} run(s) with scores, up to this one.</p>`);

  h.push('<h2>Scores by source and field</h2>');
  const fieldSet = new Set(q.sources.flatMap((s) => Object.keys(s.fields)));
  const fields = CANONICAL_FIELDS.filter((f) => fieldSet.has(f));
  const ALL = 'all sources';
  h.push(
    heatMap({
      id: 'heatmap',
      title: 'Score per source and field',
      rows: [...q.sources.map((s) => s.source), ALL],
      cols: fields,
      cell: (row, col) => {
        const fq = row === ALL ? q.fields[col] : q.sources.find((s) => s.source === row)?.fields[col];
        if (!fq) return undefined;
        const dims = DIMENSIONS.filter((d) => fq.dimensions[d]).map((d) => `${d} ${fmt(fq.dimensions[d]!.score)} (of ${fq.dimensions[d]!.measured})`);
        return { score: fq.score, title: `${row} · ${col}: ${fmt(fq.score)}\n${dims.join('\n')}` };
      },
    }),
  );
  h.push('<table data-table="dimensions"><thead><tr><th>source</th><th>records</th><th>read</th><th>rows rejected</th><th>duplicates</th>');
  for (const d of DIMENSIONS) h.push(`<th>${d}</th>`);
  h.push('<th>score</th></tr></thead><tbody>');
  for (const s of q.sources) {
    h.push(
      `<tr><td>${esc(s.source)}</td><td class="num">${s.records}</td><td class="num">${s.read}</td><td class="num">${pct(s.rejectRate)}</td><td class="num">${pct(s.duplicateRate)}</td>${dimCells(s.dimensions)}` +
        `<td class="num"><b>${fmt(s.score)}</b>${change(s.score, prev?.bySource[s.source])}</td></tr>`,
    );
  }
  h.push(`<tr><td><b>all sources</b></td><td></td><td></td><td class="num">${pct(q.rejectRate)}</td><td></td>${dimCells(q.dimensions)}<td class="num"><b>${fmt(q.overall)}</b>${change(q.overall, prev?.overall)}</td></tr>`);
  h.push('</tbody></table>');
  h.push('<p class="meta">A score is the weighted mean of the dimensions that could be measured (docs/quality.md); a dash means nothing to measure. Hover a cell for what it is measured over.</p>');

  h.push('<h2>Rejects by reason</h2>');
  if (r.rejectsByReason.length) {
    const top = r.rejectsByReason.slice(0, 25);
    h.push(barChart({ id: 'rejects', title: 'Rejected values and rows by reason', items: top.map((x) => ({ label: `${x.code} (${x.field ?? 'row'})`, value: x.count })) }));
    if (r.rejectsByReason.length > top.length) h.push(`<p class="meta">${r.rejectsByReason.length - top.length} more reason(s): crm-etl export rejects --run ${esc(r.run.id)}</p>`);
  } else h.push('<p class="meta">Nothing was rejected in this run.</p>');

  h.push('<h2>Customers by cluster size</h2>');
  h.push(
    columnChart({
      id: 'clusters',
      title: 'Customers by the number of source records they have',
      bins: r.clusterSizes.map((c) => ({ label: `${c.size} rec.`, value: c.customers, title: `${c.customers} customer(s) with ${c.size} record(s)` })),
      log: true,
      width: Math.min(760, 120 + r.clusterSizes.length * 70),
    }),
  );

  h.push('<h2>Match probability</h2>');
  const hg = r.histogram;
  h.push(
    columnChart({
      id: 'histogram',
      title: 'Candidate pairs by match probability',
      bins: hg.bins.map((b) => ({ label: b.from.toFixed(2), value: b.pairs, title: `${b.pairs} pair(s) with probability ${b.from.toFixed(2)}–${b.to.toFixed(2)}` })),
      log: true,
      markers: [
        { at: hg.reviewThreshold, label: `review ≥ ${hg.reviewThreshold}` },
        { at: hg.linkThreshold, label: `link ≥ ${hg.linkThreshold}` },
      ],
    }),
  );
  h.push(
    `<p class="meta">${hg.allPairs ? 'Every candidate pair the run scored' : 'Only the pairs at or above the review threshold (this run did not keep a histogram of all pairs)'}; bar heights on a logarithmic scale, counts printed.</p>`,
  );

  h.push('<h2>Dedupe: the largest clusters</h2>');
  if (r.largestClusters.length) {
    h.push('<table data-table="clusters"><thead><tr><th>#</th><th>record</th><th>name</th><th>values</th></tr></thead><tbody>');
    r.largestClusters.forEach((c, i) => {
      c.members.forEach((mem, j) => {
        h.push(`<tr>${j === 0 ? `<td rowspan="${c.members.length}" class="num">${i + 1}<br><span class="small muted">${c.size} rec.</span></td>` : ''}${recordCell(mem)}</tr>`);
      });
    });
    h.push('</tbody></table>');
  } else h.push('<p class="meta">No customer has more than one record.</p>');

  h.push(`<h2>Dedupe: borderline pairs (review)</h2>`);
  if (r.reviewPairs.length) {
    h.push(`<p class="meta">${r.reviewPairs.length} of ${r.reviewPairCount} pair(s) between the review and link thresholds, most probable first, each with the evidence per field (weights in bits: positive for a match, negative against).</p>`);
    h.push('<table data-table="review"><thead><tr><th>probability</th><th>record</th><th>name</th><th>values</th></tr></thead><tbody>');
    r.reviewPairs.forEach((p, i) => {
      const ev = p.fields
        .filter((f) => f.level !== 'missing' || f.weight !== 0)
        .map((f) => `<tr><td>${esc(f.field)}</td><td>${esc(f.level)}</td><td class="num ${f.weight >= 0 ? 'ok' : 'fail'}">${f.weight >= 0 ? '+' : ''}${f.weight.toFixed(2)}</td><td class="small muted">${f.countedWith ? `counted with ${esc(f.countedWith)}` : ''}</td></tr>`)
        .join('');
      h.push(`<tr data-pair="${i}"><td class="num" rowspan="3"><b>${p.probability.toFixed(3)}</b></td>${recordCell(p.a)}</tr><tr>${recordCell(p.b)}</tr>`);
      h.push(
        `<tr><td colspan="3"><details><summary>why: match weight ${p.matchWeight === null ? '?' : p.matchWeight.toFixed(2)} bits</summary><table class="small"><thead><tr><th>field</th><th>level</th><th>weight</th><th></th></tr></thead><tbody>${ev}</tbody></table></details></td></tr>`,
      );
    });
    h.push('</tbody></table>');
  } else h.push('<p class="meta">No pair was sent to review in this run.</p>');

  h.push(`<p class="meta">Record values are as staged now (a later run may have changed them). Written by crm-etl report.</p>`);
  h.push('</body></html>');
  return h.join('\n');
}
