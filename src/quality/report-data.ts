import { CANONICAL_FIELDS } from '../core/fields.js';
import { maskValue } from '../core/mask.js';
import type { Store } from '../store/store.js';
import { type RunInfo, type TrendPoint, loadRunQuality, loadTrend } from './history.js';
import type { QualityReport } from './quality-report.js';
import { expandExplanation } from '../transforms/match/model.js';

/** The values a report shows of a record (masked unless asked otherwise). */
const SHOWN_FIELDS = ['full_name', 'given_name', 'family_name', 'company_name', 'email', 'phone', 'birth_date', 'address_line1', 'city', 'postal_code', 'country'] as const;

/** A record as the report shows it. */
export interface ReportRecord {
  source: string;
  key: string;
  /** Shown fields that have a value; null when the record is no longer staged. */
  values: Record<string, string> | null;
}

export interface ReportPair {
  a: ReportRecord;
  b: ReportRecord;
  probability: number;
  matchWeight: number | null;
  fields: { field: string; level: string; weight: number; countedWith?: string | undefined }[];
}

/** Everything `crm-etl report` renders, and what `--format json` writes. */
export interface ReportData {
  generatedAt: string;
  /** False when personal values are shown (`--unmask`). */
  masked: boolean;
  run: RunInfo;
  previous: RunInfo | null;
  quality: QualityReport;
  /** The previous run's scores, for the change since then. */
  previousScores: { overall: number; bySource: Record<string, number>; fields: Record<string, number> } | null;
  trend: TrendPoint[];
  rejectsByReason: { code: string; field: string | null; count: number }[];
  clusterSizes: { size: number; customers: number }[];
  histogram: {
    /** Twenty bins of width 0.05 from 0 to 1. */
    bins: { from: number; to: number; pairs: number }[];
    /** True: every scored candidate pair; false: only the pairs kept (at or above the review threshold). */
    allPairs: boolean;
    linkThreshold: number;
    reviewThreshold: number;
  };
  largestClusters: { size: number; members: ReportRecord[] }[];
  /** Pairs sent to review, most probable first (at most 50), each with its explanation. */
  reviewPairs: ReportPair[];
  /** How many pairs the run sent to review in all. */
  reviewPairCount: number;
}

const REVIEW_PAIRS_SHOWN = 50;

/**
 * Hides a record key that is itself a personal value (a source keyed on e-mail, phone or an
 * identity number); ordinary keys stay readable, because they are what `crm-etl explain` takes.
 */
function shownKey(key: string, values: Record<string, string | null> | undefined, masked: boolean): string {
  if (!masked) return key;
  const fold = (s: string): string => s.toLowerCase().replace(/[\s\-+().]/g, '');
  const k = fold(key);
  const personal = ['email', 'phone', 'national_id', 'tax_id'].some((f) => values?.[f] && fold(values[f]!) === k);
  return personal || key.includes('@') ? maskValue(key) : key;
}

/** Loads the staged values of some records, masked unless `masked` is false. */
async function loadRecords(store: Store, refs: readonly { source: string; key: string }[], masked: boolean): Promise<ReportRecord[]> {
  const bySource = new Map<string, Set<string>>();
  for (const r of refs) {
    let s = bySource.get(r.source);
    if (!s) bySource.set(r.source, (s = new Set()));
    s.add(r.key);
  }
  const found = new Map<string, Record<string, string | null>>();
  for (const [source, keys] of bySource) {
    const list = [...keys];
    for (let i = 0; i < list.length; i += 500) {
      const rows = (await store
        .knex('source_records')
        .select('source', 'source_key', ...CANONICAL_FIELDS)
        .where({ source })
        .whereIn('source_key', list.slice(i, i + 500))) as Record<string, string | null>[];
      for (const r of rows) found.set(`${r.source}\u0000${r.source_key}`, r);
    }
  }
  return refs.map((ref) => {
    const row = found.get(`${ref.source}\u0000${ref.key}`);
    let values: Record<string, string> | null = null;
    if (row) {
      values = {};
      for (const f of SHOWN_FIELDS) {
        const v = row[f];
        if (v) values[f] = masked ? maskValue(v) : v;
      }
    }
    return { source: ref.source, key: shownKey(ref.key, row, masked), values };
  });
}

