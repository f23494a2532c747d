import { CANONICAL_FIELDS } from '../core/fields.js';
import { DIMENSIONS, type AnomalyThresholds, type Anomaly, type DimensionScores, type RunQuality, detectAnomalies } from '../quality/index.js';
import { formatQualityFlags } from './format.js';

const fmt = (x: number): string => x.toFixed(1);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const delta = (cur: number, prev: number | undefined): string => {
  if (prev === undefined) return 'new';
  const d = Math.round((cur - prev) * 10) / 10;
  return d > 0 ? `+${fmt(d)}` : d < 0 ? `-${fmt(-d)}` : '0.0';
};
const dims = (d: DimensionScores): string[] => DIMENSIONS.map((k) => (d[k] ? fmt(d[k].score) : '–'));

/** An aligned text table; columns listed in `right` are right-aligned (numbers). */
function grid(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((v, c) => (right.has(c) ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `crm-etl quality --json`: the run's report, the previous run's id and the change since it. */
export function qualityJson(rq: RunQuality, thresholds: AnomalyThresholds): unknown {
  const prev = rq.previous?.quality;
  return {
    run: rq.run,
    previous: rq.previous?.run ?? null,
    change: prev
      ? {
          overall: Math.round((rq.quality.overall - prev.overall) * 10) / 10,
          sources: Object.fromEntries(rq.quality.sources.map((s) => [s.source, prev.bySource[s.source] === undefined ? null : Math.round((s.score - prev.bySource[s.source]!) * 10) / 10])),
        }
      : null,
    ...rq.quality,
    anomalies: currentAnomalies(rq, thresholds),
  };
}

/** The anomalies against the run before it, with today's thresholds (they may have changed since the run). */
function currentAnomalies(rq: RunQuality, thresholds: AnomalyThresholds): Anomaly[] {
  return detectAnomalies(rq.quality, rq.previous?.quality, thresholds);
}

/**
 * The quality of one run as a person reads it: per source its counts, each dimension and its
 * score with the change since the previous run; per field the score in each source; then the
 * anomalies and gates.
 */
export function formatQuality(rq: RunQuality, thresholds: AnomalyThresholds): string {
  const q = rq.quality;
  const prev = rq.previous?.quality;
  const out: string[] = [];
  out.push(
    `Quality of run ${rq.run.id} (${rq.run.status}, started ${rq.run.startedAt})` + (rq.previous ? `, change since run ${rq.previous.run.id}` : ', the first run with scores'),
    '',
    `Overall score: ${fmt(q.overall)} / 100` + (prev ? ` (${delta(q.overall, prev.overall)})` : '') + `; rows rejected: ${pct(q.rejectRate)}` + (prev ? ` (${pct(prev.rejectRate)} before)` : ''),
    '',
  );
  const head = ['source', 'records', 'read', 'rejected', 'duplicates', ...DIMENSIONS, 'score', 'change'];
  const rows = q.sources.map((s) => [s.source, String(s.records), String(s.read), pct(s.rejectRate), pct(s.duplicateRate), ...dims(s.dimensions), fmt(s.score), prev ? delta(s.score, prev.bySource[s.source]) : '']);
  rows.push(['all', '', '', pct(q.rejectRate), '', ...dims(q.dimensions), fmt(q.overall), prev ? delta(q.overall, prev.overall) : '']);
  out.push(grid(head, rows, new Set(head.map((_, i) => i).filter((i) => i > 0))));

  const fieldSet = new Set(Object.keys(q.fields));
  const fields = CANONICAL_FIELDS.filter((f) => fieldSet.has(f));
  const fhead = ['field', ...q.sources.map((s) => s.source), 'all', 'change'];
  const frows = fields.map((f) => [
    f,
    ...q.sources.map((s) => (s.fields[f] ? fmt(s.fields[f].score) : '–')),
    fmt(q.fields[f]!.score),
    prev ? delta(q.fields[f]!.score, prev.fields[f]?.score) : '',
  ]);
  out.push('', 'Field scores:', grid(fhead, frows, new Set(fhead.map((_, i) => i).filter((i) => i > 0))));
  out.push(
    '',
    '"–": nothing to measure (a dimension counts only where it can be measured). Dimensions, weights and thresholds: docs/quality.md.',
  );
  out.push(...formatQualityFlags({ ...q, anomalies: currentAnomalies(rq, thresholds), comparedWith: rq.previous?.run.id ?? null }));
  return out.join('\n');
}
