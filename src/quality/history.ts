import { CrmEtlError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { type QualityReport, qualityReportSchema } from './quality-report.js';

/** A run as the quality views show it. */
export interface RunInfo {
  id: string;
  startedAt: string;
  status: string;
}

interface RunRow {
  id: string;
  started_at: Date | string;
  status: string;
  summary: string | null;
}

const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(String(d).replace(' ', 'T') + (/[zZ+]|-\d\d:?\d\d$/.test(String(d)) ? '' : 'Z'))).toISOString();

/** The quality report kept in a run's summary, or undefined (a run without one, or from before it was kept). */
function qualityOf(row: RunRow): QualityReport | undefined {
  if (!row.summary) return undefined;
  let summary: unknown;
  try {
    summary = JSON.parse(row.summary);
  } catch {
    return undefined;
  }
  const parsed = qualityReportSchema.safeParse((summary as { quality?: unknown }).quality);
  return parsed.success ? parsed.data : undefined;
}

/** Runs that came before `runId` and kept a quality report, newest first (at most `limit` looked at). */
async function runsBefore(store: Store, runId: string, limit: number): Promise<RunRow[]> {
  const knex = store.knex;
  const current = (await knex('runs').where({ id: runId }).first('started_at')) as { started_at: Date | string } | undefined;
  const q = knex('runs').select('id', 'started_at', 'status', 'summary').whereNot({ id: runId }).orderBy([{ column: 'started_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
  if (current) q.where('started_at', '<=', current.started_at);
  return (await q) as RunRow[];
}

/** The latest run before `runId` that kept a quality report, to compare with. */
export async function loadPreviousQuality(store: Store, runId: string): Promise<{ runId: string; quality: QualityReport } | undefined> {
  for (const row of await runsBefore(store, runId, 50)) {
    // A run that stopped on an error has no scores; the one before it is the comparison.
    const quality = qualityOf(row);
    if (quality) return { runId: row.id, quality };
  }
  return undefined;
}

/** A run's quality and the previous run's, for `crm-etl quality` and the report. */
export interface RunQuality {
  run: RunInfo;
  quality: QualityReport;
  previous?: { run: RunInfo; quality: QualityReport } | undefined;
}

/**
 * The quality of run `runId`, or of the latest run that has one. NOT_FOUND when there is none
 * (with what to do).
 */
export async function loadRunQuality(store: Store, runId?: string): Promise<RunQuality> {
  const knex = store.knex;
  let row: RunRow | undefined;
  let quality: QualityReport | undefined;
  if (runId) {
    row = (await knex('runs').where({ id: runId }).first('id', 'started_at', 'status', 'summary')) as RunRow | undefined;
    if (!row) throw new CrmEtlError('NOT_FOUND', `no run "${runId}" in the store; the latest runs are listed by: crm-etl quality`);
    quality = qualityOf(row);
    if (!quality) throw new CrmEtlError('NOT_FOUND', `run "${runId}" has no quality scores (it ${row.status === 'failed' ? 'failed before scoring' : 'is from before scores were kept per run'})`);
  } else {
    const rows = (await knex('runs').select('id', 'started_at', 'status', 'summary').orderBy([{ column: 'started_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(50)) as RunRow[];
    for (const r of rows) {
      quality = qualityOf(r);
      if (quality) {
        row = r;
        break;
      }
    }
    if (!row || !quality) throw new CrmEtlError('NOT_FOUND', 'no run with quality scores in the store yet: run the pipeline first (crm-etl run -c FILE)');
  }
  const info = (r: RunRow): RunInfo => ({ id: r.id, startedAt: iso(r.started_at), status: r.status });
  let previous: RunQuality['previous'];
  for (const r of await runsBefore(store, row.id, 50)) {
    const pq = qualityOf(r);
    if (pq) {
      previous = { run: info(r), quality: pq };
      break;
    }
  }
  return { run: info(row), quality, previous };
}

/** One run's scores in the trend. */
export interface TrendPoint {
  runId: string;
  startedAt: string;
  status: string;
  overall: number;
  /** Source name → score. */
  sources: Record<string, number>;
}

/**
 * Overall and per-source scores of the last `limit` runs up to and including `untilRunId`
 * (default: the latest), oldest first, from `quality_scores` (so runs from before quality
 * reports were kept in summaries count too).
 */
export async function loadTrend(store: Store, opts: { untilRunId?: string; limit?: number } = {}): Promise<TrendPoint[]> {
  const knex = store.knex;
  const limit = opts.limit ?? 30;
  const runs = knex('runs').select('id', 'started_at', 'status').whereIn('id', knex('quality_scores').distinct('run_id').where({ source: '*', field: '*', dimension: 'score' }));
  if (opts.untilRunId) {
    const until = (await knex('runs').where({ id: opts.untilRunId }).first('started_at')) as { started_at: Date | string } | undefined;
    if (until) runs.where('started_at', '<=', until.started_at);
  }
  const rows = (await runs.orderBy([{ column: 'started_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit)) as RunRow[];
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const scores = (await knex('quality_scores').select('run_id', 'source', 'score').whereIn('run_id', ids).where({ field: '*', dimension: 'score' })) as { run_id: string; source: string; score: number | string }[];
  const points = new Map<string, TrendPoint>(rows.map((r) => [r.id, { runId: r.id, startedAt: iso(r.started_at), status: r.status, overall: 0, sources: {} }]));
  for (const s of scores) {
    const p = points.get(s.run_id)!;
    if (s.source === '*') p.overall = Number(s.score);
    else p.sources[s.source] = Number(s.score);
  }
  return ids.reverse().map((id) => points.get(id)!);
}