/**
 * Gathers a run's report (default: the latest run with quality scores): its scores and gates,
 * the trend up to it, its rejects by reason, its clusters and match probabilities, the largest
 * clusters and the pairs it sent to review with their explanations. Record values come from
 * staging as it is now (a later run may have changed them) and are masked unless `unmask`.
 */
export async function loadReportData(store: Store, opts: { runId?: string; unmask?: boolean; now?: Date } = {}): Promise<ReportData> {
  const masked = !opts.unmask;
  const rq = await loadRunQuality(store, opts.runId);
  const runId = rq.run.id;
  const knex = store.knex;
  const trend = await loadTrend(store, { untilRunId: runId });

  const rejects = (await knex('rejects').select('code', 'field').count({ n: '*' }).where({ run_id: runId }).groupBy('code', 'field')) as { code: string; field: string | null; n: number | string }[];
  const rejectsByReason = rejects.map((r) => ({ code: r.code, field: r.field, count: Number(r.n) })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));

  const d = rq.quality.dedupe;
  const clusterSizes = Object.entries(d.clusterSizes)
    .map(([size, customers]) => ({ size: Number(size), customers }))
    .sort((a, b) => a.size - b.size);

  let counts = d.probabilityHistogram;
  const allPairs = counts !== undefined;
  if (!counts) {
    // Runs from before the histogram was kept: only the stored pairs (at or above review) are known.
    counts = new Array<number>(20).fill(0);
    const probs = (await knex('match_pairs').select('probability').where({ run_id: runId })) as { probability: number | string }[];
    for (const p of probs) counts[Math.min(19, Math.floor(Number(p.probability) * 20))]!++;
  }
  const histogram = {
    bins: counts.map((pairs, i) => ({ from: i / 20, to: (i + 1) / 20, pairs })),
    allPairs,
    linkThreshold: d.linkThreshold,
    reviewThreshold: d.reviewThreshold,
  };

  const pairRows = (await knex('match_pairs')
    .select('a_source', 'a_key', 'b_source', 'b_key', 'probability', 'explanation')
    .where({ run_id: runId, decision: 'review' })
    .orderBy([{ column: 'probability', order: 'desc' }, { column: 'id', order: 'asc' }])
    .limit(REVIEW_PAIRS_SHOWN)) as { a_source: string; a_key: string; b_source: string; b_key: string; probability: number | string; explanation: string }[];
  const reviewCount = (await knex('match_pairs').where({ run_id: runId, decision: 'review' }).count({ n: '*' }).first()) as { n: number | string } | undefined;

  const refs = [
    ...d.largestClusters.flatMap((c) => c.members),
    ...pairRows.flatMap((p) => [
      { source: p.a_source, key: p.a_key },
      { source: p.b_source, key: p.b_key },
    ]),
  ];
  const recs = await loadRecords(store, refs, masked);
  let at = 0;
  const largestClusters = d.largestClusters.map((c) => ({ size: c.size, members: c.members.map(() => recs[at++]!) }));
  const reviewPairs: ReportPair[] = pairRows.map((p) => {
    let ex: { matchWeight?: number; fields?: ReportPair['fields'] } = {};
    try {
      ex = expandExplanation(JSON.parse(p.explanation)) ?? {};
    } catch {
      // An unreadable explanation still shows the pair and its probability.
    }
    return {
      a: recs[at++]!,
      b: recs[at++]!,
      probability: Number(p.probability),
      matchWeight: typeof ex.matchWeight === 'number' ? ex.matchWeight : null,
      fields: (ex.fields ?? []).map((f) => ({ field: f.field, level: f.level, weight: f.weight, ...(f.countedWith ? { countedWith: f.countedWith } : {}) })),
    };
  });

  return {
    generatedAt: (opts.now ?? new Date()).toISOString(),
    masked,
    run: rq.run,
    previous: rq.previous?.run ?? null,
    previousScores: rq.previous
      ? {
          overall: rq.previous.quality.overall,
          bySource: rq.previous.quality.bySource,
          fields: Object.fromEntries(Object.entries(rq.previous.quality.fields).map(([f, q]) => [f, q.score])),
        }
      : null,
    quality: rq.quality,
    trend,
    rejectsByReason,
    clusterSizes,
    histogram,
    largestClusters,
    reviewPairs,
    reviewPairCount: Number(reviewCount?.n ?? 0),
  };
}
